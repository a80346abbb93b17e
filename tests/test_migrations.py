"""The schema lives in Alembic revisions: they run up and down on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

import base64
import json

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from talentbank.cli import alembic_config
from talentbank.db import Base, make_engine
from talentbank.models import Achievement, Credential, ProofFormat, StatusList
from talentbank.reference.loader import load_reference_data
from tests.factories import make_organisation


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_match(empty_database_url):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)
    command.check(config)  # raises if autogenerate would find any difference from the models

    command.downgrade(config, "base")
    assert table_names(empty_database_url) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert table_names(empty_database_url) >= set(Base.metadata.tables)


def test_downgrade_below_0011_writes_vc_jwt_documents_back(empty_database_url):
    """From 0011 on a VC-JWT credential's document lives only in its JWT; going back puts it in the column."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    engine = make_engine(empty_database_url)
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x:1", "name": "データ"}
    payload = {**document, "iss": "did:web:x", "jti": "urn:x:1", "nbf": 1}
    token = ".".join(
        base64.urlsafe_b64encode(part).rstrip(b"=").decode()
        for part in (b'{"alg":"EdDSA"}', json.dumps(payload).encode(), b"signature")
    )
    with Session(engine) as session:
        load_reference_data(session)
        organisation = make_organisation(session, verified=True)
        achievement = Achievement(organisation=organisation, name="a", description="d", criteria="c")
        status_list = StatusList(organisation=organisation, encoded_list="u")
        session.add(Credential(achievement=achievement, status_list=status_list, status_index=1, jwt=token,
                               recipient_email="r@example.jp", recipient_name="r", proof_format=ProofFormat.JWT))  # fmt: skip
        session.commit()
    try:
        command.downgrade(config, "0010")
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT document FROM credentials")).scalar_one()
        assert (json.loads(stored) if isinstance(stored, str) else stored) == document
        command.upgrade(config, "head")
    finally:
        engine.dispose()
