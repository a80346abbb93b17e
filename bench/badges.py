"""Badge issuing and verifying through the service layer, against bare PyJWT in the same run.

Run:  .venv/bin/python bench/badges.py [--count 10000] [--database-url postgresql://.../empty_db]

Issues COUNT VC-JWT credentials with `credentials.issuing.issue_credentials`, the bulk path, in
batches of 500 (build, sign, store, queue the recipient's mail, audit, commit) into a fresh
database, then verifies them with `credentials.verification.verify_credential` (every check: schema,
terms, key, proof, claims, validity, revocation), 500 at a time. After each batch it times bare
PyJWT EdDSA encode (or decode) of as many tokens with the same payload, so both sides of each
ratio run under the same machine load, round by round. Targets (issue #4): issuing ≥ 50% of the
bare signing rate, verifying ≥ 50% of the bare verify rate. Data Integrity (eddsa-rdfc-2022) rates are printed too, on COUNT/20 credentials, beside
their own bare baseline: RDFC-1.0 canonicalisation (pyld), SHA-256 and Ed25519 sign/verify of the
same document, with no database and no other check.

The wallet delivery path (#16) is timed on COUNT/20 claimed VC-JWT credentials: the token request
(`wallet.exchange.redeem_code`) and the credential request (`deliver_credential`: access token, proof
JWT check, nonce, the holder-bound copy signed and stored, audit), one commit each, as the endpoints do;
the wallet's side (its proof JWTs) is made beforehand. Its baseline is bare PyJWT EdDSA encode of the
copy's payload, interleaved round by round.

Presentation verification (#16) is timed on COUNT/20 holder-bound VC-JWT copies, each presented in its own
VP-JWT (made beforehand): `badges.presentation.verify_presentation` with the app's `verify_credential` (the
holder's signature, nonce, audience, then every check of the credential and its binding to the holder).
Its baseline is bare PyJWT EdDSA decode of the credential's JWT, interleaved round by round.

CLR 2.0 learner records (#16) are timed on COUNT/40 learners, each holding two Data Integrity badges:
issuing a VC-JWT record (`learner_records.issue_learner_record`: the learner's credentials looked up,
a status index, the ClrCredential built and signed, stored, the learner mailed, audit) and verifying it
(`verification.verify_learner_record`: the record's checks and every check of each badge in it). The
bare baselines are the signatures that work needs, in the same run: issuing, one PyJWT EdDSA encode of
the record's payload (the nested badges are stored Data Integrity documents, not signed again);
verifying, one PyJWT decode of the record plus a bare eddsa-rdfc-2022 verify of each of the two badges.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

# Run as a script, this folder comes first on sys.path and its matching.py would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

import badges
from badges.data_integrity import hash_data, proof_configuration
from badges.presentation import presentation_jwt, verify_presentation
from talentbank import create_app, db
from talentbank.cli import upgrade_database
from talentbank.config import resolve_database_url
from talentbank.credentials import achievements, issuers, issuing, learner_records, records, verification
from talentbank.credentials.context import issuer_context
from talentbank.credentials.inputs import AchievementInput, AwardInput, LearnerRecordInput
from talentbank.models import (
    Credential,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Profile,
    ProofFormat,
    User,
)
from talentbank.reference.loader import load_reference_data
from talentbank.wallet import exchange, offers
from talentbank.wallet.metadata import JWT_CONFIGURATION, PRE_AUTHORIZED_GRANT


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:10,.0f} /s"


class BarePyJWT:
    """Bare PyJWT EdDSA encode and decode of one payload with a fresh key: the baseline."""

    def __init__(self, payload: dict) -> None:
        self.payload = payload
        self.key = Ed25519PrivateKey.generate()
        self.public = self.key.public_key()

    def encode(self, count: int) -> list[str]:
        return [jwt.encode(self.payload, self.key, algorithm="EdDSA", headers={"kid": "k"}) for _ in range(count)]

    def decode(self, tokens: list[str]) -> None:
        for token in tokens:
            jwt.decode(token, self.public, algorithms=["EdDSA"], options={"verify_exp": False, "verify_nbf": False})


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def bare_data_integrity(document: dict, count: int) -> tuple[float, float]:
    """eddsa-rdfc-2022 alone (canonicalise, hash, sign / verify) on the same document."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = proof_configuration(
        unsecured, verification_method="did:example:bench#key", created=document["proof"]["created"]
    )
    start = time.perf_counter()
    signatures = [key.sign(hash_data(unsecured, options)) for _ in range(count)]
    sign_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for signature in signatures:
        public.verify(signature, hash_data(unsecured, options))
    return sign_seconds, time.perf_counter() - start


