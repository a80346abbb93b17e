"""北海道デジタル人材バンク (Hokkaido Digital Talent Bank): the Flask application."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints. Nothing else (no migrations, no seeding)."""
    from talentbank import db, errors, startup, web
    from talentbank.config import TEMPLATES, default_instance_path, load_config

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        instance_path=os.environ.get("TALENTBANK_INSTANCE_PATH") or str(default_instance_path()),
        instance_relative_config=True,
    )
    load_config(app, config)
    db.init_app(app)
    startup.init_app(app)  # first: the other request hooks read the database it checks
    web.init_app(app)
    errors.register_error_handlers(app)

    from talentbank.accounts.views import bp as accounts_bp
    from talentbank.admin.views import bp as admin_bp
    from talentbank.api import bp as api_bp
    from talentbank.api.docs import bp as api_docs_bp
    from talentbank.credentials.views import bp as credentials_bp
    from talentbank.dashboard.views import bp as dashboard_bp
    from talentbank.learning.import_views import bp as learning_import_bp
    from talentbank.learning.views import bp as learning_bp
    from talentbank.main.views import bp as main_bp
    from talentbank.opendata.views import bp as opendata_bp
    from talentbank.organisations.views import bp as organisations_bp
    from talentbank.organisations.views import invitations_bp
    from talentbank.profiles.views import bp as profiles_bp
    from talentbank.projects.views import bp as projects_bp
    from talentbank.reference.views import bp as reference_bp
    from talentbank.wallet.presentation_views import protocol_bp as oid4vp_bp
    from talentbank.wallet.views import bp as wallet_bp
    from talentbank.wallet.views import protocol_bp as oid4vci_bp

    blueprints = (
        main_bp,
        accounts_bp,
        organisations_bp,
        invitations_bp,
        profiles_bp,
        projects_bp,
        learning_bp,
        learning_import_bp,
        credentials_bp,
        api_bp,
        api_docs_bp,
        reference_bp,
        opendata_bp,
        dashboard_bp,
        admin_bp,
        wallet_bp,
        oid4vci_bp,
        oid4vp_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    from talentbank import cli

    cli.init_app(app)
    return app
