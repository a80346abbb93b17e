"""Issuing as the suite checks it: the schema hook that validates every issued document, the status list
as a public, cacheable document that a revocation changes, and a 1,000-row bulk award within a minute."""

import gc
import html
import re
import time
import uuid
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

import badges
import badges.build
from talentbank.models import Credential, Endorsement, OutboxMessage, StatusList
from tests.factories import count, make_organisation, make_user
from tests.web.test_credentials import _endorse, award, create_achievement, setup_issuer


@pytest.fixture
def school(db):
    return make_organisation(db, kind="school", verified=True, name="道北工業高等専門学校")


# ---- the schema hook (tests/conftest.py: issued_documents) ------------------------------------------


def test_every_test_with_the_database_has_its_issued_documents_checked(request, db, issued_documents):
    """The hook is autouse: a test that never names it still gets it, and it finds the app's documents."""
    assert "issued_documents" in request.fixturenames and issued_documents is not None
    assert issued_documents.problems() == [] and issued_documents.checked == 0


@pytest.mark.parametrize("proof_format", ["jwt", "di"])
def test_the_schema_hook_fails_a_test_that_issues_an_invalid_credential(
    client, db, login, school, monkeypatch, issued_documents, proof_format
):
    """Issue through the app with a builder that leaves out the achievement's required `criteria`
    (every other step, signing included, still works): the hook reports that very credential."""
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school, proof_format=proof_format)
    good_id = award(client, achievement_id, "good@example.jp")
    assert issued_documents.problems() == [] and issued_documents.checked == 1
    real_achievement = badges.build._achievement

    def without_criteria(achievement):
        body = real_achievement(achievement)
        del body["criteria"]
        return body

    monkeypatch.setattr(badges.build, "_achievement", without_criteria)
    broken_id = award(client, achievement_id, "broken@example.jp")
    problems = issued_documents.problems()
    part = "VC-JWT payload" if proof_format == "jwt" else "Data Integrity JSON"
    assert len(problems) == 1 and issued_documents.checked == 2, problems
    assert problems[0].startswith(f"credential {broken_id} ({part}):") and "'criteria' is a required" in problems[0]
    assert good_id not in problems[0]
    # Gone again, so this test's own teardown passes: the check above was the teardown's check.
    db.execute(sa.delete(Credential).where(Credential.public_id == uuid.UUID(broken_id)))
    db.commit()
    assert issued_documents.problems() == []


def test_the_schema_hook_fails_a_test_that_issues_an_invalid_endorsement(
    client, db, login, make_client, school, monkeypatch, issued_documents
):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    real_build = badges.build_endorsement

    def unnamed(**arguments):
        document = real_build(**arguments)
        del document["name"]  # required of an EndorsementCredential
        return document

    monkeypatch.setattr(badges, "build_endorsement", unnamed)
    endorsement = _endorse(db, login, make_client, achievement_id)
    problems = issued_documents.problems()
    assert len(problems) == 1 and problems[0].startswith(f"endorsement {endorsement.public_id}:"), problems
    assert "'name' is a required property" in problems[0]
    db.execute(sa.delete(Endorsement))
    db.commit()
    assert issued_documents.problems() == []


# ---- the status list: public, cacheable, changed by a revocation ---------------------------------------