def seed():
    admin = User(email="bench-admin@example.jp", display_name="bench", password_hash="x", is_admin=True)
    organisation = Organisation(name="ベンチ高専", kind=OrganisationKind.SCHOOL, municipality_code="012041",
                                verified_at=db.utcnow())  # fmt: skip
    organisation.memberships.append(Membership(user=admin, role=MembershipRole.OWNER))
    db.session.add(organisation)
    db.session.flush()
    issuers.setup_issuer(db.session, admin, organisation, issuer_context())
    db.session.commit()
    return admin, organisation


def make_achievement(admin, organisation, proof_format: str, name: str = "データ分析基礎"):
    achievement = achievements.create_achievement(
        db.session, admin, organisation,
        AchievementInput(name=f"{name} {proof_format}", description="Python", criteria="講座を修了",
                         tags="", expiry_months=None, proof_format=proof_format, skill_code="dssp2-35",
                         skill_level=2, skill_code_2="", skill_level_2=1),
    )  # fmt: skip
    db.session.commit()
    return achievement


def issue_many(admin, achievement, count: int, batch: int = 500, baseline=None) -> tuple[float, float]:
    """Issue through `issue_credentials` in batches (the bulk-award path), committing each batch.

    With `baseline(n, first_issued)`, each batch is followed by that many bare operations, timed
    apart: both figures then share the machine's state (load, caches, clock speed) round by round.
    Returns (issuing seconds, baseline seconds).
    """
    context = issuer_context()
    awards = [
        (AwardInput(email=f"learner{n}@example.jp", name=f"学習者{n}", evidence_url="", narrative=""), None)
        for n in range(count)
    ]
    issue_seconds = bare = 0.0
    for first in range(0, count, batch):
        chunk = awards[first : first + batch]
        start = time.perf_counter()
        issued = issuing.issue_credentials(db.session, admin, achievement, chunk, context)
        db.session.commit()
        issue_seconds += time.perf_counter() - start
        if baseline is not None:
            bare += baseline(len(chunk), issued[0])
    return issue_seconds, bare


def verify_all(achievement, batch: int = 500, baseline=None) -> tuple[int, float, float]:
    """Verify every credential of the achievement with `verify_credential`, in rounds of `batch`,
    each followed by `baseline(n)` timed apart. Returns (verified, verify seconds, baseline seconds)."""
    context = issuer_context()
    stored = [records.stored_form(c) for c in records.credentials_of_achievement(db.session, achievement)]
    good, verifying, bare = 0, 0.0, 0.0
    for first in range(0, len(stored), batch):
        chunk = stored[first : first + batch]
        start = time.perf_counter()
        good += sum(verification.verify_credential(db.session, item, context).verified for item in chunk)
        verifying += time.perf_counter() - start
        if baseline is not None:
            bare += baseline(len(chunk))
    return good, verifying, bare


