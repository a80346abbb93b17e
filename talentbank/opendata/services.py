"""Open data (オープンデータ): build the datasets, cache them as CSV and JSON files, describe them.

Files live in one directory (`<instance>/opendata/`): per dataset `<name>.csv` (UTF-8 with BOM, so
Excel opens Japanese correctly), `<name>.json` (a Frictionless tabular data resource with inline
data) and `<name>.meta.json` (when it was generated, how many rows), written last as the marker
that the other two are complete. Every file is replaced atomically, so readers in other workers
never see half a file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session, joinedload, selectinload

from badges.model import format_datetime
from talentbank.db import utcnow
from talentbank.errors import NotFound
from talentbank.models import (
    Achievement,
    AchievementSkill,
    Credential,
    Municipality,
    Organisation,
    Profile,
    ProfileSkill,
    Project,
    ProjectNeed,
    ProjectStatus,
    Skill,
    SkillSource,
    Subprefecture,
    Theme,
    User,
    Visibility,
)
from talentbank.opendata.definitions import (
    ATTRIBUTION_EN,
    ATTRIBUTION_JA,
    DATASETS,
    DSS_SOURCE,
    LICENSE,
    MIN_CELL,
    MUNICIPALITY_SOURCE,
    PUBLISHER_EN,
    PUBLISHER_JA,
    Dataset,
)
from talentbank.security import require

FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
SYSTEM = object()  # the actor of scheduled regeneration (the CLI), which needs no user's permission

Row = dict[str, Any]


@dataclass(frozen=True)
class Generated:
    """One dataset's cached files: when they were generated and how many rows they hold."""

    name: str
    generated_at: datetime
    rows: int


def get_dataset(name: str) -> Dataset:
    dataset = DATASETS.get(name)
    if dataset is None:
        raise NotFound()
    return dataset


# --- building rows ---------------------------------------------------------------------------------


def _theme_labels() -> dict[Theme, tuple[str, str]]:
    from talentbank.projects.forms import THEME_LABELS

    labels: dict[Theme, list[str]] = {theme: [] for theme in Theme}
    for locale in ("ja", "en"):
        with force_locale(locale):
            for theme in Theme:
                labels[theme].append(str(THEME_LABELS[theme]))
    return {theme: (ja, en) for theme, (ja, en) in labels.items()}


def _project_rows(session: Session, base_url: str) -> list[Row]:
    projects = session.scalars(
        sa.select(Project)
        .where(Project.status == ProjectStatus.OPEN)
        .options(
            joinedload(Project.organisation),
            joinedload(Project.municipality).joinedload(Municipality.subprefecture),
            selectinload(Project.needs),
        )
        .order_by(Project.starts_on, Project.id)
    ).unique()
    themes = _theme_labels()
    return [
        {
            "id": str(project.public_id),
            "title": project.title,
            "organisation": project.organisation.name,
            "theme": project.theme.value,
            "theme_ja": themes[project.theme][0],
            "theme_en": themes[project.theme][1],
            "municipality_code": project.municipality_code,
            "municipality_ja": project.municipality.name_ja,
            "municipality_en": project.municipality.name_romaji,
            "subprefecture_ja": project.municipality.subprefecture.name_ja,
            "subprefecture_en": project.municipality.subprefecture.name_en,
            "work_mode": project.work_mode.value,
            "onsite_days_per_month": project.onsite_days_per_month,
            "hours_per_week": project.hours_per_week,
            "pay_kind": project.pay_kind.value,
            "pay_yen": project.pay_yen,
            "is_internship": project.is_internship,
            "is_students_only": project.is_students_only,
            "seats": project.seats,
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "deadline": project.deadline,
            "opened_at": project.opened_at,
            "needs": ";".join(
                f"{need.skill_code}:{need.min_level}:{'must' if need.is_must else 'nice'}" for need in project.needs
            ),
            "url": f"{base_url}/projects/{project.public_id}",
        }
        for project in projects
    ]


def _skill_rows(session: Session, base_url: str) -> list[Row]:
    skills = session.scalars(sa.select(Skill).options(selectinload(Skill.tags)).order_by(Skill.position))
    return [
        {
            "code": skill.code,
            "standard": skill.standard,
            "version": skill.version,
            "category_no": skill.category_no,
            "category_ja": skill.category_ja,
            "category_en": skill.category_en,
            "subcategory_ja": skill.subcategory_ja,
            "subcategory_en": skill.subcategory_en,
            "name_ja": skill.name_ja,
            "name_en": skill.name_en,
            "is_selectable": skill.is_selectable,
            "tool_tags": "|".join(sorted(tag.name for tag in skill.tags)),
        }
        for skill in skills
    ]


