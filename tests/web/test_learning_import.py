"""学びの場 (#15): a provider imports its catalogue from CSV on the pages — the preview says what each row
would do (create, update, unchanged, or its problems) and saves nothing, the confirmation imports the
good rows, and importing the same file again changes nothing. Bad files are refused with a message;
only members of the organisation may import."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from talentbank.learning import imports
from talentbank.models import AuditEvent, LearningFormat, LearningOpportunity
from tests.factories import count, make_organisation, make_user
from tests.web import test_learning
from tests.web.test_learning import PYTHON, TODAY

kosen = test_learning.kosen  # the verified KOSEN issuer fixture
HEADER = list(imports.CSV_COLUMNS)


def row(**cells) -> dict[str, str]:
    base = {
        "code": "PY-1", "title": "オンラインPython講座", "description": "地域のオープンデータで学ぶ。",
        "format": "self_paced", "study_hours": "20", "skills": f"{PYTHON}:3",
    }  # fmt: skip
    return {**base, **cells}


def csv_text(*rows: dict[str, str], header=HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def upload(client, organisation, text: str | bytes, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        f"/orgs/{organisation.public_id}/learning/import",
        data={"action": "preview", "csv": (io.BytesIO(data), "catalogue.csv")},
        content_type="multipart/form-data",
    )


def confirm(client, organisation, page: str):
    carried = re.search(r'<textarea name="rows"[^>]*>(.*?)</textarea>', page, re.S)
    assert carried, "the preview carries the rows to the confirmation"
    import html

    return client.post(
        f"/orgs/{organisation.public_id}/learning/import", data={"action": "import", "rows": html.unescape(carried[1])}
    )


def actions(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-line="(\d+)" data-action="(\w+)"', page))


def test_the_organisation_page_leads_members_to_the_import_and_its_example(client, db, login, kosen):
    db.commit()
    login(client, kosen.memberships[0].user)
    page = client.get(f"/orgs/{kosen.public_id}").get_data(as_text=True)
    assert f"/orgs/{kosen.public_id}/learning/import" in page
    form = client.get(f"/orgs/{kosen.public_id}/learning/import").get_data(as_text=True)
    assert "example.csv" in form and 'type="file"' in form
    example = client.get(f"/orgs/{kosen.public_id}/learning/import/example.csv")
    assert example.mimetype == "text/csv" and example.data.startswith("\ufeff".encode())
    preview = upload(client, kosen, example.data)  # the example imports as it is
    assert preview.status_code == 200
    assert set(actions(preview.get_data(as_text=True)).values()) == {"create"}


def test_preview_then_import_then_the_same_file_again_changes_nothing(client, db, login, kosen):
    db.commit()
    login(client, kosen.memberships[0].user)
    text = csv_text(
        row(),
        row(code="DR-2", title="ドローン実習", format="onsite", municipality_code="012084",
            starts_on=str(TODAY + timedelta(days=30)), ends_on=str(TODAY + timedelta(days=31)),
            cost_yen="5,000", capacity="20", skills=f"{PYTHON}:2 dssp2-43:1"),
        row(code="BAD-3", title="", study_hours="x"),
        row(code="PY-1", title="同じコード"),
    )  # fmt: skip
    preview = upload(client, kosen, text)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert actions(page) == {"2": "create", "3": "create", "4": "error", "5": "error"}
    assert "数字で書いてください" in page and "2行目と同じコードです" in page
    assert count(db, LearningOpportunity) == 0, "the preview saves nothing"

    done = confirm(client, kosen, page)
    assert done.status_code == 302 and done.headers["Location"].endswith("#learning")
    saved = {o.source_code: o for o in db.scalars(sa.select(LearningOpportunity))}
    assert set(saved) == {"PY-1", "DR-2"}
    drone = saved["DR-2"]
    assert drone.format is LearningFormat.ONSITE and drone.cost_yen == 5000 and drone.capacity == 20
    assert [(s.skill_code, s.level) for s in drone.skills] == [(PYTHON, 2), ("dssp2-43", 1)]
    assert "新規2件" in client.get(done.headers["Location"]).get_data(as_text=True)
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "learning.import")).one()
    assert event.details["create"] == 2 and event.details["error"] == 2

    again = upload(client, kosen, text).get_data(as_text=True)
    assert actions(again) == {"2": "unchanged", "3": "unchanged", "4": "error", "5": "error"}
    assert "取り込む" not in again.split("</table>")[1].split("ファイルを選び直す")[0], "nothing to import"

    changed = upload(client, kosen, csv_text(row(title="オンラインPython講座（改訂版）"))).get_data(as_text=True)
    assert actions(changed) == {"2": "update"}
    assert confirm(client, kosen, changed).status_code == 302
    db.expire_all()
    assert count(db, LearningOpportunity) == 2
    assert db.get(LearningOpportunity, saved["PY-1"].id).title == "オンラインPython講座（改訂版）"


def test_japanese_headers_and_a_shift_jis_file_are_read(client, db, login, kosen):
    db.commit()
    login(client, kosen.memberships[0].user)
    japanese = {v: k for k, v in imports.JAPANESE_HEADERS.items()}
    values = row(code="SJ-1", title="Excelで保存した講座")
    text = csv_text({japanese[k]: v for k, v in values.items()}, header=[japanese[k] for k in values])
    preview = upload(client, kosen, text, encoding="cp932")
    assert preview.status_code == 200 and actions(preview.get_data(as_text=True)) == {"2": "create"}
    assert "Excelで保存した講座" in preview.get_data(as_text=True)


def test_rows_the_service_refuses_carry_its_message(client, db, login, kosen):
    other = make_organisation(db, verified=True)
    db.commit()
    login(client, kosen.memberships[0].user)
    cases = [
        row(code="A", format="onsite"),  # no place
        row(code="B", skills="no-such-skill:2"),
        row(code="C", skills="python"),
        row(code="D", ends_on=str(TODAY - timedelta(days=3)), starts_on=str(TODAY - timedelta(days=9))),
        row(code="E", starts_on="2027/13/40"),
        row(code="F", course_url="javascript:alert(1)"),
        row(code="G", achievement_id=str(other.public_id)),
        row(code="bad code!"),
    ]
    page = upload(client, kosen, csv_text(*cases)).get_data(as_text=True)
    assert set(actions(page).values()) == {"error"}
    for message in ("開催する市町村", "スキルとレベル", "スキルコード:レベル", "すでに終わった講座",
                    "2027-04-01 の形", "https:// で始まる", "この組織のバッジだけ", "英数字と"):  # fmt: skip
        assert message in page, message
    assert "件を取り込む" not in page and count(db, LearningOpportunity) == 0


def test_unusable_files_are_refused_with_a_message(client, db, login, kosen):
    db.commit()
    login(client, kosen.memberships[0].user)
    cases = [
        (csv_text(), "データの行がありません"),
        ("", "データの行がありません"),
        ("code,title,colour\nA,B,red\n", "知らない列があります：colour"),
        ("code,title\nA,B\n", "必要な列がありません：description"),
        (b"code\n\x82\xff", "文字コードを読み取れません"),
        (csv_text(*[row(code=f"C{i}") for i in range(imports.MAX_ROWS + 1)]), "500行まで"),
    ]
    for text, message in cases:
        response = upload(client, kosen, text)
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
    big = upload(client, kosen, b"a" * (1024 * 1024 + 10))
    assert big.status_code == 422 and "1MBまで" in big.get_data(as_text=True)
    none = client.post(f"/orgs/{kosen.public_id}/learning/import", data={"action": "preview"})
    assert none.status_code == 422 and "CSVファイルを選んでください" in none.get_data(as_text=True)
    assert count(db, LearningOpportunity) == 0


def test_only_members_import(client, db, login, kosen):
    outsider = make_user(db)
    db.commit()
    text = csv_text(row())
    assert client.get(f"/orgs/{kosen.public_id}/learning/import").status_code in (302, 401)
    login(client, outsider)
    assert f"/orgs/{kosen.public_id}/learning/import" not in client.get(f"/orgs/{kosen.public_id}").get_data(
        as_text=True
    )
    assert client.get(f"/orgs/{kosen.public_id}/learning/import").status_code == 403
    assert client.get(f"/orgs/{kosen.public_id}/learning/import/example.csv").status_code == 403
    assert upload(client, kosen, text).status_code == 403
    forced = client.post(f"/orgs/{kosen.public_id}/learning/import", data={"action": "import", "rows": text})
    assert forced.status_code == 403 and count(db, LearningOpportunity) == 0


def test_an_update_keeps_the_enrolments_and_closed_stays_closed(client, db, login, kosen):
    from talentbank.learning import enrolments, opportunities
    from tests.factories import make_profile

    db.commit()
    login(client, kosen.memberships[0].user)
    assert confirm(client, kosen, upload(client, kosen, csv_text(row())).get_data(as_text=True)).status_code == 302
    opportunity = db.scalars(sa.select(LearningOpportunity)).one()
    learner = make_user(db)
    make_profile(db, owner=learner)
    enrolments.enrol(db, learner, opportunity, today=TODAY)
    opportunities.close_opportunity(db, kosen.memberships[0].user, opportunity)
    db.commit()
    changed = upload(client, kosen, csv_text(row(study_hours="25"))).get_data(as_text=True)
    assert actions(changed) == {"2": "update"}
    confirm(client, kosen, changed)
    db.expire_all()
    opportunity = db.scalars(sa.select(LearningOpportunity)).one()
    assert opportunity.study_hours == 25 and len(opportunity.enrolments) == 1
    assert opportunity.status.value == "closed"
