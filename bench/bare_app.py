"""The bare reference for bench/http_pages.py: one Flask route reading one row of the benchmark's database.

Served by gunicorn with the app's settings (`gunicorn bench.bare_app:app`); the database is the one
named by TALENTBANK_DATABASE_URL, through the app's own engine settings (talentbank.db.make_engine).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify

from talentbank.db import make_engine

app = Flask(__name__)
engine = make_engine(os.environ["TALENTBANK_DATABASE_URL"])


@app.get("/")
def one_row():
    with engine.connect() as connection:
        name = connection.execute(sa.text("SELECT display_name FROM users ORDER BY id LIMIT 1")).scalar()
    return jsonify(name=name)
