"""The projects blueprint (endpoints `projects.*`) and what its route modules share: the labels the
templates show, the site's base URL and today's date."""

from __future__ import annotations

from flask import Blueprint, current_app

from talentbank import db
from talentbank.projects.labels import APPLICATION_LABELS, PAY_LABELS, STATUS_LABELS, THEME_LABELS, WORK_MODE_LABELS

bp = Blueprint("projects", __name__)

LABELS = {
    "themes": THEME_LABELS,
    "work_modes": WORK_MODE_LABELS,
    "pay": PAY_LABELS,
    "status": STATUS_LABELS,
    "applications": APPLICATION_LABELS,
}


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def today():
    return db.utcnow().date()
