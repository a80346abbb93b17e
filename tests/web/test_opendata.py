"""Open data: CSV/JSON files that match their descriptions, small-cell suppression, the DCAT catalogue,
regeneration by admins and by the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pyld import jsonld

from talentbank.models import (
    Achievement,
    AchievementSkill,
    Credential,
    LearningFormat,
    LearningOpportunity,
    LearningSkill,
    OpportunityStatus,
    ProfileSkill,
    ProjectStatus,
    ProofFormat,
    SkillSource,
    StatusList,
    Theme,
    Visibility,
)
from talentbank.opendata import catalogue, disclosure, files
from talentbank.opendata.definitions import DATASETS
from tests import factories
from tests.factories import make_organisation, make_profile, make_user

SAPPORO = "011002"  # 石狩振興局
HAKODATE = "012025"  # 渡島総合振興局
SKILL = "dssp2-36"
BOM = b"\xef\xbb\xbf"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"

# The badge counts come from placeholder credential rows written here (`issue_credentials`), not issued by the app.
pytestmark = pytest.mark.planted_credentials


@pytest.fixture(autouse=True)
def cache_dir(app) -> Path:
    """Each test starts without cached files (the app, and its instance folder, live for the whole run)."""
    directory = files.cache_directory(app.instance_path)
    shutil.rmtree(directory, ignore_errors=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def fetch_csv(client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/opendata/{name}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def fetch_json(client, name: str) -> dict:
    response = client.get(f"/opendata/{name}.json")
    assert response.status_code == 200
    return response.get_json()


def make_project(session, organisation, *, municipality_code=SAPPORO, status=ProjectStatus.OPEN, needs=(), **fields):
    fields.setdefault("title", "農業データの見える化")
    return factories.make_project(
        session, organisation, municipality_code=municipality_code, status=status, needs=needs, **fields
    )


def make_people(session, count: int, *, level: int = 2, municipality_code: str = SAPPORO, **fields) -> list:
    return [
        make_profile(session, skills={SKILL: level}, home_municipality_code=municipality_code, **fields)
        for _ in range(count)
    ]


def supply_cell(rows: list[dict], *, level: int = 2, subprefecture: str = "Ishikari") -> dict | None:
    matching = [
        row
        for row in rows
        if row["skill_code"] == SKILL and int(row["level"]) == level and row["subprefecture_en"] == subprefecture
    ]
    assert len(matching) <= 1
    return matching[0] if matching else None


def matches_type(value, field_type: str) -> bool:
    """Whether a JSON value has the Frictionless Table Schema type (null stands for a missing value)."""
    if value is None:
        return True
    if field_type == "string":
        return isinstance(value, str)
    if field_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if field_type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field_type == "boolean":
        return isinstance(value, bool)
    if field_type == "date":
        return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
    if field_type == "datetime":
        return isinstance(value, str) and is_utc_datetime(value)
    raise AssertionError(f"unexpected type {field_type}")


def is_utc_datetime(text: str) -> bool:
    """The Table Schema default datetime format, in UTC: YYYY-MM-DDThh:mm:ssZ."""
    moment = datetime.fromisoformat(text)
    return moment.utcoffset() == timedelta(0) and moment.strftime("%Y-%m-%dT%H:%M:%SZ") == text


def csv_matches_type(text: str, field_type: str) -> bool:
    if text == "":
        return True
    if field_type == "integer":
        return text.lstrip("-").isdigit()
    if field_type == "number":
        return float(text) == float(text)
    if field_type == "boolean":
        return text in {"true", "false"}
    if field_type == "date":
        return date.fromisoformat(text).isoformat() == text
    if field_type == "datetime":
        return is_utc_datetime(text)
    return True


@pytest.fixture
def some_of_everything(db):
    """One row or more in every dataset."""
    organisation = make_organisation(db, verified=True, name="上士幌町役場")
    make_project(db, organisation, needs=[(SKILL, 2, True)])
    make_project(db, organisation, status=ProjectStatus.COMPLETED, theme=Theme.TOURISM)
    make_people(db, 5)
    issue_credentials(db, organisation, count=1)
    make_course(db, organisation)
    return organisation


def make_course(session, organisation, *, municipality_code=SAPPORO, format=LearningFormat.ONSITE, level=3):
    """A course one can enrol in that teaches SKILL."""
    course = LearningOpportunity(
        organisation=organisation, title="データ分析入門", description="説明", format=format,
        municipality_code=None if format.is_online else municipality_code, study_hours=10, capacity=20,
        skills=[LearningSkill(skill_code=SKILL, level=level)],
    )  # fmt: skip
    session.add(course)
    session.flush()
    return course


def issue_credentials(session, organisation, *, count: int, revoked: int = 0, skills=(SKILL,)) -> Achievement:
    achievement = Achievement(
        organisation=organisation,
        name="データ活用 基礎",
        description="説明",
        criteria="基準",
        skills=[AchievementSkill(skill_code=code, level=2) for code in skills],
    )
    status_list = StatusList(organisation=organisation, encoded_list="H4sIAAAAAAAAA")
    session.add_all([achievement, status_list])
    for index in range(count + revoked):
        session.add(
            Credential(
                achievement=achievement,
                recipient_email=f"r{index}@example.jp",
                recipient_name="受領者",
                proof_format=ProofFormat.JWT,
                document={},
                status_list=status_list,
                status_index=index,
                revoked_at=datetime(2026, 1, 1, tzinfo=UTC) if index >= count else None,
            )
        )
    session.flush()
    return achievement


# --- the files and their descriptions ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_csv_has_bom_and_the_described_columns(client, some_of_everything, name):
    response = client.get(f"/opendata/{name}.csv")
    assert response.status_code == 200
    assert response.data.startswith(BOM)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    reader = csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
    header, *rows = list(reader)
    schema = client.get(f"/opendata/{name}.schema.json").get_json()
    assert header == [field["name"] for field in schema["fields"]]
    assert rows, "every dataset has rows with the test data"
    for row in rows:
        assert len(row) == len(header)
        for text, field in zip(row, schema["fields"], strict=True):
            assert csv_matches_type(text, field["type"]), (field, text)


@pytest.mark.parametrize("name", list(DATASETS))
def test_json_validates_against_its_schema(client, some_of_everything, name):
    document = fetch_json(client, name)
    schema = client.get(f"/opendata/{name}.schema.json").get_json()
    assert schema["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert schema["sources"] and all(field["description"] for field in schema["fields"])
    assert document["schema"]["fields"] == schema["fields"]
    assert datetime.fromisoformat(document["generated_at"]).tzinfo is not None
    names = [field["name"] for field in schema["fields"]]
    assert document["data"]
    for row in document["data"]:
        assert list(row) == names
        for field in schema["fields"]:
            assert matches_type(row[field["name"]], field["type"]), (field, row[field["name"]])


def test_datapackage_describes_every_dataset(client, some_of_everything):
    package = client.get("/opendata/datapackage.json").get_json()
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert [resource["name"] for resource in package["resources"]] == list(DATASETS)
    supply = next(r for r in package["resources"] if r["name"] == "supply")
    assert "5人未満" in supply["description"] and "fewer than 5" in supply["description"]
    assert supply["encoding"] == "utf-8" and supply["path"].endswith("/opendata/supply.csv")
    assert any("デジタルスキル標準" in source["title"] for source in package["sources"])
    projects = next(r for r in package["resources"] if r["name"] == "projects")
    types = {field["name"]: field["type"] for field in projects["schema"]["fields"]}
    assert (types["is_internship"], types["is_students_only"], types["opened_at"]) == ("boolean", "boolean", "datetime")
    assert projects["schema"]["fields"] == client.get("/opendata/projects.schema.json").get_json()["fields"]


def test_reference_datasets(client):
    municipalities = fetch_csv(client, "municipalities")
    assert len(municipalities) == 179
    sapporo = next(row for row in municipalities if row["code"] == SAPPORO)
    assert sapporo["name_ja"] == "札幌市" and sapporo["subprefecture_en"] == "Ishikari"
    skills = fetch_json(client, "skills")["data"]
    assert len(skills) == 139
    assert any(row["tool_tags"] for row in skills)


def test_projects_lists_only_open_projects(client, db):
    organisation = make_organisation(db, verified=True, name="函館市役所")
    opened = datetime(2026, 11, 20, 8, 30, 15, 123456, tzinfo=UTC)
    make_project(
        db, organisation, title="公開中", municipality_code=HAKODATE, needs=[(SKILL, 3, True), ("dssp2-10", 1, False)],
        opened_at=opened,
    )  # fmt: skip
    make_project(db, organisation, title="下書き", status=ProjectStatus.DRAFT)
    make_project(db, organisation, title="締切後", status=ProjectStatus.CLOSED)
    rows = fetch_json(client, "projects")["data"]
    assert [row["title"] for row in rows] == ["公開中"]
    row = rows[0]
    assert row["organisation"] == "函館市役所" and row["municipality_code"] == HAKODATE
    assert row["subprefecture_ja"] == "渡島総合振興局" and row["theme_ja"] == "農林水産業"
    assert row["needs"] == f"{SKILL}:3:must;dssp2-10:1:nice"
    assert row["starts_on"] == "2026-12-01" and row["pay_yen"] == 2000
    assert row["url"].startswith("http://localhost/projects/")
    assert row["opened_at"] == "2026-11-20T08:30:15Z" and row["is_students_only"] is False
    [from_csv] = fetch_csv(client, "projects")
    assert (from_csv["opened_at"], from_csv["is_students_only"]) == ("2026-11-20T08:30:15Z", "false")


def test_projects_say_which_internships_admit_only_students(client, db):
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, title="学生限定", is_internship=True, is_students_only=True)
    make_project(db, organisation, title="誰でも", is_internship=True)
    rows = {row["title"]: row for row in fetch_json(client, "projects")["data"]}
    assert (rows["学生限定"]["is_students_only"], rows["誰でも"]["is_students_only"]) == (True, False)
    csv_rows = {row["title"]: row for row in fetch_csv(client, "projects")}
    assert (csv_rows["学生限定"]["is_students_only"], csv_rows["誰でも"]["is_students_only"]) == ("true", "false")
    schema = {field["name"]: field for field in client.get("/opendata/projects.schema.json").get_json()["fields"]}
    assert schema["is_students_only"]["type"] == "boolean" and schema["is_students_only"]["title"] == "学生限定"
    assert schema["opened_at"]["type"] == "datetime" and schema["opened_at"]["title"] == "募集開始日時"


# --- supply: who is counted, and suppression --------------------------------------------------------


def test_supply_cell_under_five_people_is_suppressed(client, db):
    make_people(db, 4)
    cell = supply_cell(fetch_json(client, "supply")["data"])
    assert cell == {
        **cell,
        "people": None,
        "verified_people": None,
        "suppressed": True,
        "verified_suppressed": True,
    }
    csv_cell = supply_cell(fetch_csv(client, "supply"))
    assert csv_cell["people"] == "" and csv_cell["suppressed"] == "true"


def test_supply_cell_of_five_people_is_published(client, db):
    make_people(db, 5)
    cell = supply_cell(fetch_json(client, "supply")["data"])
    assert cell["people"] == 5 and cell["suppressed"] is False
    assert cell["verified_people"] == 0 and cell["verified_suppressed"] is False


def test_private_hidden_disabled_and_homeless_profiles_are_never_counted(client, db):
    make_people(db, 3)
    make_people(db, 2, visibility=Visibility.MEMBERS)  # members-only profiles may be aggregated
    make_people(db, 2, visibility=Visibility.PRIVATE)
    make_people(db, 2, is_hidden=True)
    make_profile(db, owner=make_user(db, is_disabled=True), skills={SKILL: 2}, home_municipality_code=SAPPORO)
    make_profile(db, skills={SKILL: 2}, home_prefecture="東京都")  # outside Hokkaido
    cell = supply_cell(fetch_json(client, "supply")["data"])
    assert cell["people"] == 5


def test_a_person_counts_once_per_skill_at_their_highest_level(client, db):
    people = make_people(db, 5, level=1)
    for person in people:
        db.add(ProfileSkill(profile=person, skill_code=SKILL, level=3, source=SkillSource.BADGE))
    db.flush()
    rows = fetch_json(client, "supply")["data"]
    assert supply_cell(rows, level=1) is None
    assert supply_cell(rows, level=3)["people"] == 5
    assert supply_cell(rows, level=3)["verified_people"] == 5


def test_supply_publishes_no_totals_and_only_grid_cells(client, db):
    make_people(db, 5)
    make_people(db, 3, municipality_code=HAKODATE)
    document = fetch_json(client, "supply")
    assert [field["name"] for field in document["schema"]["fields"]] == DATASETS["supply"].field_names
    assert not any("total" in name for name in DATASETS["supply"].field_names)
    cells = {(row["subprefecture_en"], row["people"]) for row in document["data"]}
    assert cells == {("Ishikari", 5), ("Oshima", None)}


@pytest.mark.parametrize(
    ("people", "verified", "published"),
    [(4, 4, (None, None)), (5, 0, (5, 0)), (5, 5, (5, 5)), (5, 2, (5, None)), (7, 4, (7, None)), (10, 5, (10, 5))],
)
def test_verified_counts_that_would_single_someone_out_are_withheld(people, verified, published):
    cell = disclosure.suppress_cell(people, verified)
    assert (cell["people"], cell["verified_people"]) == published


# --- demand, badges, completed ----------------------------------------------------------------------


def test_demand_counts_open_project_needs_per_subprefecture(client, db):
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, needs=[(SKILL, 2, True)])
    make_project(db, organisation, needs=[(SKILL, 3, False)])
    make_project(db, organisation, needs=[(SKILL, 3, True)], status=ProjectStatus.DRAFT)
    make_project(db, organisation, needs=[(SKILL, 3, True)], municipality_code=HAKODATE)
    rows = {(row["skill_code"], row["subprefecture_en"]): row for row in fetch_json(client, "demand")["data"]}
    assert (rows[(SKILL, "Ishikari")]["projects"], rows[(SKILL, "Ishikari")]["must_projects"]) == (2, 1)
    assert rows[(SKILL, "Oshima")]["projects"] == 1
    assert len(rows) == 2


def test_badges_count_issued_credentials_per_skill_and_issuer_excluding_revoked(client, db):
    issuer = make_organisation(db, verified=True, name="北海道DXアカデミー")
    issue_credentials(db, issuer, count=3, revoked=2, skills=(SKILL, "dssp2-10"))
    rows = {(row["breakdown"], row["key"]): row for row in fetch_json(client, "badges")["data"]}
    assert rows[("skill", SKILL)]["credentials"] == 3
    assert rows[("skill", "dssp2-10")]["credentials"] == 3
    assert rows[("issuer", str(issuer.public_id))] == {
        "breakdown": "issuer",
        "key": str(issuer.public_id),
        "name_ja": "北海道DXアカデミー",
        "name_en": None,
        "credentials": 3,
    }


def test_completed_projects_per_theme(client, db):
    organisation = make_organisation(db, verified=True)
    make_project(db, organisation, status=ProjectStatus.COMPLETED, theme=Theme.TOURISM)
    make_project(db, organisation, status=ProjectStatus.COMPLETED, theme=Theme.TOURISM)
    make_project(db, organisation, status=ProjectStatus.OPEN, theme=Theme.TOURISM)
    rows = {row["theme"]: row for row in fetch_csv(client, "completed")}
    assert len(rows) == len(Theme)
    assert rows["tourism"]["projects"] == "2" and rows["tourism"]["theme_ja"] == "観光"
    assert rows["tourism"]["theme_en"] == "Tourism"
    assert rows["agriculture"]["projects"] == "0"


# --- catalogue --------------------------------------------------------------------------------------


def refuse_network(url, options=None):
    raise AssertionError(f"tried to fetch {url}")


def test_dcat_catalogue_lists_every_dataset_with_csv_and_json(client):
    response = client.get("/opendata/catalog.jsonld")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/ld+json"
    expanded = jsonld.expand(json.loads(response.data), {"documentLoader": refuse_network})
    (catalog,) = expanded
    assert catalog["@type"] == [f"{DCAT}Catalog"]
    assert catalog[f"{DCT}license"] == [{"@id": "https://creativecommons.org/licenses/by/4.0/"}]
    datasets = catalog[f"{DCAT}dataset"]
    assert sorted(d[f"{DCT}identifier"][0]["@value"] for d in datasets) == sorted(DATASETS)
    for dataset in datasets:
        name = dataset[f"{DCT}identifier"][0]["@value"]
        titles = {t["@language"]: t["@value"] for t in dataset[f"{DCT}title"]}
        assert set(titles) == {"ja", "en"}
        modified = dataset[f"{DCT}modified"][0]
        assert modified["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
        assert modified["@value"] == fetch_json(client, name)["generated_at"]
        media = {
            d[f"{DCAT}mediaType"][0]["@id"].removeprefix(catalogue.IANA): d[f"{DCAT}downloadURL"][0]["@id"]
            for d in dataset[f"{DCAT}distribution"]
        }
        assert media == {
            "text/csv": f"http://localhost/opendata/{name}.csv",
            "application/json": f"http://localhost/opendata/{name}.json",
        }


def test_page_lists_datasets_with_counts_generation_time_and_licence(client, some_of_everything):
    response = client.get("/opendata")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name, dataset in DATASETS.items():
        assert dataset.title_ja in page
        assert f'href="/opendata/{name}.csv"' in page and f'href="/opendata/{name}.schema.json"' in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert "5人未満" in page
    assert "<td>179</td>" in page
    generated = files.read_generated(files.cache_directory(client.application.instance_path), "skills")
    assert f'datetime="{generated.generated_at.isoformat(timespec="seconds")}"' in page
    assert "今すぐ再生成" not in page  # only admins see the button


# --- regeneration -----------------------------------------------------------------------------------


def test_admin_regenerates_now(client, db, login, cache_dir):
    client.get("/opendata/supply.json")  # cached with no people
    make_people(db, 5)
    assert supply_cell(fetch_json(client, "supply")["data"]) is None  # still the cached file
    admin = make_user(db, is_admin=True)
    login(client, admin)
    assert "今すぐ再生成" in client.get("/opendata").get_data(as_text=True)
    response = client.post("/opendata/regenerate")
    assert response.status_code == 302 and response.headers["Location"].endswith("/opendata")
    assert supply_cell(fetch_json(client, "supply")["data"])["people"] == 5


def test_only_admins_may_regenerate(client, db, login, cache_dir):
    assert client.post("/opendata/regenerate").status_code == 403
    login(client, make_user(db))
    assert client.post("/opendata/regenerate").status_code == 403
    assert not cache_dir.exists()


def test_regenerate_needs_the_csrf_token(app, client, db, login, cache_dir):
    login(client, make_user(db, is_admin=True))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/opendata/regenerate").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert not cache_dir.exists()


def test_cli_regenerates_every_file(app, db, cache_dir):
    from talentbank.opendata.cli import init_app

    init_app(app)
    make_people(db, 5)
    db.commit()
    result = app.test_cli_runner().invoke(args=["opendata"])
    assert result.exit_code == 0, result.output
    assert "municipalities: 179 rows" in result.output
    for name in DATASETS:
        for suffix in ("csv", "json", "meta.json"):
            assert (cache_dir / f"{name}.{suffix}").is_file()
    supply = json.loads((cache_dir / "supply.json").read_text(encoding="utf-8"))
    assert supply_cell(supply["data"])["people"] == 5


@pytest.mark.parametrize(
    "path",
    [
        "/opendata/nope.csv",
        "/opendata/nope.json",
        "/opendata/nope.schema.json",
        "/opendata/projects.xml",
        "/opendata/projects",
        "/opendata/projects.meta.json",
        "/opendata/..%2Fsecret.csv",
    ],
)
def test_unknown_dataset_or_format_is_404(client, path):
    assert client.get(path).status_code == 404


def test_page_in_english_uses_the_english_metadata(client):
    client.post("/locale", data={"locale": "en"})
    page = client.get("/opendata").get_data(as_text=True)
    assert 'lang="en"' in page
    for dataset in DATASETS.values():
        assert dataset.title_en in page and dataset.title_ja not in page


# --- 学びの場 (#15) -----------------------------------------------------------------------------------


def test_the_learning_dataset_lists_the_courses_one_can_enrol_in(client, db):
    school = make_organisation(db, verified=True, name="旭川工業高専")
    listed = make_course(db, school)
    online = make_course(db, school, format=LearningFormat.SELF_PACED)
    closed = make_course(db, school)
    closed.status = OpportunityStatus.CLOSED
    db.commit()
    rows = {row["id"]: row for row in fetch_csv(client, "learning")}
    assert set(rows) == {str(listed.public_id), str(online.public_id)}
    assert rows[str(listed.public_id)] | {"skills": f"{SKILL}:3", "subprefecture_en": "Ishikari",
                                           "online": "false"} == rows[str(listed.public_id)]  # fmt: skip
    assert rows[str(online.public_id)]["municipality_code"] == "" and rows[str(online.public_id)]["online"] == "true"
    item = next(i for i in fetch_json(client, "learning")["data"] if i["id"] == str(listed.public_id))
    assert item["capacity"] == 20 and item["url"].endswith(f"/learning/{listed.public_id}")


def test_learning_gaps_set_demand_beside_the_learning_near_it(client, db):
    town = make_organisation(db, verified=True, name="上士幌町役場")
    make_project(db, town, needs=[(SKILL, 2, True)])  # Ishikari
    make_project(db, town, municipality_code=HAKODATE, needs=[(SKILL, 2, True)], seats=3)
    make_course(db, town)  # held in Sapporo (Ishikari)
    make_people(db, 5)  # Ishikari, level 2: a published supply cell
    db.commit()
    rows = {row["subprefecture_en"]: row for row in fetch_json(client, "learning_gaps")["data"]}
    assert set(rows) == {"Ishikari", "Oshima"}
    ishikari, oshima = rows["Ishikari"], rows["Oshima"]
    assert (ishikari["courses_nearby"], ishikari["courses_online"], ishikari["no_learning_near"]) == (1, 0, False)
    assert ishikari["learning_seats"] == 20 and ishikari["people"] == 5 and ishikari["suppressed"] is False
    assert (oshima["courses_nearby"], oshima["no_learning_near"], oshima["seats_wanted"]) == (0, True, 3)
    assert oshima["people"] == 0 and oshima["suppressed"] is False

    make_course(db, town, format=LearningFormat.SELF_PACED).capacity = None  # online: near everyone
    db.commit()
    shutil.rmtree(files.cache_directory(client.application.instance_path), ignore_errors=True)
    oshima = next(r for r in fetch_json(client, "learning_gaps")["data"] if r["subprefecture_en"] == "Oshima")
    assert (oshima["courses_online"], oshima["no_learning_near"], oshima["learning_unlimited"]) == (1, False, True)


def test_learning_gaps_withhold_a_total_that_would_reveal_a_suppressed_supply_cell(client, db):
    town = make_organisation(db, verified=True)
    make_project(db, town, needs=[(SKILL, 2, True)])
    make_people(db, 5, level=2)
    make_people(db, 2, level=3)  # a suppressed supply cell: 7 − 5 would reveal it
    db.commit()
    [row] = fetch_json(client, "learning_gaps")["data"]
    assert row["people"] is None and row["suppressed"] is True
    assert supply_cell(fetch_json(client, "supply")["data"], level=3)["suppressed"] is True
