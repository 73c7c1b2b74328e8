"""A page of pulled records as the PC writes it, and protocol 3's form of it on the wire.

From protocol 3 a pull reply carries each record as an array in ``PULL_COLUMNS`` order, with
``fields`` and ``versions`` as the JSON text the server stores: the PC hands the rows to its
store as they are, instead of building a model of every record and dumping its dicts back to
text. ``decode_pull_page`` checks the page's shape and the type of every value; the JSON text
inside ``fields`` and ``versions`` is checked by the PC's store in the transaction that writes
it, so a malformed page is refused before anything of it is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.protocol import Message, PullResponse, RecordState

ARRAY_PAGE_PROTOCOL = 3
PULL_COLUMNS = (
    "record_id",
    "entity",
    "home_id",
    "resident_id",
    "fields",
    "versions",
    "hlc",
    "server_seq",
    "user_id",
    "device_id",
)
# One pulled record: the values of PULL_COLUMNS, ``fields`` and ``versions`` as JSON text.
PulledRow = tuple[str, str, str | None, str | None, str, str, str, int, str | None, str | None]

_TEXT: frozenset[type] = frozenset({str})
_OPTIONAL_TEXT: frozenset[type] = frozenset({str, type(None)})
_COLUMN_TYPES = (
    _TEXT,
    _TEXT,
    _OPTIONAL_TEXT,
    _OPTIONAL_TEXT,
    _TEXT,
    _TEXT,
    _TEXT,
    frozenset({int}),
    _OPTIONAL_TEXT,
    _OPTIONAL_TEXT,
)
_KEYS = frozenset({"protocol", "columns", "records", "cursor", "has_more", "server_seq"})
_OPTIONAL_KEYS = frozenset({"scope_count"})


class ArrayPullResponse(Message):
    """Protocol 3's pull reply as a schema, for the server's API description; PCs read it
    with ``decode_pull_page``."""

    protocol: int
    columns: list[str]
    records: list[PulledRow]
    cursor: int
    has_more: bool
    server_seq: int
    scope_count: int | None = None


class MalformedPage(ValueError):
    """A pull reply that is not a well-formed page: nothing of it may be stored."""


@dataclass(frozen=True)
class PullPage:
    protocol: int
    rows: list[PulledRow]
    cursor: int
    has_more: bool
    server_seq: int
    scope_count: int | None = None  # records in scope at ``cursor`` when has_more is false


def encode_pull_page(
    protocol: int,
    rows: list[PulledRow],
    *,
    cursor: int,
    has_more: bool,
    server_seq: int,
    scope_count: int | None,
) -> bytes:
    """Protocol 3's reply (the server's side)."""
    body = {
        "protocol": protocol,
        "columns": PULL_COLUMNS,
        "records": rows,
        "cursor": cursor,
        "has_more": has_more,
        "server_seq": server_seq,
        "scope_count": scope_count,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def decode_pull_page(content: bytes | str) -> PullPage:
    """Protocol 3's reply (the PC's side), or MalformedPage saying what is wrong with it."""
    try:
        body = json.loads(content)
    except ValueError:
        raise MalformedPage("the pull reply is not JSON") from None
    return _page_of_body(body)


def _page_of_body(body: Any) -> PullPage:
    if not isinstance(body, dict):
        raise MalformedPage("the pull reply is not an object")
    keys = body.keys()
    if not _KEYS <= keys <= _KEYS | _OPTIONAL_KEYS:
        raise MalformedPage(f"the pull reply has the keys {sorted(keys)}")
    if body["columns"] != list(PULL_COLUMNS):
        raise MalformedPage(f"the pull reply has the columns {body['columns']!r}")
    protocol = _whole(body, "protocol")
    cursor = _whole(body, "cursor")
    server_seq = _whole(body, "server_seq")
    has_more = body["has_more"]
    if not isinstance(has_more, bool):
        raise MalformedPage("has_more is not true or false")
    scope_count = body.get("scope_count")
    if scope_count is not None:
        scope_count = _whole(body, "scope_count")
    return PullPage(protocol, _rows(body["records"]), cursor, has_more, server_seq, scope_count)


def _whole(body: dict[str, Any], key: str) -> int:
    value = body[key]
    if type(value) is not int or value < 0:
        raise MalformedPage(f"{key} is not a whole number")
    return value


def _rows(records: Any) -> list[PulledRow]:
    if type(records) is not list:
        raise MalformedPage("records is not a list")
    width = len(PULL_COLUMNS)
    if not all(type(r) is list and len(r) == width for r in records):
        raise MalformedPage(f"a record is not an array of {width} values")
    # Column by column: a type check of the whole page in a few passes made in C.
    # (No records: no columns, nothing to check.)
    columns = zip(*records, strict=True)
    for name, allowed, values in zip(PULL_COLUMNS, _COLUMN_TYPES, columns, strict=False):
        if not set(map(type, values)) <= allowed:
            raise MalformedPage(f"a record's {name} has the wrong type")
    return list(map(tuple, records))


@dataclass(frozen=True)
class LivePage:
    """A live notification that carries the changes it announces: the page a pull from
    ``from_cursor`` would have returned just after the push committed. A PC whose cursor is
    exactly ``from_cursor`` may apply it as if it had pulled it; any other PC pulls."""

    from_cursor: int
    page: PullPage


def encode_live_page(server_seq: int, from_cursor: int, page: bytes) -> str:
    """The notification's text (one line), from a page made by ``encode_pull_page``. It
    keeps the ``server_seq`` of a plain notification."""
    return f'{{"server_seq":{server_seq},"from":{from_cursor},"page":{page.decode()}}}'


def decode_live_page(event: str) -> LivePage | None:
    """The page a notification carries; None for a plain notification (only ``server_seq``),
    MalformedPage for one that claims a page but is not well formed."""
    try:
        body = json.loads(event)
    except ValueError:
        raise MalformedPage("the notification is not JSON") from None
    if not isinstance(body, dict) or "page" not in body:
        return None
    return LivePage(_whole(body, "from"), _page_of_body(body["page"]))


def page_of_response(reply: PullResponse) -> PullPage:
    """A protocol 1 or 2 reply (a server not yet updated) in the same form."""
    dumps = json.dumps
    rows: list[PulledRow] = [
        (
            s.record_id,
            s.entity,
            s.home_id,
            s.resident_id,
            dumps(s.fields),
            dumps(s.versions),
            s.hlc,
            s.server_seq,
            s.user_id,
            s.device_id,
        )
        for s in reply.records
    ]
    return PullPage(
        reply.protocol, rows, reply.cursor, reply.has_more, reply.server_seq, reply.scope_count
    )


def state_of_row(row: PulledRow) -> RecordState:
    """One row as the model of a record (parsing and checking its JSON text), or
    MalformedPage."""
    try:
        return RecordState(
            record_id=row[0],
            entity=row[1],
            home_id=row[2],
            resident_id=row[3],
            fields=json.loads(row[4]),
            versions=json.loads(row[5]),
            hlc=row[6],
            server_seq=row[7],
            user_id=row[8],
            device_id=row[9],
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise MalformedPage(f"record {row[0]} is not well formed") from exc
