"""The mechanics of writing many credentials at once, kept out of the issuing code's reading path.

`credential_batch` pauses the cyclic garbage collector, reserves the batch's status-list entries
(on a new list when the current one is full), draws the public ids from one read of the system's
CSPRNG and writes the rows in one compiled insert (`db.insert_rows`). bench/badges.py measures what
each of these saves."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

import badges
from talentbank.credentials.status_entries import free_indexes, locked_status_list, new_status_list
from talentbank.db import insert_rows
from talentbank.models import Credential, Organisation, StatusList


@dataclass
class CredentialBatch:
    """The status list a batch's credentials go on, its reserved indexes, and the rows to write."""

    status_list: StatusList
    indexes: Iterator[int]
    public_ids: Iterator[uuid.UUID]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def next_index(self) -> int:
        return next(self.indexes)

    def next_public_id(self) -> uuid.UUID:
        return next(self.public_ids)

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def write(self, session: Session) -> None:
        """Insert every row added so far in one statement."""
        insert_rows(session, Credential.__table__, self.rows)
        self.rows = []


@contextmanager
def credential_batch(session: Session, organisation: Organisation, count: int) -> Iterator[CredentialBatch]:
    """A batch of `count` new credentials of the organisation, with the collector paused throughout.

    The organisation's status list stays locked until the transaction ends (see `locked_status_list`)."""
    with _collector_paused():
        status_list = locked_status_list(session, organisation)
        try:
            free = free_indexes(session, status_list, count)
        except badges.StatusListError:  # no room left on this list for the batch: it goes on a new one
            status_list = new_status_list(session, organisation, size_bits=status_list.size_bits)
            free = free_indexes(session, status_list, count)
        yield CredentialBatch(status_list, iter(free), iter(random_uuids(count)))


def random_uuids(count: int) -> list[uuid.UUID]:
    """`count` random (version 4) UUIDs, as `uuid.uuid4` makes them, from one read of `os.urandom`.

    `uuid.uuid4` reads 16 bytes and then sets the version through `UUID.__init__`'s arithmetic: ~5.5 us
    each, against ~2.5 us here, which is ~2% of issuing a credential on a quiet machine.
    """
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((byte & 0x0F) | 0x40 for byte in raw[6::16])  # version 4 (RFC 9562 §5.4)
    raw[8::16] = bytes((byte & 0x3F) | 0x80 for byte in raw[8::16])  # the RFC variant
    return [uuid.UUID(bytes=bytes(raw[start : start + 16])) for start in range(0, len(raw), 16)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bulk operation.

    A batch builds some thirty dicts and lists per credential and keeps them until the rows are
    written, so the collector would otherwise run full passes over the whole heap (the app, its
    libraries and the batch) several times per batch: 23 of ~220 us per credential in
    bench/badges.py (1 us with the pause). Nothing a batch makes is cyclic, so reference counting frees it all anyway.
    Left off if someone else turned it off; it resumes even when the batch fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
