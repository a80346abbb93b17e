"""badges.ob2 and the OB 2.0 baking rules, without the app: the spec's examples as documents in a dict (the
`fetch` argument), badges baked by 1EdTech's openbadges-bakery and by Pillow's tEXt chunk (legacy PNGs)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image, PngImagePlugin

import badges
from badges import ob2
from tests.ob2_site import (
    BADGE_URL,
    HOSTED_URL,
    ISSUER_URL,
    KEY_URL,
    baked_png,
    baked_svg,
    example,
    example_documents,
    hashed_identity,
    signed_assertion,
)

NOW = datetime(2026, 12, 7, tzinfo=UTC)
EMAIL = "beth@example.jp"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Gone(Exception):
    status = 410


def site(**replaced) -> dict:
    documents = example_documents(EMAIL, KEY)
    documents.update(replaced)
    return documents


def fetcher(documents: dict):
    def fetch(url: str) -> dict:
        found = documents.get(url)
        if isinstance(found, Exception):
            raise found
        if found is None:
            raise LookupError(url)
        return found

    return fetch


def signed(claims_changes: dict | None = None, *, algorithm: str = "RS256", key=KEY) -> str:
    return signed_assertion(EMAIL, key, algorithm=algorithm, **(claims_changes or {}))


def failed(result) -> str | None:
    return next((c.code for c in result.checks if not c.ok), None)


def verify(submitted, documents=None, emails=(EMAIL,)):
    return ob2.verify_ob2(submitted, fetch=fetcher(documents or site()), now=NOW, recipient_emails=emails)


def test_hosted_and_signed_badges_verify_and_embed_their_badge_class_and_issuer():
    for submitted in (HOSTED_URL, site()[HOSTED_URL], signed()):
        result = verify(submitted)
        assert result.verified, result.checks
        assert result.credential["badge"]["name"] == "Awesome Robotics Badge"
        assert result.credential["badge"]["issuer"]["name"] == "An Example Badge Issuer"


@pytest.mark.parametrize(
    ("recipient", "matches"),
    [
        ({"type": "email", "hashed": True, "salt": "deadsea", "identity": hashed_identity(EMAIL)}, True),
        ({"type": "email", "hashed": True, "identity": hashed_identity(EMAIL, salt="")}, True),  # no salt
        ({"type": "email", "hashed": False, "identity": "Beth@Example.jp"}, True),
        ({"type": "email", "hashed": True, "identity": "md5$" + "0" * 32}, False),
        ({"type": "url", "hashed": False, "identity": EMAIL}, False),
        ({"type": "email", "hashed": True, "salt": "other", "identity": hashed_identity(EMAIL)}, False),
    ],
)
def test_the_recipient_identity(recipient, matches):
    documents = site()
    documents[HOSTED_URL] = {**documents[HOSTED_URL], "recipient": recipient}
    assert (failed(verify(HOSTED_URL, documents)) is None) is matches


def test_signed_badges_trust_only_keys_the_hosted_issuer_lists_and_only_rs256():
    assert failed(verify(signed(algorithm="HS256", key="secret" * 6))) == "ob2_alg_forbidden"
    other = {"verification": {"type": "SignedBadge", "creator": "https://attacker.example/key.json"}}
    assert failed(verify(signed(other))) == "key_not_published"
    foreign_owner = {**site()[KEY_URL], "owner": "https://attacker.example/issuer.json"}
    assert failed(verify(signed(), site(**{KEY_URL: foreign_owner}))) == "issuer_key_mismatch"
    unlisted = {**example("issuer"), "publicKey": []}
    assert failed(verify(signed(), site(**{ISSUER_URL: unlisted}))) == "key_not_published"
    no_creator = signed({"verification": {"type": "SignedBadge"}})
    assert verify(no_creator).verified  # the issuer's listed key is tried
    assert failed(verify(no_creator, site(**{ISSUER_URL: unlisted}))) == "key_unresolved"


def test_scope_revocation_and_unreachable_documents():
    starts = {**example("issuer"), "verification": {"startsWith": "https://example.org/badges/"}}
    assert failed(verify(HOSTED_URL, site(**{ISSUER_URL: starts}))) == "out_of_scope"
    assert failed(verify(HOSTED_URL, site(**{HOSTED_URL: Gone("HTTP 410")}))) == "revoked"
    assert failed(verify(HOSTED_URL, site(**{BADGE_URL: OSError("down")}))) == "badge_class_unreachable"
    listing_down = site(**{"https://example.org/revocationList.json": OSError("down")})
    assert failed(verify(signed(), listing_down)) == "status_unknown"  # unknown is never taken as valid
    assert failed(verify("not a badge")) == "parse_error"


def test_ob2_is_told_apart_from_ob3():
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    assert not ob2.is_ob2(credential) and not ob2.is_ob2(json.dumps(credential))
    vc_jwt = jwt.api_jws.encode(json.dumps(credential).encode(), KEY, algorithm="RS256")
    assert not ob2.is_ob2(vc_jwt)
    assert ob2.is_ob2(HOSTED_URL) and ob2.is_ob2(signed()) and ob2.is_ob2(example("hosted-assertion"))


def test_ob2_baked_images_are_read_whichever_way_they_were_baked():
    text = json.dumps(example("hosted-assertion"))
    token = signed()
    png = baked_png(text)
    assert json.loads(badges.read_credential_file(png)) == example("hosted-assertion")
    assert badges.read_credential_file(baked_svg(token)) == token
    hosted_svg = baked_svg(text)
    assert json.loads(badges.read_credential_file(hosted_svg))["id"] == HOSTED_URL
    legacy = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("openbadges", HOSTED_URL)  # pre-specification PNGs: the hosted URL in a tEXt chunk
    Image.new("RGB", (2, 2)).save(legacy, "PNG", pnginfo=info)
    assert badges.read_credential_file(legacy.getvalue()) == HOSTED_URL
