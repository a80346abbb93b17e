from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from talentbank import db
from talentbank.accounts.forms import ConfirmForm
from talentbank.errors import NotFound
from talentbank.opendata import catalogue, files, formats, schemas
from talentbank.opendata.definitions import ATTRIBUTION_EN, ATTRIBUTION_JA, DATASETS, LICENSE, MIN_CELL
from talentbank.security import is_admin
from talentbank.web import current_actor

bp = Blueprint("opendata", __name__, url_prefix="/opendata")

# Files older than this are rebuilt on the next request even if the scheduled job did not run.


def _directory() -> Path:
    return files.cache_directory(current_app.instance_path)


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _max_age() -> timedelta:
    return timedelta(hours=current_app.config["OPENDATA_MAX_AGE_HOURS"])


def _open_data_headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("")
def index():
    generated = files.ensure_all(db.session, _directory(), base_url=_base_url(), max_age=_max_age())
    english = str(get_locale()) == "en"
    datasets = [
        {
            "name": name,
            "title": dataset.title_en if english else dataset.title_ja,
            "description": dataset.description_en if english else dataset.description_ja,
            "rows": generated[name].rows,
            "generated_at": format_datetime(generated[name].generated_at, "medium"),
            "generated_at_iso": generated[name].generated_at.isoformat(timespec="seconds"),
            "urls": catalogue.dataset_urls("", name),
        }
        for name, dataset in DATASETS.items()
    ]
    return render_template(
        "opendata/index.html",
        datasets=datasets,
        license=LICENSE,
        attribution=ATTRIBUTION_EN if english else ATTRIBUTION_JA,
        min_cell=MIN_CELL,
        can_regenerate=is_admin(current_actor()),
        form=ConfirmForm(),
    )


@bp.post("/regenerate")
def regenerate():
    files.regenerate_all(db.session, current_actor(), _directory(), base_url=_base_url())
    flash(_("オープンデータを再生成しました。"), "success")
    return redirect(url_for("opendata.index"))


@bp.get("/catalog.jsonld")
def catalog():
    generated = files.ensure_all(db.session, _directory(), base_url=_base_url(), max_age=_max_age())
    document = catalogue.dcat_catalog(_base_url(), generated, now=max(g.generated_at for g in generated.values()))
    response = jsonify(document)
    response.content_type = "application/ld+json"
    return _open_data_headers(response)


@bp.get("/datapackage.json")
def datapackage():
    generated = files.ensure_all(db.session, _directory(), base_url=_base_url(), max_age=_max_age())
    return _open_data_headers(jsonify(catalogue.data_package(_base_url(), generated)))


@bp.get("/<filename>")
def download(filename: str):
    name, _dot, extension = filename.partition(".")
    if extension == "schema.json":
        return _open_data_headers(jsonify(schemas.table_schema_document(name)))
    if extension not in formats.FORMATS:
        raise NotFound()
    path = files.dataset_file(db.session, _directory(), name, extension, base_url=_base_url(), max_age=_max_age())
    generated = files.read_generated(_directory(), name)
    if extension == "csv":
        response = Response(path.read_bytes(), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="talentbank-{name}.csv"'
    else:
        response = Response(path.read_bytes(), content_type="application/json")
    if generated is not None:
        response.last_modified = generated.generated_at
    return _open_data_headers(response)
