"""Every user-facing string has an English translation, and the committed .mo matches the .po."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "talentbank" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("talentbank/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, directory_filter=lambda d: not Path(d).name.startswith((".", "build"))
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_source_has_an_english_translation():
    catalogue = read_po((CATALOGUE / "messages.po").open("rb"))
    translated = {m.id: m.string for m in catalogue if m.id and m.string}
    messages = source_messages()
    assert len(messages) > 150
    missing = sorted(messages - set(translated))
    assert missing == [], f"run `make translations` and translate: {missing[:10]}"


def test_placeholders_survive_translation():
    catalogue = read_po((CATALOGUE / "messages.po").open("rb"))
    for message in catalogue:
        if message.id and message.string:
            assert sorted(re.findall(r"%\(\w+\)[sd]", message.id)) == sorted(
                re.findall(r"%\(\w+\)[sd]", message.string)
            ), message.id


def test_no_translation_repeats_itself():
    # A merge that keeps both a one-line msgstr and its wrapped copy joins them into one text said twice.
    catalogue = read_po((CATALOGUE / "messages.po").open("rb"))
    doubled = [
        m.id for m in catalogue if m.id and len(m.string) > 20 and m.string[: len(m.string) // 2] * 2 == m.string
    ]
    assert doubled == []


def test_compiled_catalogue_is_up_to_date():
    # Untranslated entries are left out of a .mo; the test above makes sure no source message is one.
    po = {m.id: m.string for m in read_po((CATALOGUE / "messages.po").open("rb")) if m.id and m.string}
    mo = {m.id: m.string for m in read_mo((CATALOGUE / "messages.mo").open("rb")) if m.id}
    assert mo == po, "run `make translations` to recompile"


def test_pages_switch_language_and_remember_it(client):
    assert "北海道のデジタル人材と、地域の課題をつなぐ。" in client.get("/").get_data(as_text=True)
    response = client.post("/locale", data={"locale": "en", "next": "/orgs/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/orgs/")
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Hokkaido Digital Talent Bank" in page
    assert "北海道のデジタル人材と、地域の課題をつなぐ。" not in page
    client.post("/locale", data={"locale": "ja"})
    assert 'lang="ja"' in client.get("/").get_data(as_text=True)


def test_unknown_locale_is_ignored(client):
    client.post("/locale", data={"locale": "xx"})
    assert 'lang="ja"' in client.get("/").get_data(as_text=True)


def test_mail_goes_out_in_the_recipients_language(client, db):
    from tests.web.helpers import outbox

    client.post("/locale", data={"locale": "en"})
    client.post(
        "/register",
        data={
            "email": "en@example.jp",
            "display_name": "Emily",
            "password": "a long english passphrase",
            "password_confirm": "a long english passphrase",
            "accept_terms": "y",
        },
    )
    [message] = outbox(db, "en@example.jp")
    assert message.subject.startswith("[Hokkaido Digital Talent Bank]")
    assert "/confirm/" in message.body_text