def test_the_status_list_is_public_cacheable_and_a_revocation_changes_it(client, db, login, make_client, school):
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    credential_id = award(client, achievement_id)
    credential = db.scalar(sa.select(Credential))
    entry = credential.document["credentialStatus"]
    path = entry["statusListCredential"].removeprefix("http://localhost")
    index = int(entry["statusListIndex"])
    visitor = make_client()  # nobody logged in

    first = visitor.get(path)
    assert first.status_code == 200 and first.mimetype == "application/vc+ld+json"
    assert "public" in first.cache_control and 0 < first.cache_control.max_age <= 300
    assert first.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in first.headers
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified
    assert not badges.get_bit(badges.decode_bitstring(first.get_json()["credentialSubject"]["encodedList"]), index)
    # the same list again: the same bytes, and a cache holding them may keep them
    assert visitor.get(path).get_data() == first.get_data()
    unchanged = visitor.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert "max-age" in unchanged.headers["Cache-Control"]
    assert visitor.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304

    # someone who may not issue for the school cannot revoke: the list stays as it was
    stranger = make_client()
    login(stranger, make_user(db))
    denied = stranger.post(
        f"/achievements/{achievement_id}/revoke", data={"credential": [credential_id], "reason": "x"}
    )
    assert denied.status_code == 403
    assert visitor.get(path, headers={"If-None-Match": etag}).status_code == 304

    time.sleep(1.01)  # Last-Modified has whole seconds
    revoked = client.post(
        f"/achievements/{achievement_id}/revoke", data={"credential": [credential_id], "reason": "評価の誤り"}
    )
    assert revoked.status_code == 302
    after = visitor.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert after.headers["Last-Modified"] != last_modified
    assert badges.get_bit(badges.decode_bitstring(after.get_json()["credentialSubject"]["encodedList"]), index)
    assert visitor.get(path, headers={"If-Modified-Since": last_modified}).status_code == 200
    # and the revocation shows in verification, which reads the same list
    result = visitor.post("/api/v1/verify", json={"credential": credential.jwt}).get_json()
    assert result["verified"] is False
    assert next(c for c in result["checks"] if c["check"] == "status")["ok"] is False


# ---- 1,000 rows through the bulk award page within a minute --------------------------------------------

SLICE = int(
    re.search(
        r"var SLICE = (\d+);", (Path(__file__).parents[2] / "talentbank/static/js/bulk-progress.js").read_text()
    ).group(1)
)


@pytest.mark.timed
def test_a_thousand_row_csv_is_issued_within_a_minute_and_only_once(client, db, login, school):
    """The page's way: upload for the preview, then post the previewed rows slice by slice as its script
    does (SLICE rows each, with the running total) until the server says done. All 1,000 are issued,
    each recipient gets their mail, and the same file uploaded again issues nothing."""
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    csv_bytes = b"email,name,evidence,narrative\n" + "".join(
        f"learner{n:04d}@example.jp,学習 {n:04d},https://example.jp/work/{n},講座の課題 {n} を提出\n"
        for n in range(1000)
    ).encode("utf-8")
    url = f"/achievements/{achievement_id}/bulk"

    started = time.perf_counter()
    preview = client.post(url, data={"action": "preview", "csv": (BytesIO(csv_bytes), "awards.csv")},
                          content_type="multipart/form-data")  # fmt: skip
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-total-rows="1000"' in page and "発行する：1000件" in page
    rows = html.unescape(page.split('<textarea name="rows" hidden aria-hidden="true">')[1].split("</textarea>")[0])
    start, issued, requests = 0, 0, 0
    while True:
        response = client.post(
            url,
            data={"action": "issue", "rows": rows, "batch_start": start, "batch_size": SLICE, "issued_so_far": issued},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        result = response.get_json()
        issued += result["issued"]
        requests += 1
        if result["done"] or result["rows"] == 0:
            break
        start += SLICE
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"1,000 rows took {elapsed:.1f} s"
    assert issued == 1000 and requests == -(-1000 // SLICE)
    assert "1000件のバッジを発行しました" in client.get(f"/achievements/{achievement_id}").get_data(as_text=True)
    emails = set(db.scalars(sa.select(Credential.recipient_email)))
    assert emails == {f"learner{n:04d}@example.jp" for n in range(1000)}
    mails = db.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "credential_awarded")
    )
    assert mails == 1000
    indexes = db.scalars(sa.select(Credential.status_index)).all()
    assert len(set(indexes)) == 1000

    # the same file again: every row is already issued, so there is no form to confirm, and posting anyway
    # (an old tab, a retried request) issues nothing new
    again = client.post(url, data={"action": "preview", "csv": (BytesIO(csv_bytes), "awards.csv")},
                        content_type="multipart/form-data")  # fmt: skip
    again_page = again.get_data(as_text=True)
    assert "発行済みのため飛ばす：1000件" in again_page and "data-bulk-issue" not in again_page
    for start in (0, 500):
        repeat = client.post(
            url,
            data={"action": "issue", "rows": rows, "batch_start": start, "batch_size": SLICE},
            headers={"Accept": "application/json"},
        ).get_json()
        assert repeat["issued"] == 0 and repeat["skipped"] == SLICE
    assert client.post(url, data={"action": "issue", "rows": rows}).status_code == 302  # the no-script path
    assert count(db, Credential) == 1000
    print(f"\n1,000-row bulk award: {elapsed:.1f} s in {requests} slices of {SLICE}")


