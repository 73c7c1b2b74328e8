"""The audit chain's hashes, and the check of a run of its entries.

An entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON. The
check reads plain tuples of the hashed columns and writes each entry's JSON straight from
them; an entry whose hash does not match so is hashed again exactly as ``entry_hash`` does
(over the ``at`` its database driver's type gives), so the fast reading never decides that an
entry was changed, only that it was not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

GENESIS = "0" * 64

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces (``json.dumps`` with those options, without making
    an encoder per call)."""
    return _CANONICAL.encode(value)


def _scalar(value: Any) -> str:
    """``canonical(value)`` for the values an entry holds, without json.dumps' set-up."""
    if isinstance(value, str):
        return str(encode_basestring(value))
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    return canonical(value)


def entry_hash(prev_hash: str, tenant_id: str, seq: int, at: str, row: dict[str, Any]) -> str:
    # The canonical JSON of {"tenant", "seq", "at", "action", "user", "device", "subject",
    # "detail"} (keys sorted, no spaces), written out directly: it is hashed once per entry
    # on every write and every verify (tests/syncserver/test_audit.py holds it to canonical).
    return _chained_hash(
        prev_hash,
        action=_scalar(row["action"]),
        at=_scalar(at),
        detail=_scalar(row["detail"]),
        device=_scalar(row["device_id"]),
        seq=_scalar(seq),
        subject=_scalar(row["subject"]),
        tenant=_scalar(tenant_id),
        user=_scalar(row["user_id"]),
    )


def _chained_hash(
    prev_hash: str,
    *,
    action: str,
    at: str,
    detail: str,
    device: str,
    seq: str,
    subject: str,
    tenant: str,
    user: str,
) -> str:
    """The hash over ``prev_hash`` and the entry's canonical JSON, each value given as JSON."""
    body = (
        f'{{"action":{action},"at":{at},"detail":{detail},"device":{device},"seq":{seq},'
        f'"subject":{subject},"tenant":{tenant},"user":{user}}}'
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _at_text(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The columns a check reads, in this order.
COLUMNS = ("seq", "at", "action", "user_id", "device_id", "subject", "detail", "prev_hash", "hash")
BATCH = 20000  # entries read at a time

Row = Sequence[Any]
Bad = tuple[int, int, str]  # (index in the batch, the entry named, why)


def _driver_at(dialect: str) -> Callable[[Any], Any]:
    """What SQLAlchemy makes of an ``at`` the database driver gave: SQLite's is text."""
    if dialect != "sqlite":
        return lambda value: value
    d = sqlite.dialect()
    parse = sa.DateTime(timezone=True).dialect_impl(d).result_processor(d, None)
    assert parse is not None
    return parse


class _Json(dict[Any, str]):
    """The JSON of values that repeat (an entry's action, user and device)."""

    def __missing__(self, value: Any) -> str:
        found = _scalar(value)
        if value is None or type(value) is str:
            self[value] = found
        return found


def check_batch(
    tenant_id: str, dialect: str, first_seq: int, prev: str, rows: Sequence[Row]
) -> Bad | None:
    """The first broken entry of ``rows``, which should be entries ``first_seq`` onwards,
    the first following the entry whose stored hash is ``prev``; None if all hold."""
    tenant, driver_at, as_json = _scalar(tenant_id), _driver_at(dialect), _Json()
    sha256, esc = hashlib.sha256, encode_basestring
    seen_at: Any = None
    at_json = ""
    expected = first_seq - 1
    for seq, at, action, user, device, subject, detail, prev_hash, stored in rows:
        expected += 1
        if seq != expected and int(seq) != expected:
            return expected - first_seq, expected, f"entry {expected} is missing"
        if prev_hash != prev:
            return (
                expected - first_seq,
                expected,
                f"entry {expected} does not follow entry {expected - 1}",
            )
        if at != seen_at or seen_at is None:  # a batch of entries shares its ``at``
            seen_at = at
            if type(at) is str and len(at) == 26 and at[10] == " ":  # SQLite's text
                at_json = f'"{at[:10]}T{at[11:]}Z"'
            else:
                at_json = _scalar(_at_text(driver_at(at)))
        body = (
            f'{prev}{{"action":{as_json[action]},"at":{at_json},'
            f'"detail":{esc(detail) if type(detail) is str else _scalar(detail)},'
            f'"device":{as_json[device]},"seq":{expected},'
            f'"subject":{esc(subject) if type(subject) is str else _scalar(subject)},'
            f'"tenant":{tenant},"user":{as_json[user]}}}'
        )
        if sha256(body.encode()).hexdigest() != stored:
            row = {"action": action, "user_id": user, "device_id": device}
            row |= {"subject": subject, "detail": detail}
            if entry_hash(prev, tenant_id, expected, _at_text(driver_at(at)), row) != stored:
                return expected - first_seq, expected, f"entry {expected} was changed"
        prev = stored
    return None


@dataclass(frozen=True)
class Walked:
    entries: int  # read, up to and including the broken one
    last_hash: str  # the stored hash of the last entry read
    bad: tuple[int, str] | None  # the entry named, and why


def walk(batches: Iterable[Sequence[Row]], tenant_id: str, dialect: str) -> Walked:
    """Check the chain's entries, in order, batch by batch, in this process."""
    done, prev = 0, GENESIS
    for rows in batches:
        bad = check_batch(tenant_id, dialect, done + 1, prev, rows)
        if bad is not None:
            return Walked(done + bad[0] + 1, prev, bad[1:])
        done, prev = done + len(rows), rows[-1][-1]
    return Walked(done, prev, None)
