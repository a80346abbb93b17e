"""Mail: the outbox keeps mail without SMTP; with SMTP it is delivered to a real (local) server."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from talentbank import db as tb_db
from talentbank.mail import send_pending
from tests.factories import make_user
from tests.web.helpers import outbox


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


def test_without_smtp_mail_stays_in_the_outbox_and_admins_can_read_it(client, db, login):
    make_user(db, email="forgetful@example.jp")
    client.post("/forgot", data={"email": "forgetful@example.jp"})
    [message] = outbox(db)
    assert message.sent_at is None
    login(client, make_user(db, is_admin=True))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "forgetful@example.jp" in page and "/reset/" in page


def test_outbox_page_is_for_admins_only(client, db, login):
    login(client, make_user(db))
    assert client.get("/admin/outbox").status_code == 403


def test_queued_mail_is_delivered_over_smtp(app, client, db, smtp_server):
    controller, recorder = smtp_server
    make_user(db, email="smtp@example.jp")
    client.post("/forgot", data={"email": "smtp@example.jp"})
    config = {**app.config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port}
    with app.app_context():
        sent = send_pending(tb_db.session, config)
        tb_db.session.commit()
    assert sent == 1
    [(_sender, recipients, content)] = recorder.messages
    assert recipients == ["smtp@example.jp"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert "/reset/" in message.get_content()
    assert "パスワードの再設定" in message["Subject"]
    db.expire_all()
    [message] = outbox(db)
    assert message.sent_at is not None and message.attempts == 1


def test_mail_is_sent_right_after_the_request_when_smtp_is_set(app, client, db, smtp_server):
    controller, recorder = smtp_server
    make_user(db, email="instant@example.jp")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        client.post("/forgot", data={"email": "instant@example.jp"})
    finally:
        app.config["SMTP_HOST"] = None
    assert [r for _, r, _ in recorder.messages] == [["instant@example.jp"]]
    [message] = outbox(db)
    assert message.sent_at is not None


def test_unreachable_smtp_server_keeps_mail_queued(app, client, db):
    make_user(db, email="later@example.jp")
    client.post("/forgot", data={"email": "later@example.jp"})
    config = {**app.config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": free_port(), "SMTP_TIMEOUT": 2}
    with app.app_context():
        assert send_pending(tb_db.session, config) == 0
    [message] = outbox(db)
    assert message.sent_at is None
