"""Reading a credential someone submits to be verified or imported: an uploaded file (a baked PNG/SVG
badge, credential.json or credential.jwt) or pasted text (JSON or JWT)."""

from __future__ import annotations

import json

from flask_babel import gettext as _

import badges
from talentbank import text
from talentbank.errors import Invalid

MAX_SUBMITTED_BYTES = 2 * 1024 * 1024


def _credential_of_text(text: str) -> dict | str:
    """A JSON object from text that starts like one, else the text as it is (a JWT, or what verify reports)."""
    if not text.startswith("{"):
        return text
    try:
        return json.loads(text)
    except RecursionError:  # nested past the parser's depth: no credential is
        raise ValueError("JSON nested too deeply") from None


def submitted_credential(pasted: str | None, upload) -> dict | str | None:
    """The credential in an uploaded file (a baked PNG/SVG badge, credential.json or credential.jwt) or in
    the pasted text (JSON or JWT); None when neither is given. Unreadable input raises Invalid on the
    field it came in (`image` or `credential`), with a message for the person."""
    if upload is not None and getattr(upload, "filename", ""):
        try:
            submitted = _credential_of_text(badges.read_credential_file(upload.read(MAX_SUBMITTED_BYTES + 1)))
        except badges.BakingError as error:
            if error.code == "not_baked":
                raise Invalid.on("image", _("この画像には証明書が埋め込まれていません。")) from None
            message = _("ファイルから証明書を読み取れませんでした（バッジ画像・JSON・JWTに対応）。")
            raise Invalid.on("image", message) from None
        except ValueError:
            raise Invalid.on("image", _("ファイルのJSONを読み取れませんでした。")) from None
        return _readable(submitted, "image", _("ファイル"))
    pasted = (pasted or "").strip()
    if not pasted:
        return None
    try:
        return _readable(_credential_of_text(pasted), "credential", _("証明書"))
    except ValueError:
        raise Invalid.on("credential", _("貼り付けたJSONを読み取れませんでした。")) from None


def _readable(submitted: dict | str, field: str, label: str) -> dict | str:
    """The submitted credential, if every text in it (JSON strings and keys, once decoded) obeys
    `talentbank.text`; a document may hold several lines."""
    character = text.unreadable_character(submitted, multiline=True)
    if character:
        raise Invalid.on(field, text.message(label, character))
    return submitted
