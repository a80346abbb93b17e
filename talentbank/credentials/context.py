"""What the credential pages and the API take from the running app: the issuer context (base URL,
key encryption, fetcher) and the address of an achievement's badge image."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from flask import current_app, url_for

from talentbank.credentials.fetch import fetch_json
from talentbank.credentials.issuers import IssuerContext


def issuer_context() -> IssuerContext:
    return IssuerContext(
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        fernet=current_app.extensions["talentbank.fernet"],
        fetch=current_app.extensions.get("talentbank.fetch", fetch_json),
        former_base_urls=current_app.extensions.get("talentbank.former_base_urls", ()),
    )


def issuer_context_for_host(host: str) -> IssuerContext:
    """The issuer context as seen at `host`: a former address of the site serves the documents of the
    identities made for it (DID documents, status lists), so that earlier badges keep verifying."""
    ctx = issuer_context()
    for base_url in ctx.former_base_urls:
        if urlsplit(base_url).netloc == host:
            return dataclasses.replace(ctx, base_url=base_url, former_base_urls=())
    return ctx


def badge_image(achievement) -> str:
    """URL of an achievement's badge image (uploaded PNG or SVG, or the generated one)."""
    endpoint = (
        "credentials.achievement_svg" if achievement.image_extension == "svg" else "credentials.achievement_image"
    )
    return url_for(endpoint, public_id=achievement.public_id)