def _municipality_rows(session: Session, base_url: str) -> list[Row]:
    municipalities = session.scalars(
        sa.select(Municipality).options(joinedload(Municipality.subprefecture)).order_by(Municipality.code)
    )
    return [
        {
            "code": m.code,
            "code5": m.code5,
            "name_ja": m.name_ja,
            "district_ja": m.district_ja,
            "name_kana": m.name_kana,
            "name_romaji": m.name_romaji,
            "type": m.type,
            "subprefecture_ja": m.subprefecture.name_ja,
            "subprefecture_en": m.subprefecture.name_en,
            "office_lat": m.office_lat,
            "office_lng": m.office_lng,
            "website": m.website,
        }
        for m in municipalities
    ]


def _skills_by_code(session: Session) -> dict[str, Skill]:
    return {skill.code: skill for skill in session.scalars(sa.select(Skill).order_by(Skill.position))}


def _subprefectures(session: Session) -> dict[int, Subprefecture]:
    return {s.id: s for s in session.scalars(sa.select(Subprefecture).order_by(Subprefecture.position))}


def _skill_columns(skill: Skill) -> Row:
    return {"skill_code": skill.code, "skill_name_ja": skill.name_ja, "skill_name_en": skill.name_en}


def _subprefecture_columns(subprefecture: Subprefecture) -> Row:
    return {"subprefecture_ja": subprefecture.name_ja, "subprefecture_en": subprefecture.name_en}


def is_counted_for_aggregation() -> sa.ColumnElement[bool]:
    """Which profiles statistics may count: visible to others, not hidden, of an active account."""
    return sa.and_(
        Profile.visibility.in_([Visibility.PUBLIC, Visibility.MEMBERS]),
        Profile.is_hidden.is_(False),
        User.is_disabled.is_(False),
        Profile.home_municipality_code.is_not(None),
    )


def suppress_cell(people: int, verified: int) -> Row:
    """The published values of one supply cell, with small counts withheld.

    `people` under MIN_CELL is withheld. `verified` is withheld too when it, or the people without
    a verified claim (`people - verified`), is 1..MIN_CELL-1, since either would single someone out.
    """
    if people < MIN_CELL:
        return {"people": None, "verified_people": None, "suppressed": True, "verified_suppressed": True}
    unverified = people - verified
    hide_verified = 0 < verified < MIN_CELL or 0 < unverified < MIN_CELL
    return {
        "people": people,
        "verified_people": None if hide_verified else verified,
        "suppressed": False,
        "verified_suppressed": hide_verified,
    }


