"""What the credential pages and the API take from the running app: the issuer context (base URL,
key encryption, fetcher) and the address of an achievement's badge image."""

from __future__ import annotations

from flask import current_app, url_for

from talentbank.credentials.fetch import fetch_json
from talentbank.credentials.issuers import IssuerContext


def issuer_context() -> IssuerContext:
    return IssuerContext(
        base_url=current_app.config["BASE_URL"].rstrip("/"),
        fernet=current_app.extensions["talentbank.fernet"],
        fetch=current_app.extensions.get("talentbank.fetch", fetch_json),
    )


def badge_image(achievement) -> str:
    """URL of an achievement's badge image (uploaded PNG or SVG, or the generated one)."""
    endpoint = (
        "credentials.achievement_svg" if achievement.image_extension == "svg" else "credentials.achievement_image"
    )
    return url_for(endpoint, public_id=achievement.public_id)
