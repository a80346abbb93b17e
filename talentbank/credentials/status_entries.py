"""Status-list entries for new credentials: which list a batch goes on, and which free indexes it takes.

Indexes are random (for privacy, Bitstring Status List §6.1) and found by probing the
(status_list_id, status_index) unique index, so a batch costs the same however full the list is."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

import badges
from talentbank.errors import NotFound
from talentbank.models import Credential, Organisation, StatusList


def new_status_list(
    session: Session, organisation: Organisation, *, size_bits: int | None = None, holds: str = "badges"
) -> StatusList:
    """An empty revocation list for the organisation; the newest one of its kind (`holds`: "badges" or
    "records") is where new credentials, or learner records, go."""
    status_list = StatusList(
        organisation=organisation, encoded_list=badges.encode_bitstring(badges.new_bitstring()), holds=holds
    )
    if size_bits is not None:
        status_list.size_bits = size_bits
    session.add(status_list)
    session.flush()
    return status_list


def locked_status_list(session: Session, organisation: Organisation, *, holds: str = "badges") -> StatusList:
    """The organisation's status list for credentials (or, with `holds="records"`, for learner records),
    locked until the transaction ends.

    The lock (FOR NO KEY UPDATE on PostgreSQL; SQLite's writers queue anyway) makes concurrent
    issuers to one list take turns, so the indexes found free under it stay free until this batch commits.
    """
    status_list = session.scalars(
        sa.select(StatusList)
        .where(StatusList.organisation_id == organisation.id, StatusList.holds == holds)
        .order_by(StatusList.id.desc())
        .limit(1)
        .with_for_update(key_share=True)
    ).first()
    if status_list is None:
        raise NotFound()
    return status_list


# Which of some candidate indexes a status list uses: one array parameter on PostgreSQL (500
# separate parameters cost it more than reading a few thousand rows), an expanding IN elsewhere.
# On PostgreSQL each candidate probes the unique index once (LATERAL ... LIMIT 1 keeps the plan a
# nested loop): psycopg prepares a statement it runs often, and the generic plan of `= ANY($2)`, or
# of a plain join with the array, on a table not yet analysed reads every row of the list (and with
# ~3.5 kB rows, a heap page for each): 11-21 ms a batch at 10,000 rows, against ~1 ms probing.
_CANDIDATES = (
    sa.func.unnest(sa.bindparam("candidates", type_=sa.ARRAY(sa.Integer))).table_valued("i").render_derived(name="u")
)
_IN_USE = (
    sa.select(sa.literal(1))
    .where(Credential.status_list_id == sa.bindparam("status_list_id"), Credential.status_index == _CANDIDATES.c.i)
    .limit(1)
    .lateral("in_use")
)
_TAKEN_AMONG_ANY = sa.select(_CANDIDATES.c.i).select_from(_CANDIDATES.join(_IN_USE, sa.true()))
_TAKEN_AMONG_IN = sa.select(Credential.status_index).where(
    Credential.status_list_id == sa.bindparam("status_list_id"),
    Credential.status_index.in_(sa.bindparam("candidates", expanding=True)),
)


def taken_among(session: Session, status_list: StatusList, candidates: list[int]) -> set[int]:
    """Which of the candidate indexes credentials on the list already use."""
    statement = _TAKEN_AMONG_ANY if session.get_bind().dialect.name == "postgresql" else _TAKEN_AMONG_IN
    found: set[int] = set()
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        found.update(session.scalars(statement, {"status_list_id": status_list.id, "candidates": chunk}))
    return found


def free_indexes(session: Session, status_list: StatusList, count: int) -> list[int]:
    """`count` random free indexes of a locked status list (random for privacy, BSL §6.1).

    Random candidates are looked up in the (status_list_id, status_index) unique index, so a batch
    costs the same however many credentials the list holds; only a crowded list is read in full.
    """
    if count == 0:
        return []
    chosen = badges.probe_free_indexes(
        lambda candidates: taken_among(session, status_list, candidates), count, size_bits=status_list.size_bits
    )
    if chosen is not None:
        return chosen
    taken = set(session.scalars(sa.select(Credential.status_index).where(Credential.status_list_id == status_list.id)))
    return badges.allocate_indexes(taken, count, size_bits=status_list.size_bits, is_random=True)
