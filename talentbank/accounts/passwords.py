"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

# OWASP's recommended argon2id parameters (m = 19 MiB, t = 2, p = 1) raised to argon2-cffi's RFC 9106
# "low memory" profile defaults; "fast" is for the test suite only.
_HASHERS = {
    "argon2id": PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}


def hasher(profile: str) -> PasswordHasher:
    return _HASHERS[profile]


def verify_password(password_hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The 20,000 most common passwords (Django's list, see NOTICE), lower-cased."""
    data = resources.files("talentbank.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip().lower() for line in gzip.decompress(data).decode().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "", min_length: int = 10, max_length: int = 128) -> str | None:
    """Return why `password` is refused, or None when it is acceptable. Never truncates."""
    if len(password) < min_length:
        return str(_l("パスワードは%(n)d文字以上にしてください。", n=min_length))
    if len(password) > max_length:
        return str(_l("パスワードは%(n)d文字以内にしてください。", n=max_length))
    lowered = password.lower()
    if lowered in common_passwords() or lowered == email.lower() or lowered == email.split("@")[0].lower():
        return str(_l("よく使われている、または推測しやすいパスワードです。別のものにしてください。"))
    return None
