"""The catalogue of every dataset: the Frictionless Data Package and the DCAT catalogue (JSON-LD) that
open data portals such as CKAN harvest, and each dataset's URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from talentbank.opendata.definitions import (
    ATTRIBUTION_EN,
    ATTRIBUTION_JA,
    DATASETS,
    DSS_SOURCE,
    LICENSE,
    MUNICIPALITY_SOURCE,
    PUBLISHER_EN,
    PUBLISHER_JA,
)
from talentbank.opendata.files import Generated
from talentbank.opendata.formats import FORMATS, FORMULA_NOTE_EN, FORMULA_NOTE_JA, MEDIA_TYPES, iso_seconds
from talentbank.opendata.schemas import resource_fields, table_schema


def dataset_urls(base_url: str, name: str) -> dict[str, str]:
    root = f"{base_url.rstrip('/')}/opendata"
    return {
        "csv": f"{root}/{name}.csv",
        "json": f"{root}/{name}.json",
        "schema": f"{root}/{name}.schema.json",
        "page": f"{root}#{name}",
    }


def data_package(base_url: str, generated: dict[str, Generated]) -> dict[str, Any]:
    """A Frictionless Data Package describing every dataset's CSV file."""
    return {
        "profile": "tabular-data-package",
        "name": "hokkaido-digital-talent-bank",
        "title": f"{PUBLISHER_JA} オープンデータ / {PUBLISHER_EN} open data",
        "description": f"{FORMULA_NOTE_JA}\n\n{FORMULA_NOTE_EN}",
        "homepage": f"{base_url.rstrip('/')}/opendata",
        "licenses": [LICENSE],
        "sources": [DSS_SOURCE, MUNICIPALITY_SOURCE],
        "attribution": {"ja": ATTRIBUTION_JA, "en": ATTRIBUTION_EN},
        "resources": [
            {
                **resource_fields(dataset),
                "description": f"{resource_fields(dataset)['description']}\n\n{FORMULA_NOTE_JA}\n{FORMULA_NOTE_EN}",
                "profile": "tabular-data-resource",
                "path": dataset_urls(base_url, name)["csv"],
                "format": "csv",
                "mediatype": "text/csv",
                # The IANA name the Data Package spec asks for; the file starts with a byte order mark
                # (for Excel), which UTF-8 readers such as Frictionless skip.
                "encoding": "utf-8",
                "generated_at": iso_seconds(generated[name].generated_at) if name in generated else None,
                "schema": table_schema(name),
            }
            for name, dataset in DATASETS.items()
        ],
    }


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
        modified = {
            "@value": iso_seconds(generated[name].generated_at if name in generated else now),
            "@type": "xsd:dateTime",
        }
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
        "dct:modified": {"@value": iso_seconds(max(modified_times, default=now)), "@type": "xsd:dateTime"},
        "dcat:dataset": datasets,
    }