def test_issuing_falls_back_to_reading_the_whole_status_list_when_probing_gives_up(
    client, db, login, school, monkeypatch
):
    """A crowded list (probing says None) is read in full: each award still gets a free index. The list is
    shrunk to 6 bits, so six awards take every index and only a correct full read avoids a clash."""
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    db.execute(sa.update(StatusList).values(size_bits=6))
    monkeypatch.setattr(badges, "probe_free_indexes", lambda *arguments, **options: None)
    issued = {award(client, achievement_id, f"p{n}@example.jp") for n in range(6)}
    assert len(issued) == 6
    assert sorted(db.scalars(sa.select(Credential.status_index))) == [0, 1, 2, 3, 4, 5]


def test_a_full_status_list_hands_the_next_award_to_a_new_list_of_the_issuer(client, db, login, school):
    """Six awards fill a 6-bit list; the seventh gets index space on a second list rather than an error,
    and its status entry names that list, which is published like the first."""
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    db.execute(sa.update(StatusList).values(size_bits=6))
    first = db.scalar(sa.select(StatusList.id))
    issued = [award(client, achievement_id, f"p{n}@example.jp") for n in range(7)]
    assert len(set(issued)) == 7
    lists = db.scalars(sa.select(StatusList).order_by(StatusList.id)).all()
    assert len(lists) == 2 and lists[0].id == first
    seventh = db.scalars(sa.select(Credential).order_by(Credential.id.desc())).first()
    assert seventh.status_list_id == lists[1].id
    assert db.scalar(sa.select(sa.func.count()).where(Credential.status_list_id == first)) == 6
    entry = seventh.document["credentialStatus"]
    assert entry["statusListCredential"].endswith(str(lists[1].public_id))
    assert client.get(urlsplit(entry["statusListCredential"]).path).status_code == 200


def test_a_batch_pauses_the_cyclic_collector_and_resumes_it_even_when_it_fails(client, db, login, school, monkeypatch):
    """Issuing runs with Python's cyclic collector off (bench/badges.py: it took 23 of ~220 us a
    credential) and turns it back on afterwards: after a good award, and after one whose signing fails."""
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    seen: list[bool] = []
    real_build = badges.credential_builder

    def watching_builder(*arguments, **options):
        build = real_build(*arguments, **options)

        def watched(*inner, **inner_options):
            seen.append(gc.isenabled())
            return build(*inner, **inner_options)

        return watched

    monkeypatch.setattr(badges, "credential_builder", watching_builder)
    award(client, achievement_id, "paused@example.jp")
    assert seen == [False] and gc.isenabled()

    def failing_builder(*arguments, **options):
        def fail(*inner, **inner_options):
            raise RuntimeError("signing failed")

        return fail

    monkeypatch.setattr(badges, "credential_builder", failing_builder)
    response = client.post(f"/achievements/{achievement_id}/award", data={"email": "failing@example.jp", "name": "x"})
    assert response.status_code == 500 and gc.isenabled()
    assert count(db, Credential) == 1


def test_the_taken_index_query_finds_exactly_the_indexes_in_use_among_the_candidates(client, db, login, school):
    """The question probing asks the database (an array join on PostgreSQL, IN elsewhere): of 1,200
    candidates (three statements' worth) it names exactly those that credentials on the list use."""
    from talentbank.credentials import status_entries

    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    for n in range(3):
        award(client, achievement_id, f"taken{n}@example.jp")
    status_list = db.scalars(sa.select(StatusList)).one()
    used = set(db.scalars(sa.select(Credential.status_index)))
    candidates = sorted(used) + [i for i in range(2000) if i not in used][:1197]
    assert status_entries.taken_among(db, status_list, candidates) == used
    assert status_entries.taken_among(db, status_list, candidates[3:]) == set()
