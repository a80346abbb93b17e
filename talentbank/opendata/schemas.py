"""One dataset described the Frictionless way: its Table Schema (fields with types, titles and
descriptions) and the resource fields (name, title, licence, sources) every description of it repeats."""

from __future__ import annotations

from typing import Any

from talentbank.opendata.definitions import ATTRIBUTION_EN, ATTRIBUTION_JA, LICENSE, Dataset, get_dataset


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
        **resource_fields(dataset),
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        **table_schema(name),
    }


def resource_fields(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "title": f"{dataset.title_ja} / {dataset.title_en}",
        "description": f"{dataset.description_ja}\n\n{dataset.description_en}",
        "licenses": [LICENSE],
        "sources": list(dataset.sources),
    }
