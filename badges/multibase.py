"""Base58btc and the multibase ``z`` prefix (W3C Controlled Identifiers §2.4, draft-multiformats-multibase).

Hand-written because it is twenty lines and the well-known PyPI packages add nothing we need.
"""

from __future__ import annotations

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    """Encode bytes as base58 (Bitcoin alphabet); leading zero bytes become ``1``."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    chars: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        chars.append(B58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(chars))


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet); raises ValueError on a character outside it."""
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"invalid base58 character {char!r}")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by base58 of ``data``."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a ``z``-prefixed base58btc multibase string; other bases raise ValueError."""
    if not text.startswith("z"):
        raise ValueError("only base58btc multibase (prefix 'z') is supported")
    return b58decode(text[1:])
