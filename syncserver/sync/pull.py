"""Pull: the merged records of a device's scope after its cursor, in sequence order.

Sequence numbers are handed out under the tenant's row lock and committed in that order, so a
reader never sees a higher number before a lower one commits: a cursor never skips a change.
The response is assembled from the stored JSON text without re-parsing it, except for the
few entities with sealed personal fields (residents, review items, photos), which are opened
here. A page also ends once its records' fields pass PULL_PAGE_BYTES, so that a page of body
map photos (each up to about 1 MB of text) stays a few MiB rather than gigabytes.

Protocol 3 sends each record as an array with ``fields``/``versions`` as JSON strings
(shared.pull_page); protocols 1 and 2 get the objects of ``PullResponse``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shared.pull_page import ARRAY_PAGE_PROTOCOL, PulledRow, encode_pull_page
from syncserver.crypto import SEALED_ENTITIES, TenantCipher
from syncserver.db.tables import records, tenants
from syncserver.sync.context import DeviceContext

PULL_PAGE_BYTES = 16 * 1024 * 1024
PULL_STREAM_ROWS = 1000  # rows fetched from the database at a time


@dataclass(frozen=True)
class _Page:
    rows: list[PulledRow]
    cursor: int
    has_more: bool
    server_seq: int
    scope_count: int | None


def _scope(device: DeviceContext) -> sa.ColumnElement[bool]:
    return sa.and_(
        records.c.tenant_id == device.tenant_id,
        sa.or_(records.c.home_id == device.home_id, records.c.home_id.is_(None)),
    )


def pull_json(
    conn: sa.Connection,
    device: DeviceContext,
    protocol: int,
    cursor: int,
    limit: int,
    *,
    cipher: TenantCipher,
    count_scope: bool = True,
) -> bytes:
    page = _read_page(conn, device, cursor, limit, cipher=cipher, count_scope=count_scope)
    if protocol >= ARRAY_PAGE_PROTOCOL:
        return encode_pull_page(
            protocol,
            page.rows,
            cursor=page.cursor,
            has_more=page.has_more,
            server_seq=page.server_seq,
            scope_count=page.scope_count,
        )
    return _objects_page(protocol, page)


def _read_page(
    conn: sa.Connection,
    device: DeviceContext,
    cursor: int,
    limit: int,
    *,
    cipher: TenantCipher,
    count_scope: bool,
) -> _Page:
    server_seq = int(
        conn.execute(sa.select(tenants.c.seq).where(tenants.c.id == device.tenant_id)).scalar_one()
    )
    result = conn.execute(
        sa.select(
            records.c.record_id,
            records.c.entity,
            records.c.home_id,
            records.c.resident_id,
            records.c.fields,
            records.c.versions,
            records.c.hlc,
            records.c.server_seq,
            records.c.user_id,
            records.c.device_id,
        )
        .where(_scope(device), records.c.server_seq > cursor, records.c.server_seq <= server_seq)
        .order_by(records.c.server_seq)
        .limit(limit)
        .execution_options(yield_per=PULL_STREAM_ROWS)
    )
    page: list[Any] = []  # read a few rows at a time: stop once the page is full
    page_bytes = 0
    for row in result:
        page.append(row)
        page_bytes += len(row.fields)
        if page_bytes >= PULL_PAGE_BYTES:
            break
    result.close()
    has_more = len(page) == limit or page_bytes >= PULL_PAGE_BYTES
    new_cursor = int(page[-1].server_seq) if page else max(cursor, 0)
    if not has_more:
        new_cursor = max(new_cursor, server_seq if cursor <= server_seq else cursor)

    # The query's columns are PULL_COLUMNS, in order: each row goes out as it came, except
    # the few with sealed fields, opened here.
    rows: list[PulledRow] = [tuple(r) for r in page]
    for i, row in enumerate(rows):
        if row[1] in SEALED_ENTITIES:
            opened = json.dumps(cipher.open(row[1], row[0], json.loads(row[4])))
            rows[i] = (*row[:4], opened, *row[5:])
    scope_count = None
    if not has_more and count_scope:
        scope_count = _count_scope(conn, device, new_cursor)
    return _Page(rows, new_cursor, has_more, server_seq, scope_count)


def _count_scope(conn: sa.Connection, device: DeviceContext, cursor: int) -> int:
    """Records in the device's scope up to ``cursor``: two counts over the index on (home,
    tenant, sequence), which never read the rows themselves (with the ``OR`` of the scope in
    one query the database would walk the tenant's rows instead)."""
    total = 0
    for at_home in (records.c.home_id == device.home_id, records.c.home_id.is_(None)):
        total += int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(records)
                .where(
                    at_home,
                    records.c.tenant_id == device.tenant_id,
                    records.c.server_seq <= cursor,
                )
            ).scalar_one()
        )
    return total


def _objects_page(protocol: int, page: _Page) -> bytes:
    """Protocols 1 and 2: each record an object with ``fields``/``versions`` as objects."""
    dumps = json.dumps
    parts = [
        f'{{"entity":{dumps(r[1])},"record_id":{dumps(r[0])},'
        f'"home_id":{dumps(r[2])},"resident_id":{dumps(r[3])},'
        f'"fields":{r[4]},"versions":{r[5]},"hlc":{dumps(r[6])},'
        f'"server_seq":{r[7]},"user_id":{dumps(r[8])},"device_id":{dumps(r[9])}}}'
        for r in page.rows
    ]
    more = "true" if page.has_more else "false"
    count = "null" if page.scope_count is None else str(page.scope_count)
    body = (
        f'{{"protocol":{protocol},"records":[{",".join(parts)}],"cursor":{page.cursor},'
        f'"has_more":{more},"server_seq":{page.server_seq},"scope_count":{count}}}'
    )
    return body.encode()
