"""Text the pages refuse wherever it enters (talentbank/text.py): every form's text fields, every POST
route's fields, query strings, CSV rows of a bulk award and pasted credentials. Never a 5xx (on
PostgreSQL a NUL was one), a message naming the field, and nothing saved is lost."""

from __future__ import annotations

import re
import uuid
from io import BytesIO

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField

from talentbank.forms import BaseForm
from talentbank.models import Credential, Profile
from tests.api.fuzzing import UNREADABLE_CHARACTERS
from tests.factories import make_organisation, make_profile, make_user
from tests.web.test_credentials import create_achievement, setup_issuer

# A URL and a form cannot carry a lone surrogate (it has no UTF-8 form): everything else of the list.
IN_FORMS = [character for character in UNREADABLE_CHARACTERS if not "\ud800" <= character <= "\udfff"]


def _every_form_class() -> list[type[BaseForm]]:
    import talentbank.accounts.forms
    import talentbank.credentials.forms
    import talentbank.learning.forms
    import talentbank.organisations.forms
    import talentbank.profiles.forms
    import talentbank.projects.forms  # noqa: F401  (the forms are found through BaseForm's subclasses)

    found, pending = [], [BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not BaseForm and cls.__module__.startswith("talentbank."):
            found.append(cls)
    return found


def _text_fields(form) -> list:
    return [field for field in form if isinstance(field, StringField) and field.type != "CSRFTokenField"]


def test_every_form_refuses_unreadable_text_in_each_text_field(app):
    """Each text field of every form, given a NUL, a C1 control or a non-character, fails validation
    with an error on that field naming the character; a one-line field refuses a newline and a tab,
    a TextAreaField takes them."""
    checked = 0
    forms = _every_form_class()
    assert len(forms) > 20
    for cls in forms:
        with app.test_request_context(method="POST"):
            names = [field.name for field in _text_fields(cls(formdata=MultiDict(), meta={"csrf": False}))]
        for name in names:
            for value, refused in [("a\x00b", "U+0000"), ("a\x85b", "U+0085"), ("\ufffe", "U+FFFE"), ("a\nb", None)]:
                with app.test_request_context(method="POST"):
                    form = cls(formdata=MultiDict({name: value}), meta={"csrf": False})
                    assert not form.validate() or refused is None, (cls.__name__, name, value)
                    field = form[name]
                    errors = " ".join(str(error) for error in field.errors)
                    if refused:
                        assert refused in errors, (cls.__name__, name, errors)
                    elif isinstance(field, TextAreaField):
                        assert "1行" not in errors, (cls.__name__, name, errors)
                    else:
                        assert "1行で入力" in errors, (cls.__name__, name, errors)
            checked += 1
    assert checked > 50


def _post_routes(app, values: dict[str, str]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", values.get(name, str(uuid.uuid4())), path)
        paths.append(path)
    return sorted(set(paths))


def _every_field_name() -> set[str]:
    names = {"comment", "rows", "action", "endorser", "credential", "status", "back", "need_skill_0", "skill"}
    for cls in _every_form_class():
        names |= {name for name, member in vars(cls).items() if hasattr(member, "field_class")}
    return names


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x9f", "\ufdd0"])
def test_every_post_route_refuses_unreadable_text_and_saves_nothing(app, client, db, login, character):
    owner = make_user(db, is_admin=True)
    organisation = make_organisation(db, owner=owner, verified=True)
    profile = make_profile(db, owner=owner, bio="前の自己紹介")
    login(client, owner)
    values = {"public_id": str(organisation.public_id), "code": "dssp2-36", "token": "not-a-real-token"}
    data = dict.fromkeys(_every_field_name(), f"値{character}")
    routes = _post_routes(app, values)
    assert len(routes) > 40
    for path in routes:
        response = client.post(path, data=data)
        if path.startswith(("/oid4vci/", "/oid4vp/")):  # the wallet protocols answer with their own error codes
            error = response.get_json()["error"]
            assert response.status_code == 400 and error in ("invalid_request", "invalid_credential_request"), path
            continue
        else:
            assert response.status_code == 422, (path, response.status_code)
        assert f"U+{ord(character):04X}" in response.get_data(as_text=True), path
    db.expire_all()
    assert db.get(Profile, profile.id).bio == "前の自己紹介"


def test_every_post_route_survives_tabs_and_newlines_in_every_field(app, client, db, login):
    """Tabs and newlines pass the request check (a multi-line field takes them); one-line fields then
    refuse them as form errors, and no route answers with a 5xx."""
    owner = make_user(db, is_admin=True)
    organisation = make_organisation(db, owner=owner, verified=True)
    make_profile(db, owner=owner)
    login(client, owner)
    values = {"public_id": str(organisation.public_id), "code": "dssp2-36", "token": "not-a-real-token"}
    data = dict.fromkeys(_every_field_name(), "一\t二\r\n三")
    for path in _post_routes(app, values):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)


def test_a_single_line_field_refuses_a_tab_as_a_form_error_in_the_chosen_language(client, db, login):
    profile = make_profile(db, headline="前の見出し")
    login(client, profile.user)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "headline" in page
    client.set_cookie("tb_lang", "en")
    response = client.post("/me/profile", data={"display_name": "名前\tタブ", "headline": "見出し"})
    assert response.status_code == 422
    assert "on one line" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Profile, profile.id).headline == "前の見出し"


@pytest.mark.parametrize("character", IN_FORMS[:6])
def test_query_strings_are_refused_on_pages(client, character):
    response = client.get("/people", query_string={"q": f"町{character}"})
    assert response.status_code == 422
    assert "「q」" in response.get_data(as_text=True)


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x85", "\ufffe"])
def test_a_csv_row_with_a_control_is_shown_as_an_error_and_not_issued(client, db, login, character):
    school = make_organisation(db, verified=True)
    setup_issuer(client, login, school)
    achievement_id = create_achievement(client, school)
    rows = f"email,name\nok@example.jp,良い 行\nbad@example.jp,山田{character}太郎\n"
    preview = client.post(
        f"/achievements/{achievement_id}/bulk",
        data={"action": "preview", "csv": (BytesIO(rows.encode()), "awards.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:500]
    assert "発行する：1件" in page and "誤りがあり発行しない：1件" in page
    assert f"U+{ord(character):04X}" in page
    carried = page.split('<textarea name="rows" hidden aria-hidden="true">')[1].split("</textarea>")[0]
    import html

    issued = client.post(
        f"/achievements/{achievement_id}/bulk", data={"action": "issue", "rows": html.unescape(carried)}
    )
    assert issued.status_code == 302
    assert db.scalars(sa.select(Credential.recipient_email)).all() == ["ok@example.jp"]
    # The carried rows, tampered with, are refused where they enter (and nothing more is issued).
    tampered = client.post(
        f"/achievements/{achievement_id}/bulk", data={"action": "issue", "rows": f"x@example.jp,a{character}b\n"}
    )
    assert tampered.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1


def test_a_pasted_credential_with_an_escaped_nul_is_refused(client):
    response = client.post("/verify", data={"credential": '{"name": "a\\u0000b"}'})
    assert response.status_code == 422
    assert "U+0000" in response.get_data(as_text=True)
