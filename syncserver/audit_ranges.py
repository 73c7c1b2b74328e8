"""Reading the audit chain for a check: in one pass on the caller's connection, or in seq
ranges, each read and checked by a process of its own.

Every entry stores the hash of the entry before it, so a range is checked from the stored
hash of the entry just before it; the ranges' results are then taken in order, and each range
counts only if the one before it ended on the entry just before it (else the walk in one
process would have stopped at that range's first entry: that entry is named missing).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from syncserver.audit_chain import COLUMNS, GENESIS, Walked, check_batch

PARALLEL_FROM = 100_000  # entries: below this, starting processes costs more than it saves


def read_batches(
    conn: sa.Connection,
    tenant_id: str,
    batch: int,
    after: int | None = None,
    upto: int | None = None,
) -> Generator[Sequence[Sequence[Any]]]:
    """The tenant's entries (those with ``after`` < seq <= ``upto``, when given) in order, as
    plain tuples of the hashed columns (``COLUMNS``), ``batch`` at a time, on the connection's
    own transaction. A server-side cursor on PostgreSQL, so the chain is never all in memory;
    closed when the walk ends, early or not."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    where: list[str] = [f"tenant_id = {mark}"]
    params: list[object] = [tenant_id]
    for test, value in ((f"seq > {mark}", after), (f"seq <= {mark}", upto)):
        if value is not None:
            where.append(test)
            params.append(value)
    cursor = dbapi.cursor() if sqlite else dbapi.cursor(name="audit_verify")
    try:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE {' AND '.join(where)} ORDER BY seq",
            tuple(params),
        )
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def shareable(conn: sa.Connection) -> bool:
    """Whether other processes can open the connection's database (not an in-memory one)."""
    database = conn.engine.url.database
    return conn.dialect.name != "sqlite" or database not in (None, "", ":memory:")


@dataclass(frozen=True)
class _Range:
    entries: int  # read (up to and including a broken one)
    last_hash: str
    bad: tuple[int, str] | None


def walk_ranges(
    conn: sa.Connection, tenant_id: str, head_seq: int, workers: int, batch: int
) -> Walked:
    """The chain walked as ``workers`` ranges of seq, each in a process of its own (the
    first range also takes any seq below 1, the last any past the head)."""
    url = conn.engine.url.render_as_string(hide_password=False)
    step = -(-head_seq // workers)
    bounds = [
        (None if k == 0 else k * step, None if k == workers - 1 else (k + 1) * step)
        for k in range(workers)
    ]
    with ProcessPoolExecutor(workers) as pool:
        futures = [
            pool.submit(_check_range, url, tenant_id, after, upto, batch) for after, upto in bounds
        ]
        try:
            done, prev = 0, GENESIS
            for (after, _), future in zip(bounds, futures, strict=True):
                part = future.result()
                if done != (after or 0):  # the range before ended short of this one
                    if part.entries:
                        return Walked(done + 1, prev, (done + 1, f"entry {done + 1} is missing"))
                    continue
                if part.bad is not None:
                    return Walked(done + part.entries, prev, part.bad)
                if part.entries:
                    done, prev = done + part.entries, part.last_hash
            return Walked(done, prev, None)
        finally:
            for future in futures:
                future.cancel()


def _check_range(
    url: str, tenant_id: str, after: int | None, upto: int | None, batch: int
) -> _Range:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            prev = GENESIS
            if after is not None:
                found = conn.execute(
                    sa.text(
                        "SELECT hash FROM audit_log WHERE tenant_id = :t AND seq <= :s "
                        "ORDER BY seq DESC LIMIT 1"
                    ),
                    {"t": tenant_id, "s": after},
                ).scalar()
                prev = GENESIS if found is None else str(found)
            done, count = after or 0, 0
            batches = read_batches(conn, tenant_id, batch, after, upto)
            try:
                for rows in batches:
                    bad = check_batch(tenant_id, conn.dialect.name, done + count + 1, prev, rows)
                    if bad is not None:
                        return _Range(count + bad[0] + 1, prev, bad[1:])
                    count, prev = count + len(rows), rows[-1][-1]
            finally:
                batches.close()
            return _Range(count, prev, None)
    finally:
        engine.dispose()
