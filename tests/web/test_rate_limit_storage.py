"""Rate limits hold across workers without Redis: they count in the database, so two app instances
(two gunicorn workers, or two machines on one PostgreSQL) share them; /admin says where they count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from talentbank.extensions import limiter
from talentbank.rate_limits import DatabaseStorage, storage_settings
from tests.conftest import CommittingClient, make_test_app
from tests.factories import PASSWORD, make_user


@pytest.fixture
def two_workers(database_url, tmp_path, db):
    """Two app instances on one database and instance folder, limits counted in the database."""

    def worker():
        app = make_test_app(database_url, tmp_path, RATELIMIT_STORAGE="database", LOGIN_LIMIT="3 per hour")
        app.test_client_class = CommittingClient
        client = app.test_client()
        client.test_session = db
        return app, client

    yield worker
    limiter.reset()
    # The shared `limiter` counts where the last app bound to it says: back to memory for the other tests.
    make_test_app(database_url, tmp_path / "memory", RATELIMIT_STORAGE="memory")


def test_failed_logins_count_across_two_app_instances(two_workers, db):
    user = make_user(db)
    db.commit()
    wrong = {"email": user.email, "password": "wrong"}
    _first_app, first = two_workers()
    assert [first.post("/login", data=wrong).status_code for _ in range(2)] == [422, 422]
    # A second instance starts with its own limiter storage object: only the database connects them.
    _second_app, second = two_workers()
    assert second.post("/login", data=wrong).status_code == 422
    blocked = second.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429


def test_two_storages_on_one_database_see_each_others_hits(two_workers):
    app, _client = two_workers()
    options = storage_settings(app.config, app.instance_path)["RATELIMIT_STORAGE_OPTIONS"]
    one, other = (
        DatabaseStorage("talentbank+database://", **options),
        DatabaseStorage("talentbank+database://", **options),
    )
    assert one.check() and other.check()
    assert [one.incr("login/k", 60), other.incr("login/k", 60), one.incr("login/k", 60, amount=2)] == [1, 2, 4]
    assert other.get("login/k") == 4 and other.get_expiry("login/k") > 0
    with other.engine.begin() as connection:  # the window ends
        connection.execute(sa.text("UPDATE rate_limit_counters SET expires_at = 0"))
    assert one.get("login/k") == 0
    assert other.incr("login/k", 60) == 1
    one.clear("login/k")
    assert other.get("login/k") == 0


def test_without_redis_a_deployment_counts_in_the_database():
    base = {"REDIS_URL": None, "RATELIMIT_STORAGE": "auto", "DATABASE_URL": "postgresql+psycopg://db/talentbank"}
    chosen = storage_settings(base, "/srv/instance")
    assert chosen["RATELIMIT_STORAGE_URI"] == "talentbank+database://"
    assert chosen["RATELIMIT_STORAGE_OPTIONS"] == {"url": "postgresql+psycopg://db/talentbank"}
    sqlite = storage_settings({**base, "DATABASE_URL": "sqlite:////srv/instance/talentbank.db"}, "/srv/instance")
    assert sqlite["RATELIMIT_STORAGE_OPTIONS"] == {"url": "sqlite:////srv/instance/rate_limits.db"}
    redis = storage_settings({**base, "REDIS_URL": "redis://127.0.0.1:6379/0"}, "/srv/instance")
    assert redis["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert storage_settings({**base, "TESTING": True}, "/srv/instance")["RATELIMIT_STORAGE_URI"] == "memory://"
    with pytest.raises(ValueError, match="REDIS_URL"):
        storage_settings({**base, "RATELIMIT_STORAGE": "redis"}, "/srv/instance")
    with pytest.raises(ValueError, match="auto, redis, database or memory"):
        storage_settings({**base, "RATELIMIT_STORAGE": "files"}, "/srv/instance")


def test_admin_page_says_where_the_limits_count(two_workers, db, login):
    admin = make_user(db, is_admin=True)
    _app, client = two_workers()
    login(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "試行回数の制限の記録先：データベース" in page
