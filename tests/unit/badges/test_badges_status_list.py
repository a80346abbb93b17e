"""Bitstring Status List: encoding, revoke/unrevoke, signed lists, lifecycle codes (SC-12)."""

from __future__ import annotations

import base64
import gzip
from datetime import timedelta

import pytest
from badges_support import (
    ISSUER_DID,
    NOW,
    issuer_key,
    method_id,
    other_key,
    resolver,
    signed_di,
    signed_jwt,
)

from badges import (
    StatusEntry,
    StatusListError,
    allocate_index,
    allocate_indexes,
    bitstring_status_lookup,
    build_status_list_credential,
    decode_bitstring,
    encode_bitstring,
    get_bit,
    new_bitstring,
    probe_free_indexes,
    set_bit,
    set_status,
    sign_data_integrity,
    verify,
)

LIST_URL = "https://talentbank.example/status/1"


def _signed_list(encoded: str, *, key=None, issuer: str = ISSUER_DID, **kwargs) -> dict:
    credential = build_status_list_credential(
        list_url=LIST_URL,
        issuer=issuer,
        encoded_list=encoded,
        valid_from=NOW - timedelta(days=2),
        **kwargs,
    )
    return sign_data_integrity(
        credential,
        key or issuer_key(),
        verification_method=method_id(key),
        created=NOW - timedelta(days=2),
    )


def test_bit_order_and_round_trip() -> None:
    bits = new_bitstring()
    assert len(bits) * 8 == 131_072
    set_bit(bits, 0, True)
    set_bit(bits, 131_071, True)
    assert bits[0] == 0x80 and bits[-1] == 0x01  # index 0 = leftmost bit (§3.1)
    encoded = encode_bitstring(bits)
    assert encoded.startswith("u") and "=" not in encoded
    assert decode_bitstring(encoded) == bits
    assert get_bit(bits, 0) and get_bit(bits, 131_071) and not get_bit(bits, 1)


def test_revoke_and_unrevoke() -> None:
    empty = encode_bitstring(new_bitstring())
    revoked = set_status(empty, 1234, is_set=True)
    assert get_bit(decode_bitstring(revoked), 1234)
    assert set_status(revoked, 1234, is_set=False) == empty


