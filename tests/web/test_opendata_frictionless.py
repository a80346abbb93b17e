"""The open data files validate against their own descriptions with the Frictionless Framework, the
reference implementation of Data Package and Table Schema: every CSV (UTF-8 with BOM) and every JSON
file as served by /opendata, with the demo data plus Japanese text that needs CSV quoting and
suppressed supply cells. Nothing is fetched from the network: resources point at local copies."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from frictionless import Package, Resource, Schema, system
from pyld import jsonld

from talentbank.demo import load_demo_data
from talentbank.models import ProjectStatus, Theme
from talentbank.opendata.definitions import DATASETS
from talentbank.opendata.formats import spreadsheet_safe
from tests.factories import make_organisation
from tests.web.test_opendata import (  # noqa: F401  (cache_dir is an autouse fixture)
    DCAT,
    DCT,
    HAKODATE,
    SKILL,
    cache_dir,
    issue_credentials,
    make_course,
    make_people,
    make_project,
    refuse_network,
)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
# Its badge counts come from test_opendata's placeholder credential rows, not issued by the app.
pytestmark = pytest.mark.planted_credentials

AWKWARD_TITLE = '除雪の問い合わせ、Webで "受付" したい\n（2行目）'
# Titles a spreadsheet would run as formulas: the CSV files write them with a leading apostrophe.
FORMULA_TITLES = ['=HYPERLINK("https://evil.example","開く")', "+1+2", "-3 と 4", "@SUM(A1)", "\t字下げ", "\r改行"]


@pytest.fixture
def demo_like(db):
    """The demo data, a project whose title needs quoting, published and suppressed supply cells,
    badges, a completed project and a course."""
    load_demo_data(db, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    town = make_organisation(db, verified=True, name="函館市 情報政策課, 「DX」担当")
    make_project(db, town, title=AWKWARD_TITLE, municipality_code=HAKODATE, needs=[(SKILL, 3, False)],
                 onsite_days_per_month=None, deadline=None, ends_on=None)  # fmt: skip
    make_project(db, town, status=ProjectStatus.COMPLETED, theme=Theme.DISASTER)
    for title in FORMULA_TITLES:
        make_project(db, town, title=title, municipality_code=HAKODATE, needs=[(SKILL, 2, False)])
    make_people(db, 6, level=3)  # a published cell (Ishikari, level 3)
    make_people(db, 2, level=4, municipality_code=HAKODATE)  # a suppressed cell
    issue_credentials(db, town, count=3, revoked=1)
    make_course(db, town, municipality_code=HAKODATE)
    db.commit()
    return town


class NoNetwork:
    """An HTTP session for Frictionless that fails the test on any request."""

    def __getattr__(self, method: str):
        def refuse(url, *args, **kwargs):
            raise AssertionError(f"frictionless tried to {method} {url}")

        return refuse


@pytest.fixture
def offline(monkeypatch):
    """Frictionless may not reach out: a remote path, schema or profile fails the test."""
    monkeypatch.setattr("urllib.request.urlopen", NoNetwork().get)
    with system.use_context(http_session=NoNetwork()):
        yield


def download(client, directory: Path, filename: str) -> Path:
    response = client.get(f"/opendata/{filename}")
    assert response.status_code == 200, filename
    path = directory / filename
    path.write_bytes(response.data)
    return path


def report_errors(report) -> list:
    return [(error.type, getattr(error, "note", ""), getattr(error, "row_number", None)) for error in report.flatten()]


def assert_valid(report) -> None:
    assert report.valid, report_errors(report)


def table_schema(client, name: str) -> Schema:
    """The served schema document (fields plus title, licence, sources) read as a Table Schema."""
    return Schema.from_descriptor(client.get(f"/opendata/{name}.schema.json").get_json())


def csv_resource(client, directory: Path, name: str) -> Resource:
    path = download(client, directory, f"{name}.csv")
    return Resource(path=path.name, basepath=str(directory), schema=table_schema(client, name), format="csv")


@pytest.mark.parametrize("name", list(DATASETS))
def test_csv_validates_against_its_table_schema(client, demo_like, tmp_path, offline, name):
    resource = csv_resource(client, tmp_path, name)
    report = resource.validate()
    assert_valid(report)
    assert report.tasks[0].stats["rows"] >= 1
    assert resource.encoding == "utf-8-sig"  # the BOM was found, so the first header is "id", not "\ufeffid"


def test_schema_documents_are_valid_table_schemas(client, demo_like):
    for name in DATASETS:
        document = client.get(f"/opendata/{name}.schema.json").get_json()
        assert_valid(Schema.validate_descriptor(document))
        schema = Schema.from_descriptor(document)
        assert schema.field_names == DATASETS[name].field_names
        assert all(field.title and field.description for field in schema.fields)


@pytest.mark.parametrize("name", list(DATASETS))
def test_json_file_is_a_valid_tabular_data_resource(client, demo_like, tmp_path, offline, name):
    path = download(client, tmp_path, f"{name}.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert_valid(Resource.validate_descriptor(document))
    resource = Resource.from_descriptor(document, basepath=str(tmp_path))
    report = resource.validate()
    assert_valid(report)
    assert report.tasks[0].stats["rows"] == len(document["data"]) >= 1
    assert [field.name for field in resource.schema.fields] == DATASETS[name].field_names


def test_datapackage_validates_with_every_csv(client, demo_like, tmp_path, offline):
    descriptor = client.get("/opendata/datapackage.json").get_json()
    for resource in descriptor["resources"]:
        assert resource["path"] == f"http://localhost/opendata/{resource['name']}.csv"
        assert resource["encoding"] == "utf-8"  # the IANA name; the BOM is skipped by UTF-8 readers
        resource["path"] = download(client, tmp_path, f"{resource['name']}.csv").name  # the local copy
    assert_valid(Package.validate_descriptor(descriptor))
    package = Package.from_descriptor(descriptor, basepath=str(tmp_path))
    report = package.validate()
    assert_valid(report)
    assert [task.name for task in report.tasks] == list(DATASETS)


def test_japanese_text_quoting_and_suppression_survive_the_round_trip(client, demo_like, tmp_path, offline):
    """What a spreadsheet sees: the same rows as the JSON, Japanese intact, empty cells for nulls, and
    text that would start a formula behind an apostrophe."""
    for name in ("projects", "supply", "badges"):
        csv_rows = csv_resource(client, tmp_path, name).read_rows()
        json_rows = Resource.from_descriptor(client.get(f"/opendata/{name}.json").get_json()).read_rows()
        for from_csv, from_json in zip(csv_rows, json_rows, strict=True):
            expected = {key: spreadsheet_safe(value) if isinstance(value, str) else value
                        for key, value in from_json.to_dict().items()}  # fmt: skip
            assert from_csv.to_dict() == expected, name
    projects = client.get("/opendata/projects.csv").data.decode("utf-8-sig")
    awkward = next(row for row in csv.DictReader(io.StringIO(projects)) if row["title"] == AWKWARD_TITLE)
    assert awkward["organisation"] == "函館市 情報政策課, 「DX」担当" and awkward["deadline"] == ""
    supply = Resource.from_descriptor(client.get("/opendata/supply.json").get_json()).read_rows()
    suppressed = [row for row in supply if row["suppressed"]]
    assert suppressed and all(row["people"] is None and row["verified_people"] is None for row in suppressed)
    published = next(r for r in supply if r["skill_code"] == SKILL and r["level"] == 3 and not r["suppressed"])
    assert published["people"] >= 6  # six made here, and any demo person with the same cell


def test_catalogue_expands_offline_with_licence_and_modified_on_every_distribution(client, demo_like):
    expanded = jsonld.expand(
        json.loads(client.get("/opendata/catalog.jsonld").data), {"documentLoader": refuse_network}
    )
    (catalog,) = expanded
    datasets = catalog[f"{DCAT}dataset"]
    seen = set()
    for dataset in datasets:
        name = dataset[f"{DCT}identifier"][0]["@value"]
        generated_at = client.get(f"/opendata/{name}.json").get_json()["generated_at"]
        assert dataset[f"{DCT}license"] == [{"@id": LICENSE}]
        for distribution in dataset[f"{DCAT}distribution"]:
            assert distribution[f"{DCT}license"] == [{"@id": LICENSE}]
            assert distribution[f"{DCT}modified"] == [{"@value": generated_at, "@type": XSD_DATETIME}]
            seen.add(distribution[f"{DCAT}downloadURL"][0]["@id"])
    assert seen == {f"http://localhost/opendata/{name}.{fmt}" for name in DATASETS for fmt in ("csv", "json")}


def test_projects_opened_at_and_students_only_read_as_typed_values(client, demo_like, tmp_path, offline):
    """Frictionless reads opened_at as an aware UTC datetime and is_students_only as a boolean, the same from
    the CSV as from the JSON (the demo's internships are students-only)."""
    rows = csv_resource(client, tmp_path, "projects").read_rows()
    assert rows and all(row["opened_at"].utcoffset() == timedelta(0) for row in rows)
    assert {row["is_students_only"] for row in rows} == {True, False}
    from_json = Resource.from_descriptor(client.get("/opendata/projects.json").get_json()).read_rows()
    assert [(r["opened_at"], r["is_students_only"]) for r in rows] == [
        (r["opened_at"], r["is_students_only"]) for r in from_json
    ]


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe_and_json_keeps_the_text(client, demo_like):
    as_csv = client.get("/opendata/projects.csv").data.decode("utf-8-sig")
    titles = {row["title"] for row in csv.DictReader(io.StringIO(as_csv))}
    assert {"'" + title for title in FORMULA_TITLES} <= titles
    assert not titles & set(FORMULA_TITLES)
    assert AWKWARD_TITLE.replace("\n", "\r\n") in titles or AWKWARD_TITLE in titles  # quoted, not escaped
    as_json = client.get("/opendata/projects.json").get_json()["data"]
    assert set(FORMULA_TITLES) <= {row["title"] for row in as_json}
    package = client.get("/opendata/datapackage.json").get_json()
    assert "apostrophe" in package["description"] and "アポストロフィ" in package["description"]
    assert all("apostrophe" in resource["description"] for resource in package["resources"])


def test_only_text_cells_are_escaped_so_negative_numbers_stay_numbers():
    from talentbank.opendata.definitions import Dataset, Field
    from talentbank.opendata.formats import render_csv

    dataset = Dataset(
        "sample", "例", "sample", "例", "sample",
        (Field("label", "string", "名前", "text"), Field("change", "integer", "増減", "a number"),
         Field("ratio", "number", "比", "a number")),
        (), (),
    )  # fmt: skip
    written = render_csv(
        dataset, [{"label": "-2", "change": -2, "ratio": -0.5}, {"label": "a-b", "change": 3, "ratio": 1.0}]
    )
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"))))
    assert rows[1:] == [["'-2", "-2", "-0.5"], ["a-b", "3", "1.0"]]
