"""Open data (オープンデータ): build the datasets, cache them as CSV and JSON files, describe them.

Files live in one directory (`<instance>/opendata/`): per dataset `<name>.csv` (UTF-8 with BOM, so
Excel opens Japanese correctly), `<name>.json` (a Frictionless tabular data resource with inline
data) and `<name>.meta.json` (when it was generated, how many rows), written last as the marker
that the other two are complete. Every file is replaced atomically, so readers in other workers
never see half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from talentbank.db import utcnow
from talentbank.errors import NotFound
from talentbank.opendata.definitions import DATASETS, get_dataset
from talentbank.opendata.formats import FORMATS, iso_seconds, render_csv, render_json
from talentbank.opendata.rows import build_rows
from talentbank.security import require

SYSTEM = object()  # the actor of scheduled regeneration (the CLI), which needs no user's permission


@dataclass(frozen=True)
class Generated:
    """One dataset's cached files: when they were generated and how many rows they hold."""

    name: str
    generated_at: datetime
    rows: int


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
    meta = {"name": name, "generated_at": iso_seconds(now), "rows": len(rows)}
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
