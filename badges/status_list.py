"""Bitstring Status List v1.0 (W3C Recommendation): encode, flip bits, build lists, look up status.

``encodedList`` is multibase base64url (prefix ``u``, no padding) of the GZIP-compressed
bitstring; bit 0 is the most significant bit of the first byte (§2.1, §3.1); a list holds at
least 131,072 bits (16 KB) so a single index reveals little about who it belongs to (§6.1).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import secrets
import struct
import zlib
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from badges.contexts import VC_V2
from badges.datetimes import format_datetime
from badges.errors import StatusListError
from badges.issuer_keys import issuer_id as issuer_of
from badges.keys import ResolveDocument
from badges.verify import verify

MIN_BITS = 131_072
MAX_BYTES = 16 * 1024 * 1024  # refuse decompression bombs: no list needs more than 128 Mbit


def new_bitstring(size_bits: int = MIN_BITS) -> bytearray:
    """An all-zero bitstring of ``size_bits`` bits (a multiple of 8, at least 131,072)."""
    if size_bits < MIN_BITS or size_bits % 8:
        raise ValueError("a status list holds at least 131,072 bits, in whole bytes")
    return bytearray(size_bits // 8)


def encode_bitstring(bits: bytes | bytearray) -> str:
    """``encodedList`` value: ``u`` + base64url(no padding) of gzip(bits)."""
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bitstring(encoded_list: str) -> bytearray:
    """Bits of an ``encodedList``; StatusListError if malformed, too short or too large."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded_list[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        bits = inflater.decompress(compressed, MAX_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error) as error:
        raise StatusListError(f"encodedList does not decode: {error}") from error
    if len(bits) > MAX_BYTES or inflater.unconsumed_tail:
        raise StatusListError("status list too large")
    if len(bits) * 8 < MIN_BITS:
        raise StatusListError("status list shorter than 131,072 bits")
    return bytearray(bits)


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Bit ``index`` (0 = leftmost bit of the first byte)."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError("status list index out of range")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytearray, index: int, value: bool) -> None:
    """Set or clear bit ``index`` in place."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError("status list index out of range")
    mask = 0x80 >> (index % 8)
    bits[index // 8] = bits[index // 8] | mask if value else bits[index // 8] & ~mask


def set_status(encoded_list: str, index: int, *, is_set: bool) -> str:
    """A new ``encodedList`` with bit ``index`` set (revoke) or cleared (unrevoke)."""
    bits = decode_bitstring(encoded_list)
    set_bit(bits, index, is_set)
    return encode_bitstring(bits)


def allocate_index(taken: Collection[int], *, size_bits: int = MIN_BITS, is_random: bool = False) -> int:
    """A free index: the lowest unused one, or a uniformly random unused one (§6.1 privacy)."""
    if len(taken) >= size_bits:
        raise StatusListError("status list is full")
    if is_random:
        while True:
            candidate = secrets.randbelow(size_bits)
            if candidate not in taken:
                return candidate
    used = set(taken)
    return next(index for index in range(size_bits) if index not in used)


def allocate_indexes(
    taken: Collection[int], count: int, *, size_bits: int = MIN_BITS, is_random: bool = False
) -> list[int]:
    """``count`` distinct free indexes at once (each as ``allocate_index`` would pick it)."""
    if len(taken) + count > size_bits:
        raise StatusListError("status list is full")
    used = set(taken)
    chosen: list[int] = []
    if is_random:
        while len(chosen) < count:
            candidate = secrets.randbelow(size_bits)
            if candidate not in used:
                used.add(candidate)
                chosen.append(candidate)
        return chosen
    for index in range(size_bits):
        if len(chosen) == count:
            break
        if index not in used:
            chosen.append(index)
    return chosen


def _random_below(bound: int, count: int) -> list[int]:
    """``count`` uniform random integers in [0, bound) from one read of the system's CSPRNG (as
    ``secrets.randbelow``, which reads it once per number): 32-bit words, those above the largest
    multiple of ``bound`` dropped so that every value is equally likely."""
    if not 0 < bound <= 1 << 32:
        raise ValueError("bound out of range")
    limit = (1 << 32) - (1 << 32) % bound
    numbers: list[int] = []
    while len(numbers) < count:
        wanted = count - len(numbers)
        words = struct.unpack(f"<{wanted}I", secrets.token_bytes(4 * wanted))
        numbers += [word % bound for word in words if word < limit]
    return numbers


def probe_free_indexes(
    taken_among: Callable[[list[int]], Collection[int]], count: int, *, size_bits: int = MIN_BITS, rounds: int = 16
) -> list[int] | None:
    """``count`` distinct random free indexes (as ``allocate_indexes(..., is_random=True)`` picks them),
    asking ``taken_among(candidates)`` which of some candidates are in use instead of reading every
    index in use: one question per round, each about the candidates still needed. Returns None when
    that does not settle it within ``rounds`` or the list looks crowded (more than half of it known
    taken or chosen); then read the list in full and use ``allocate_indexes``, which also tells when it
    is full.
    """
    chosen: list[int] = []
    known: set[int] = set()  # chosen or known taken
    for _ in range(rounds):
        need = count - len(chosen)
        if need == 0:
            return chosen
        if 2 * (len(known) + need) > size_bits:
            return None
        candidates: list[int] = []
        drawn: set[int] = set()
        while len(candidates) < need:
            for candidate in _random_below(size_bits, need - len(candidates)):
                if candidate not in known and candidate not in drawn:
                    drawn.add(candidate)
                    candidates.append(candidate)
        busy = set(taken_among(candidates))
        known.update(drawn)
        chosen += [candidate for candidate in candidates if candidate not in busy]
    return chosen if len(chosen) == count else None


def build_status_list_credential(
    *,
    list_url: str,
    issuer: str,
    encoded_list: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status_purpose: str = "revocation",
) -> dict[str, Any]:
    """Unsigned BitstringStatusListCredential (§2.2); sign it with ``sign_data_integrity``.

    ``issuer`` is the issuer id (a plain IRI: the VC 2.0 context alone has no ``Profile`` type).
    """
    decode_bitstring(encoded_list)
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_purpose,
            "encodedList": encoded_list,
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


def status_list_errors(credential: dict[str, Any]) -> list[str]:
    """Structural check used in place of the OB schema for status list credentials."""
    types = credential.get("type")
    subject = credential.get("credentialSubject")
    errors = []
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        errors.append("type: not a BitstringStatusListCredential")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        errors.append("credentialSubject: not a BitstringStatusList")
    elif not isinstance(subject.get("encodedList"), str):
        errors.append("credentialSubject.encodedList missing")
    return errors


def _entry_index(entry: dict[str, Any]) -> int:
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isdigit():
        raise StatusListError("statusListIndex must be a string of digits")
    return int(index_text)


def status_from_list(
    list_credential: dict[str, Any] | str,
    entry: dict[str, Any],
    *,
    issuer_id: str | None,
    now: datetime,
    resolve_document: ResolveDocument | None = None,
) -> bool:
    """The status bit for ``entry`` in an already fetched list credential, after verifying it.

    The list must verify (its own proof, key bound to its issuer, validity period), come from
    the same issuer as the credential and carry the entry's ``statusPurpose``.
    Raises StatusListError otherwise (the verifier reports that as ``status_unknown``).
    """
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("unsupported credentialStatus type")
    result = verify(
        list_credential,
        now=now,
        resolve_document=resolve_document,
        schema=status_list_errors,
    )
    if not result.verified or result.credential is None:
        raise StatusListError("status list credential does not verify: " + ",".join(result.codes))
    listed = result.credential
    if issuer_id is None or issuer_of(listed) != issuer_id:
        raise StatusListError("status list issued by someone else")
    if listed.get("id") != entry.get("statusListCredential"):
        raise StatusListError("status list id does not match the entry")
    subject = listed["credentialSubject"]
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise StatusListError("statusPurpose mismatch")
    return get_bit(decode_bitstring(subject["encodedList"]), _entry_index(entry))


def bitstring_status_lookup(
    fetch_list: Callable[[str], dict[str, Any] | str],
    *,
    now: datetime,
    resolve_document: ResolveDocument | None = None,
) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    """A ``status_lookup`` for ``verify``: fetches the list with the app's ``fetch_list(url)``."""

    def lookup(entry: dict[str, Any], credential: dict[str, Any]) -> bool:
        url = entry.get("statusListCredential")
        if not isinstance(url, str):
            raise StatusListError("statusListCredential missing")
        return status_from_list(
            fetch_list(url),
            entry,
            issuer_id=issuer_of(credential),
            now=now,
            resolve_document=resolve_document,
        )

    return lookup