def _supply_rows(session: Session, base_url: str) -> list[Row]:
    # One row per (profile, skill, source); a person counts once per skill at their highest level.
    statement = (
        sa.select(ProfileSkill.profile_id, ProfileSkill.skill_code, ProfileSkill.level, ProfileSkill.source,
                  Municipality.subprefecture_id)
        .join(Profile, Profile.id == ProfileSkill.profile_id)
        .join(User, User.id == Profile.user_id)
        .join(Municipality, Municipality.code == Profile.home_municipality_code)
        .where(is_counted_for_aggregation(), ProfileSkill.is_current(utcnow()))
    )  # fmt: skip
    people: dict[tuple[int, str], dict[str, Any]] = {}
    for profile_id, skill_code, level, source, subprefecture_id in session.execute(statement):
        person = people.setdefault(
            (profile_id, skill_code), {"level": 0, "verified": False, "subprefecture_id": subprefecture_id}
        )
        person["level"] = max(person["level"], level)
        person["verified"] = person["verified"] or source is not SkillSource.SELF
    cells: Counter[tuple[str, int, int]] = Counter()
    verified: Counter[tuple[str, int, int]] = Counter()
    for (_profile_id, skill_code), person in people.items():
        key = (skill_code, person["level"], person["subprefecture_id"])
        cells[key] += 1
        verified[key] += person["verified"]
    skills = _skills_by_code(session)
    subprefectures = _subprefectures(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    rows = []
    for skill_code, level, subprefecture_id in sorted(
        cells, key=lambda k: (skill_order[k[0]], k[1], subprefectures[k[2]].position)
    ):
        key = (skill_code, level, subprefecture_id)
        rows.append(
            {
                **_skill_columns(skills[skill_code]),
                "level": level,
                **_subprefecture_columns(subprefectures[subprefecture_id]),
                **suppress_cell(cells[key], verified[key]),
            }
        )
    return rows


def _demand_rows(session: Session, base_url: str) -> list[Row]:
    statement = (
        sa.select(
            ProjectNeed.skill_code,
            Municipality.subprefecture_id,
            sa.func.count(sa.distinct(ProjectNeed.project_id)),
            sa.func.count(sa.distinct(sa.case((ProjectNeed.is_must.is_(True), ProjectNeed.project_id)))),
        )
        .join(Project, Project.id == ProjectNeed.project_id)
        .join(Municipality, Municipality.code == Project.municipality_code)
        .where(Project.status == ProjectStatus.OPEN)
        .group_by(ProjectNeed.skill_code, Municipality.subprefecture_id)
    )
    counts = {(code, sub): (total, must) for code, sub, total, must in session.execute(statement)}
    skills = _skills_by_code(session)
    subprefectures = _subprefectures(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    return [
        {
            **_skill_columns(skills[code]),
            **_subprefecture_columns(subprefectures[sub]),
            "projects": counts[(code, sub)][0],
            "must_projects": counts[(code, sub)][1],
        }
        for code, sub in sorted(counts, key=lambda k: (skill_order[k[0]], subprefectures[k[1]].position))
    ]


def _badge_rows(session: Session, base_url: str) -> list[Row]:
    not_revoked = Credential.revoked_at.is_(None)
    per_skill = session.execute(
        sa.select(AchievementSkill.skill_code, sa.func.count(Credential.id))
        .join(Credential, Credential.achievement_id == AchievementSkill.achievement_id)
        .where(not_revoked)
        .group_by(AchievementSkill.skill_code)
    ).all()
    per_issuer_id = dict(
        session.execute(
            sa.select(Achievement.organisation_id, sa.func.count(Credential.id))
            .join(Credential, Credential.achievement_id == Achievement.id)
            .where(not_revoked)
            .group_by(Achievement.organisation_id)
        ).all()
    )
    issuers = session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(per_issuer_id)).order_by(Organisation.name, Organisation.id)
    )
    per_issuer = [(organisation, per_issuer_id[organisation.id]) for organisation in issuers]
    skills = _skills_by_code(session)
    skill_order = {code: index for index, code in enumerate(skills)}
    rows = [
        {
            "breakdown": "skill",
            "key": code,
            "name_ja": skills[code].name_ja,
            "name_en": skills[code].name_en,
            "credentials": count,
        }
        for code, count in sorted(per_skill, key=lambda item: skill_order[item[0]])
    ]
    rows += [
        {
            "breakdown": "issuer",
            "key": str(organisation.public_id),
            "name_ja": organisation.name,
            "name_en": organisation.name_en,
            "credentials": count,
        }
        for organisation, count in per_issuer
    ]
    return rows


def _completed_rows(session: Session, base_url: str) -> list[Row]:
    counts = dict(
        session.execute(
            sa.select(Project.theme, sa.func.count(Project.id))
            .where(Project.status == ProjectStatus.COMPLETED)
            .group_by(Project.theme)
        ).all()
    )
    themes = _theme_labels()
    return [
        {
            "theme": theme.value,
            "theme_ja": themes[theme][0],
            "theme_en": themes[theme][1],
            "projects": counts.get(theme, 0),
        }
        for theme in Theme
    ]


BUILDERS: dict[str, Callable[[Session, str], list[Row]]] = {
    "projects": _project_rows,
    "skills": _skill_rows,
    "municipalities": _municipality_rows,
    "supply": _supply_rows,
    "demand": _demand_rows,
    "badges": _badge_rows,
    "completed": _completed_rows,
}


def build_rows(session: Session, name: str, *, base_url: str) -> list[Row]:
    """The rows of one dataset, straight from the database, with each field as its schema says."""
    dataset = get_dataset(name)
    rows = BUILDERS[name](session, base_url.rstrip("/"))
    return [{field: row[field] for field in dataset.field_names} for row in rows]


# --- descriptions ----------------------------------------------------------------------------------


