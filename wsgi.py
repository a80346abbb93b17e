"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`.

Loaded by a WSGI server, a deployment that cannot serve (a database not at the newest revision) stops
here with what to do. Loaded by the `flask` command (inside a click context), it does not: that may be
`flask --app wsgi upgrade-db`, the fix itself; the app still answers 503 until the check passes.
"""

import sys

import click

from talentbank import create_app
from talentbank.startup import NotReady, check_deployment

app = create_app()
if click.get_current_context(silent=True) is None:
    try:
        with app.app_context():
            check_deployment(app)
    except NotReady as problem:
        sys.exit(f"talentbank cannot start: {problem}")