def test_short_and_bomb_lists_refused() -> None:
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).rstrip(b"=").decode()
    with pytest.raises(StatusListError):
        decode_bitstring(short)
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(32 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(StatusListError):
        decode_bitstring(bomb)
    with pytest.raises(StatusListError):
        decode_bitstring("zNotBase64url")
    with pytest.raises(ValueError):
        new_bitstring(8)


def test_index_allocation() -> None:
    assert allocate_index(set()) == 0
    assert allocate_index({0, 1, 3}) == 2
    random_picks = {allocate_index({5}, is_random=True) for _ in range(20)}
    assert 5 not in random_picks and len(random_picks) > 1
    with pytest.raises(StatusListError):
        allocate_index(range(131_072))


def test_batch_index_allocation() -> None:
    assert allocate_indexes({0, 1, 3}, 3) == [2, 4, 5]
    picks = allocate_indexes({5, 6}, 1000, is_random=True)
    assert len(set(picks)) == 1000 and not {5, 6} & set(picks)
    assert all(0 <= index < 131_072 for index in picks)
    assert sorted(allocate_indexes(range(131_070), 2, is_random=True)) == [131_070, 131_071]
    with pytest.raises(StatusListError):
        allocate_indexes(range(131_070), 3)


def test_probing_finds_free_indexes_asking_only_about_candidates() -> None:
    """`probe_free_indexes` asks about a batch's worth of candidates per round, never for every index in
    use, and returns distinct free ones; a list it cannot settle quickly is left to `allocate_indexes`."""
    taken = set(range(0, 131_072, 3))  # a third of the list in use
    questions: list[list[int]] = []

    def taken_among(candidates: list[int]) -> set[int]:
        questions.append(candidates)
        return taken & set(candidates)

    picks = probe_free_indexes(taken_among, 500)
    assert picks is not None and len(picks) == len(set(picks)) == 500 and not taken & set(picks)
    assert len(questions[0]) == 500 and all(len(q) <= 500 for q in questions) and 1 < len(questions) <= 16
    assert sum(len(q) for q in questions) < 2000  # about 500 / (2/3): the misses are asked again, nothing else
    assert probe_free_indexes(lambda candidates: set(), 0) == []
    # crowded (more than half of the list taken): no answer, so the caller reads the list in full
    assert probe_free_indexes(lambda candidates: set(candidates), 10) is None
    assert probe_free_indexes(lambda candidates: set(), 70_000) is None
    # small lists: every value of the range is reachable and none outside it
    small = probe_free_indexes(lambda candidates: set(), 4000, size_bits=8192)
    assert small is not None and len(set(small)) == 4000 and max(small) < 8192


def test_random_indexes_are_uniform_below_any_bound() -> None:
    from collections import Counter

    from badges.status_list import _random_below

    counts = Counter(_random_below(3, 30_000))
    assert set(counts) == {0, 1, 2} and all(9_000 < n < 11_000 for n in counts.values())
    assert all(0 <= n < 131_072 for n in _random_below(131_072, 10_000))
    with pytest.raises(ValueError):
        _random_below(0, 1)


def _entry(index: int) -> StatusEntry:
    return StatusEntry(LIST_URL, index)


def _lookup(list_credential):
    return bitstring_status_lookup(
        lambda url: list_credential if url == LIST_URL else {},
        now=NOW,
        resolve_document=resolver(),
    )


def test_signed_list_verifies_and_reports_status() -> None:
    encoded = set_status(encode_bitstring(new_bitstring()), 7, is_set=True)
    status_list = _signed_list(encoded)
    lookup = _lookup(status_list)
    fine = verify(
        signed_di(status=_entry(8)),
        now=NOW,
        resolve_document=resolver(),
        status_lookup=lookup,
    )
    assert fine.verified and fine.code_of("status") == "not_revoked"
    revoked = verify(
        signed_di(status=_entry(7)),
        now=NOW,
        resolve_document=resolver(),
        status_lookup=lookup,
    )
    assert not revoked.verified and revoked.code_of("status") == "revoked"
    revoked_jwt = verify(
        signed_jwt(status=_entry(7)),
        now=NOW,
        resolve_document=resolver(),
        status_lookup=lookup,
    )
    assert revoked_jwt.code_of("status") == "revoked"


@pytest.mark.parametrize(
    "make_list",
    [
        lambda: {
            **_signed_list(encode_bitstring(new_bitstring())),
            "id": LIST_URL,
        },  # fine control
        lambda: _signed_list(encode_bitstring(new_bitstring()), key=other_key()),
        lambda: {
            **_signed_list(encode_bitstring(new_bitstring())),
            "validFrom": "2020-01-01T00:00:00Z",
        },
        lambda: _signed_list(encode_bitstring(new_bitstring()), valid_until=NOW - timedelta(days=1)),
    ],
)
def test_list_that_does_not_verify_gives_unknown_status(make_list) -> None:
    status_list = make_list()
    result = verify(
        signed_di(status=_entry(3)),
        now=NOW,
        resolve_document=resolver(),
        status_lookup=_lookup(status_list),
    )
    is_control = (
        status_list["proof"]["verificationMethod"] == method_id()
        and status_list["validFrom"] != "2020-01-01T00:00:00Z"
        and "validUntil" not in status_list
    )
    assert result.code_of("status") == ("not_revoked" if is_control else "status_unknown")
    assert result.verified is is_control


def test_lookup_failure_and_missing_lookup_are_unknown_never_valid() -> None:
    def failing(entry, credential):
        raise TimeoutError("status list host down")

    credential = signed_di(status=_entry(3))
    for lookup in (failing, None, lambda entry, credential: None):
        result = verify(credential, now=NOW, resolve_document=resolver(), status_lookup=lookup)
        assert result.code_of("status") == "status_unknown"
        assert not result.verified


def test_lookup_refuses_wrong_issuer_purpose_or_type() -> None:
    lookup = _lookup(_signed_list(encode_bitstring(new_bitstring())))
    credential = signed_di(status=_entry(3))
    entry = credential["credentialStatus"]
    assert lookup(entry, credential) is False
    with pytest.raises(StatusListError):
        lookup({**entry, "statusPurpose": "suspension"}, credential)
    with pytest.raises(StatusListError):
        lookup(entry, {**credential, "issuer": {"id": "did:web:other.example"}})
    with pytest.raises(StatusListError):
        lookup({**entry, "type": "1EdTechRevocationList"}, credential)
    with pytest.raises(StatusListError):
        lookup({**entry, "statusListIndex": "-1"}, credential)
    with pytest.raises(StatusListError):
        lookup({**entry, "statusListIndex": "131072"}, credential)


def test_expired_and_not_yet_valid_exact_codes() -> None:
    expired = verify(
        signed_di(valid_from=NOW - timedelta(days=400), valid_until=NOW - timedelta(days=1)),
        now=NOW,
        resolve_document=resolver(),
    )
    assert expired.code_of("validity") == "expired" and not expired.verified
    future = verify(
        signed_jwt(valid_from=NOW + timedelta(days=1)),
        now=NOW,
        resolve_document=resolver(),
    )
    assert future.code_of("validity") == "not_yet_valid" and not future.verified


def test_leeway_is_sixty_seconds() -> None:
    credential = signed_di(valid_from=NOW - timedelta(days=1), valid_until=NOW)
    assert verify(credential, now=NOW + timedelta(seconds=60), resolve_document=resolver()).verified
    late = verify(credential, now=NOW + timedelta(seconds=61), resolve_document=resolver())
    assert late.code_of("validity") == "expired"
    early = signed_di(valid_from=NOW + timedelta(seconds=61))
    assert verify(early, now=NOW, resolve_document=resolver()).code_of("validity") == "not_yet_valid"


def test_key_rotation_old_credentials_still_verify() -> None:
    old = signed_di()
    rotated = resolver(issuer_key(), other_key())  # new key added, old key still published
    assert verify(old, now=NOW, resolve_document=rotated).verified
    retired = resolver(other_key())  # compromised key withdrawn from the DID document
    result = verify(old, now=NOW, resolve_document=retired)
    assert result.code_of("issuer_key") == "key_unresolved" and not result.verified