def table_schema(name: str) -> dict[str, Any]:
    """The Frictionless Table Schema of one dataset: fields with types, titles and descriptions."""
    dataset = get_dataset(name)
    return {
        "fields": [
            {"name": f.name, "type": f.type, "title": f.title, "description": f.description} for f in dataset.fields
        ],
        "missingValues": [""],
    }


def table_schema_document(name: str) -> dict[str, Any]:
    """The Table Schema of one dataset with its title, licence, sources and attribution alongside."""
    dataset = get_dataset(name)
    return {
        **_resource(dataset),
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        **table_schema(name),
    }


def dataset_urls(base_url: str, name: str) -> dict[str, str]:
    root = f"{base_url.rstrip('/')}/opendata"
    return {
        "csv": f"{root}/{name}.csv",
        "json": f"{root}/{name}.json",
        "schema": f"{root}/{name}.schema.json",
        "page": f"{root}#{name}",
    }


def _resource(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "title": f"{dataset.title_ja} / {dataset.title_en}",
        "description": f"{dataset.description_ja}\n\n{dataset.description_en}",
        "licenses": [LICENSE],
        "sources": list(dataset.sources),
    }


def data_package(base_url: str, generated: dict[str, Generated]) -> dict[str, Any]:
    """A Frictionless Data Package describing every dataset's CSV file."""
    return {
        "profile": "tabular-data-package",
        "name": "hokkaido-digital-talent-bank",
        "title": f"{PUBLISHER_JA} オープンデータ / {PUBLISHER_EN} open data",
        "homepage": f"{base_url.rstrip('/')}/opendata",
        "licenses": [LICENSE],
        "sources": [DSS_SOURCE, MUNICIPALITY_SOURCE],
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        "resources": [
            {
                **_resource(dataset),
                "profile": "tabular-data-resource",
                "path": dataset_urls(base_url, name)["csv"],
                "format": "csv",
                "mediatype": "text/csv",
                # The IANA name the Data Package spec asks for; the file starts with a byte order mark
                # (for Excel), which UTF-8 readers such as Frictionless skip.
                "encoding": "utf-8",
                "generated_at": _iso(generated[name].generated_at) if name in generated else None,
                "schema": table_schema(name),
            }
            for name, dataset in DATASETS.items()
        ],
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _both(ja: str, en: str) -> list[dict[str, str]]:
    return [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}]


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
IANA = "https://www.iana.org/assignments/media-types/"


def dcat_catalog(base_url: str, generated: dict[str, Generated], *, now: datetime) -> dict[str, Any]:
    """A DCAT catalogue (JSON-LD, context inline) that CKAN's DCAT harvester can read.

    `dct:modified` of each dataset and distribution is when its files were generated.
    """
    root = base_url.rstrip("/")
    license_ref = {"@id": LICENSE["path"]}
    publisher = {"@id": f"{root}/", "@type": "foaf:Organization", "foaf:name": _both(PUBLISHER_JA, PUBLISHER_EN)}
    modified_times = [item.generated_at for item in generated.values()]
    datasets = []
    for name, dataset in DATASETS.items():
        urls = dataset_urls(base_url, name)
        modified = {"@value": _iso(generated[name].generated_at if name in generated else now), "@type": "xsd:dateTime"}
        distributions = [
            {
                "@id": f"{urls[fmt]}#distribution",
                "@type": "dcat:Distribution",
                "dct:title": f"{name}.{fmt}",
                "dct:format": fmt.upper(),
                "dcat:mediaType": {"@id": IANA + MEDIA_TYPES[fmt]},
                "dcat:downloadURL": {"@id": urls[fmt]},
                "dcat:accessURL": {"@id": urls[fmt]},
                "dct:license": license_ref,
                "dct:conformsTo": {"@id": urls["schema"]},
                "dct:modified": modified,
            }
            for fmt in FORMATS
        ]
        datasets.append(
            {
                "@id": urls["page"],
                "@type": "dcat:Dataset",
                "dct:identifier": name,
                "dct:title": _both(dataset.title_ja, dataset.title_en),
                "dct:description": _both(dataset.description_ja, dataset.description_en),
                "dcat:keyword": list(dataset.keywords),
                "dct:license": license_ref,
                "dct:rights": _both(ATTRIBUTION_JA, ATTRIBUTION_EN),
                "dct:publisher": publisher,
                "dct:modified": modified,
                "dct:spatial": {"@id": "http://sws.geonames.org/2130037/"},  # Hokkaido
                "dcat:landingPage": {"@id": f"{root}/opendata"},
                "dct:conformsTo": {"@id": urls["schema"]},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": DCAT_CONTEXT,
        "@id": f"{root}/opendata/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _both(f"{PUBLISHER_JA} オープンデータ", f"{PUBLISHER_EN} open data"),
        "dct:description": _both(
            "デジタル人材・プロジェクト・スキルに関する北海道のオープンデータ（CC BY 4.0）。",
            "Open data on digital talent, projects and skills in Hokkaido (CC BY 4.0).",
        ),
        "dct:publisher": publisher,
        "dct:license": license_ref,
        "dct:language": [{"@id": "http://id.loc.gov/vocabulary/iso639-1/ja"}],
        "foaf:homepage": {"@id": f"{root}/opendata"},
        "dct:modified": {"@value": _iso(max(modified_times, default=now)), "@type": "xsd:dateTime"},
        "dcat:dataset": datasets,
    }


# --- files -----------------------------------------------------------------------------------------


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # before date: a datetime is a date
        return format_datetime(value)  # Table Schema's default datetime format is XSD's, in UTC
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    return value.isoformat() if isinstance(value, date) else value


def render_csv(dataset: Dataset, rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.field_names)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in dataset.field_names])
    return buffer.getvalue().encode("utf-8-sig")