def jwt_rates(admin, achievement, count: int) -> tuple[float, float, float, float]:
    """(issue, bare encode, verify, bare decode) seconds for `count` VC-JWT credentials, interleaved."""
    bare: BarePyJWT | None = None

    def encode_baseline(n: int, issued) -> float:
        nonlocal bare
        if bare is None:  # the payload of a real credential, as issued
            token = db.session.scalar(sa.select(Credential.jwt).where(Credential.public_id == issued.public_id))
            bare = BarePyJWT(jwt.decode(token, options={"verify_signature": False}))
        return timed(bare.encode, n)

    issue_seconds, encode_seconds = issue_many(admin, achievement, count, baseline=encode_baseline)
    tokens = bare.encode(500)
    good, verify_seconds, decode_seconds = verify_all(achievement, baseline=lambda n: timed(bare.decode, tokens[:n]))
    assert good == count, f"only {good} of {count} verified"
    return issue_seconds, encode_seconds, verify_seconds, decode_seconds


def wallet_rates(admin, achievement, count: int, batch: int = 50) -> tuple[float, float]:
    """(delivery seconds, bare encode seconds) for `count` token + credential requests, interleaved."""
    learner = User(email="bench-holder@example.jp", display_name="holder", password_hash="x",
                   email_verified_at=db.utcnow())  # fmt: skip
    profile = Profile(user=learner, display_name="holder")
    db.session.add(profile)
    db.session.flush()
    award = AwardInput(email=learner.email, name="holder", evidence_url="", narrative="")
    context = issuer_context()
    issued = issuing.issue_credentials(
        db.session, admin, achievement, [(award, f"w{n}") for n in range(count)], context
    )
    ids = [i.public_id for i in issued]
    db.session.execute(sa.update(Credential).where(Credential.public_id.in_(ids)).values(profile_id=profile.id))
    credentials = db.session.scalars(sa.select(Credential).where(Credential.public_id.in_(ids))).all()
    codes = [offers.create_offer(db.session, learner, c, context.base_url, with_tx_code=False).uri for c in credentials]
    db.session.commit()
    secret = current_app.config["SECRET_KEY"].encode()
    holder = Ed25519PrivateKey.generate()
    kid = badges.did_key_verification_method(holder.public_key())
    proofs = [
        jwt.encode({"aud": context.base_url, "iat": int(time.time()), "nonce": exchange.new_nonce(secret)}, holder,
                   algorithm="EdDSA", headers={"typ": "openid4vci-proof+jwt", "kid": kid})
        for _ in codes
    ]  # fmt: skip
    grants = [json.loads(unquote(uri.partition("credential_offer=")[2]))["grants"] for uri in codes]
    delivering = bare_seconds = 0.0
    bare: BarePyJWT | None = None
    for first in range(0, count, batch):
        start = time.perf_counter()
        for grant, proof in zip(grants[first : first + batch], proofs[first : first + batch], strict=True):
            code = grant[PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
            token = exchange.redeem_code(db.session, PRE_AUTHORIZED_GRANT, code, None).token
            db.session.commit()
            body = {"credential_configuration_id": JWT_CONFIGURATION, "proofs": {"jwt": [proof]}}
            _, copy = exchange.deliver_credential(db.session, token, body, context, secret)
            db.session.commit()
        delivering += time.perf_counter() - start
        if bare is None:
            bare = BarePyJWT(jwt.decode(copy, options={"verify_signature": False}))
        bare_seconds += timed(bare.encode, len(grants[first : first + batch]))
    return delivering, bare_seconds


def presentation_rates(admin, achievement, count: int, batch: int = 50) -> tuple[float, float]:
    """(presentation seconds, bare decode seconds) for `count` one-credential VP-JWTs, interleaved."""
    context = issuer_context()
    holder = Ed25519PrivateKey.generate()
    kid = badges.did_key_verification_method(holder.public_key())
    did = kid.partition("#")[0]
    now = db.utcnow().replace(microsecond=0)
    credentials = db.session.scalars(sa.select(Credential).where(Credential.achievement_id == achievement.id)
                                     .limit(count)).all()  # fmt: skip
    copies = [issuing.sign_holder_copy(db.session, c, did, ProofFormat.JWT, context, document_id=f"urn:uuid:p{n}",
                                       now=now) for n, c in enumerate(credentials)]  # fmt: skip
    challenges = [f"challenge-{n}" for n in range(len(copies))]
    vps = [presentation_jwt([copy], holder, kid=kid, holder=did, challenge=challenge, audience=context.base_url,
                            now=now) for copy, challenge in zip(copies, challenges, strict=True)]  # fmt: skip
    presenting = bare_seconds = 0.0
    issuer_key = None
    for first in range(0, len(vps), batch):
        start = time.perf_counter()
        for vp, challenge in zip(vps[first : first + batch], challenges[first : first + batch], strict=True):
            result = verify_presentation(vp, challenge=challenge, domain=context.base_url, now=db.utcnow(),
                                         verify_credential=lambda d: verification.verify_credential(
                                             db.session, d, context))  # fmt: skip
            assert result.verified, (result.refusal, [c.problems for c in result.credentials])
            issuer_key = issuer_key or result.credentials[0].result.issuer_key.key
        presenting += time.perf_counter() - start
        start = time.perf_counter()
        for copy in copies[first : first + batch]:
            jwt.decode(copy, issuer_key, algorithms=["EdDSA"], options={"verify_aud": False, "verify_exp": False})
        bare_seconds += time.perf_counter() - start
    return presenting, bare_seconds


def clr_rates(admin, organisation, held: list, count: int, batch: int = 25) -> tuple[float, float, float, float]:
    """(issue, bare sign, verify, bare verify) seconds for `count` VC-JWT learner records, each of the badges of
    the `held` achievements that learner{n}@example.jp holds, interleaved with their bare signatures."""
    context = issuer_context()
    ids = tuple(str(achievement.public_id) for achievement in held)
    made: list = []
    issue_seconds = sign_seconds = 0.0
    bare: BarePyJWT | None = None
    for first in range(0, count, batch):
        learners = range(first, min(first + batch, count))
        start = time.perf_counter()
        for n in learners:
            details = LearnerRecordInput(email=f"learner{n}@example.jp", name="ベンチ学修記録", achievement_ids=ids,
                                         proof_format="jwt")  # fmt: skip
            made.append(learner_records.issue_learner_record(db.session, admin, organisation, details, context))
        db.session.commit()
        issue_seconds += time.perf_counter() - start
        if bare is None:  # the payload of a real record, as issued
            bare = BarePyJWT(jwt.decode(made[0].jwt, options={"verify_signature": False}))
        sign_seconds += timed(bare.encode, len(learners))
    tokens = bare.encode(batch)
    nested = made[0].document["credentialSubject"]["verifiableCredential"]
    assert len(nested) == len(held)
    verify_seconds = bare_verify = 0.0
    for first in range(0, count, batch):
        chunk = made[first : first + batch]
        start = time.perf_counter()
        good = sum(
            verification.verify_learner_record(db.session, learner_records.stored_form(r), context).verified
            for r in chunk
        )
        verify_seconds += time.perf_counter() - start
        assert good == len(chunk), f"only {good} of {len(chunk)} learner records verified"
        bare_verify += timed(bare.decode, tokens[: len(chunk)])
        bare_verify += sum(bare_data_integrity(document, len(chunk))[1] for document in nested)
    return issue_seconds, sign_seconds, verify_seconds, bare_verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tb-bench-badges-"))
    url = resolve_database_url(args.database_url, "") if args.database_url else f"sqlite:///{folder / 'bench.db'}"
    upgrade_database(url)
    os.environ["TALENTBANK_INSTANCE_PATH"] = str(folder)
    app = create_app({"DATABASE_URL": url, "SECURE_COOKIES": False, "BASE_URL": "https://talent.example.jp"})
    with app.test_request_context():
        load_reference_data(db.session)
        db.session.commit()
        admin, organisation = seed()
        jwt_achievement = make_achievement(admin, organisation, "jwt")
        issue_seconds, encode_seconds, verify_seconds, decode_seconds = jwt_rates(admin, jwt_achievement, args.count)
        di_count = max(50, args.count // 20)
        di_achievement = make_achievement(admin, organisation, "di")
        di_issue, _ = issue_many(admin, di_achievement, di_count)
        di_good, di_verify, _ = verify_all(di_achievement)
        assert di_good == di_count
        di_sample = db.session.scalar(sa.select(Credential).where(Credential.achievement_id == di_achievement.id))
        di_sign_seconds, di_verify_seconds = bare_data_integrity(di_sample.document, di_count)
        wallet_seconds, wallet_bare = wallet_rates(admin, jwt_achievement, di_count)
        presenting, presenting_bare = presentation_rates(admin, jwt_achievement, di_count)
        clr_count = max(25, args.count // 40)
        second_di = make_achievement(admin, organisation, "di", name="データ可視化")
        issue_many(admin, second_di, clr_count)  # learner0… also hold the first DI badge
        clr_issue, clr_sign, clr_verify, clr_bare_verify = clr_rates(
            admin, organisation, [di_achievement, second_di], clr_count
        )
    print(f"database: {url.split(':')[0]}, {args.count:,} VC-JWT credentials, {di_count:,} Data Integrity, "
          f"{clr_count:,} learner records")  # fmt: skip
    print(f"{'bare PyJWT EdDSA encode':<44}{rate(args.count, encode_seconds)}")
    print(f"{'issue_credentials (VC-JWT, stored + mail)':<44}{rate(args.count, issue_seconds)}"
          f"   {100 * encode_seconds / issue_seconds:5.1f}% of bare (target ≥ 50%)")  # fmt: skip
    print(f"{'bare PyJWT EdDSA decode':<44}{rate(args.count, decode_seconds)}")
    print(f"{'verify_credential (VC-JWT, every check)':<44}{rate(args.count, verify_seconds)}"
          f"   {100 * decode_seconds / verify_seconds:5.1f}% of bare (target ≥ 50%)")  # fmt: skip
    print(f"{'bare eddsa-rdfc-2022 sign':<44}{rate(di_count, di_sign_seconds)}")
    print(f"{'issue_credentials (Data Integrity)':<44}{rate(di_count, di_issue)}"
          f"   {100 * di_sign_seconds / di_issue:5.1f}% of bare")  # fmt: skip
    print(f"{'bare eddsa-rdfc-2022 verify':<44}{rate(di_count, di_verify_seconds)}")
    print(f"{'verify_credential (Data Integrity)':<44}{rate(di_count, di_verify)}"
          f"   {100 * di_verify_seconds / di_verify:5.1f}% of bare")  # fmt: skip
    print(f"{'bare PyJWT EdDSA encode (wallet copy)':<44}{rate(di_count, wallet_bare)}")
    print(f"{'wallet delivery (token + credential request)':<44}{rate(di_count, wallet_seconds)}"
          f"   {100 * wallet_bare / wallet_seconds:5.1f}% of bare")  # fmt: skip
    print(f"{'bare PyJWT EdDSA decode (credential)':<44}{rate(di_count, presenting_bare)}")
    print(f"{'verify_presentation (VP-JWT, 1 credential)':<44}{rate(di_count, presenting)}"
          f"   {100 * presenting_bare / presenting:5.1f}% of bare")  # fmt: skip
    print(f"{'bare PyJWT EdDSA encode (CLR record)':<44}{rate(clr_count, clr_sign)}")
    print(f"{'issue_learner_record (VC-JWT, 2 badges)':<44}{rate(clr_count, clr_issue)}"
          f"   {100 * clr_sign / clr_issue:5.1f}% of bare")  # fmt: skip
    print(f"{'bare decode + 2 × eddsa-rdfc-2022 verify':<44}{rate(clr_count, clr_bare_verify)}")
    print(f"{'verify_learner_record (record + each badge)':<44}{rate(clr_count, clr_verify)}"
          f"   {100 * clr_bare_verify / clr_verify:5.1f}% of bare")  # fmt: skip


if __name__ == "__main__":
    main()
