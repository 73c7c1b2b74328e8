"""The content of a backup: every server table as JSON lines, the same for SQLite and
PostgreSQL (so a backup of one restores into the other), with a row count and a checksum per
table.

Content, one JSON value per line::

    {"t": "begin", ...}                        who, when, schema, providers, tables
    {"t": "table", "name": N, "columns": [...]}
    [value, value, ...]                        one line per row
    {"t": "end_table", "name": N, "rows": R, "checksum": C}
    ... for every table, parents before children ...
    {"t": "end", "tables": {N: {"rows": R, "checksum": C}}}

A table's checksum is the sum, modulo 2**256, of the SHA-256 of each row's line: it does
not depend on row order, so the same rows read back from another database engine, in that
engine's order, give the same checksum.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from syncserver.db.tables import metadata

FORMAT = 1
BATCH_ROWS = 1000
_MOD = 2**256


@dataclass
class TableSum:
    rows: int = 0
    total: int = 0

    def add(self, line: bytes) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % _MOD

    @property
    def checksum(self) -> str:
        return f"{self.total:064x}"

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum}


@dataclass
class Manifest:
    """What a backup says about itself: its ``begin`` line and every table's count and sum."""

    begin: dict[str, Any]
    tables: dict[str, TableSum] = field(default_factory=dict)

    @property
    def server_id(self) -> str:
        return str(self.begin["server_id"])

    @property
    def schema(self) -> str:
        return str(self.begin["schema"])

    @property
    def tenants(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.begin["tenants"].items()}


class DumpError(ValueError):
    """The content is not what a backup holds (the caller names the file)."""


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return value.astimezone(dt.UTC).isoformat()
    return value


def _decode(column: sa.Column[Any], value: Any) -> Any:
    if value is not None and isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    return value


def _line(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def row_line(row: Iterable[Any]) -> bytes:
    return _line([_encode(v) for v in row])


def _select_all(conn: sa.Connection, table: sa.Table) -> Iterator[sa.Row[Any]]:
    # Options on the statement, not the connection: on a connection they would outlive it.
    yield from conn.execute(
        sa.select(table).execution_options(stream_results=True, yield_per=BATCH_ROWS)
    )


def dump(conn: sa.Connection, write: Callable[[bytes], None], begin: dict[str, Any]) -> Manifest:
    """Write every table through ``write``; ``conn`` should hold one consistent snapshot."""
    tables = metadata.sorted_tables
    begin = {"t": "begin", "format": FORMAT, **begin, "tables": [t.name for t in tables]}
    write(_line(begin))
    manifest = Manifest(begin)
    for table in tables:
        write(_line({"t": "table", "name": table.name, "columns": [c.name for c in table.c]}))
        sums = manifest.tables.setdefault(table.name, TableSum())
        for row in _select_all(conn, table):
            line = row_line(row)
            sums.add(line)
            write(line)
        write(_line({"t": "end_table", "name": table.name, **sums.as_dict()}))
    write(_line({"t": "end", "tables": {k: v.as_dict() for k, v in manifest.tables.items()}}))
    return manifest


def database_sums(conn: sa.Connection) -> dict[str, TableSum]:
    """Counts and checksums of what the database holds now, as a backup would record them."""
    sums: dict[str, TableSum] = {}
    for table in metadata.sorted_tables:
        sums[table.name] = TableSum()
        for row in _select_all(conn, table):
            sums[table.name].add(row_line(row))
    return sums


def _lines(pieces: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for piece in pieces:
        rest += piece
        *whole, rest = rest.split(b"\n")
        for line in whole:
            yield line + b"\n"
    if rest:
        raise DumpError("the content ends in the middle of a line")


def _control(line: bytes, kind: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError:
        raise DumpError("a line is not JSON") from None
    if not isinstance(item, dict) or item.get("t") != kind:
        raise DumpError(f"expected {kind!r} here")
    return item


def read(
    pieces: Iterable[bytes],
    on_begin: Callable[[Manifest], None] | None = None,
    on_rows: Callable[[sa.Table, list[dict[str, Any]]], None] | None = None,
) -> Manifest:
    """Read and check a whole dump: every table's rows counted and summed against what the
    dump recorded. ``on_begin`` may refuse early; ``on_rows`` receives decoded rows in
    batches (for a restore)."""
    lines = _lines(pieces)
    first = next(lines, None)
    if first is None:
        raise DumpError("it is empty")
    begin = _control(first, "begin")
    if begin.get("format") != FORMAT:
        raise DumpError(f"its content format {begin.get('format')!r} is unknown")
    manifest = Manifest(begin)
    if on_begin is not None:
        on_begin(manifest)
    for name in begin.get("tables", []):
        head = _control(next(lines, b""), "table")
        table = metadata.tables.get(name)
        if head.get("name") != name or table is None:
            raise DumpError(f"the table {name!r} is not one this server has")
        if head.get("columns") != [c.name for c in table.c]:
            raise DumpError(f"the columns of {name!r} differ from this server's")
        sums = manifest.tables.setdefault(name, TableSum())
        batch: list[dict[str, Any]] = []
        for line in lines:
            if line.startswith(b"{"):
                tail = _control(line, "end_table")
                break
            sums.add(line)
            if on_rows is not None:
                try:
                    values = json.loads(line)
                    batch.append(
                        {c.name: _decode(c, v) for c, v in zip(table.c, values, strict=True)}
                    )
                except ValueError:
                    raise DumpError(f"a row of {name!r} cannot be read") from None
                if len(batch) >= BATCH_ROWS:
                    on_rows(table, batch)
                    batch = []
        else:
            raise DumpError(f"the table {name!r} has no end")
        if batch and on_rows is not None:
            on_rows(table, batch)
        if (tail.get("rows"), tail.get("checksum")) != (sums.rows, sums.checksum):
            raise DumpError(f"the rows of {name!r} do not match their count and checksum")
    end = _control(next(lines, b""), "end")
    if end.get("tables") != {k: v.as_dict() for k, v in manifest.tables.items()}:
        raise DumpError("its closing summary does not match its tables")
    if next(lines, None) is not None:
        raise DumpError("there is more after its end")
    return manifest