def render_json(dataset: Dataset, rows: list[Row], *, base_url: str, generated_at: datetime) -> bytes:
    document = {
        **_resource(dataset),
        "profile": "tabular-data-resource",
        "generated_at": _iso(generated_at),
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        "schema": table_schema(dataset.name),
        "data": [{name: _json_value(row[name]) for name in dataset.field_names} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def generate_dataset(session: Session, directory: Path, name: str, *, base_url: str, now: datetime) -> Generated:
    """Build one dataset and write its CSV, JSON and meta files into `directory`."""
    dataset = get_dataset(name)
    rows = build_rows(session, name, base_url=base_url)
    _write_atomically(directory / f"{name}.csv", render_csv(dataset, rows))
    _write_atomically(directory / f"{name}.json", render_json(dataset, rows, base_url=base_url, generated_at=now))
    meta = {"name": name, "generated_at": _iso(now), "rows": len(rows)}
    _write_atomically(directory / f"{name}.meta.json", json.dumps(meta).encode("utf-8"))
    return Generated(name, now, len(rows))


def regenerate_all(
    session: Session, actor: Any, directory: Path, *, base_url: str, now: datetime | None = None
) -> list[Generated]:
    """Regenerate every dataset's files now. Site admins only, or the scheduled job (`SYSTEM`)."""
    if actor is not SYSTEM:
        require(actor, "admin")
    now = now or utcnow()
    return [generate_dataset(session, directory, name, base_url=base_url, now=now) for name in DATASETS]


def read_generated(directory: Path, name: str) -> Generated | None:
    try:
        meta = json.loads((directory / f"{name}.meta.json").read_text(encoding="utf-8"))
        return Generated(name, datetime.fromisoformat(meta["generated_at"]), int(meta["rows"]))
    except (OSError, ValueError, KeyError):
        return None


def ensure_generated(
    session: Session,
    directory: Path,
    name: str,
    *,
    base_url: str,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> Generated:
    """The cached files of one dataset, generated first when missing or older than `max_age`."""
    get_dataset(name)
    now = now or utcnow()
    current = read_generated(directory, name)
    if current is not None and (max_age is None or now - current.generated_at <= max_age):
        return current
    return generate_dataset(session, directory, name, base_url=base_url, now=now)


def ensure_all(
    session: Session,
    directory: Path,
    *,
    base_url: str,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> dict[str, Generated]:
    return {
        name: ensure_generated(session, directory, name, base_url=base_url, max_age=max_age, now=now)
        for name in DATASETS
    }


def dataset_file(
    session: Session,
    directory: Path,
    name: str,
    fmt: str,
    *,
    base_url: str,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> Path:
    """The path of a dataset's cached CSV or JSON file (generated on demand); NotFound for anything else."""
    if fmt not in FORMATS:
        raise NotFound()
    ensure_generated(session, directory, name, base_url=base_url, max_age=max_age, now=now)
    return directory / f"{name}.{fmt}"


def cache_directory(instance_path: str | Path) -> Path:
    """Where the generated files are cached: `<instance>/opendata/`."""
    return Path(instance_path) / "opendata"
