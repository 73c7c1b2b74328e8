"""Pull: the merged records of a device's scope after its cursor, in sequence order.

Sequence numbers are handed out under the tenant's row lock and committed in that order, so a
reader never sees a higher number before a lower one commits: a cursor never skips a change.
The response is assembled from the stored JSON text without re-parsing it, except for the
few entities with sealed personal fields (residents, review items, photos), which are opened
here. A page also ends once its records' fields pass PULL_PAGE_BYTES, so that a page of body
map photos (each up to about 1 MB of text) stays a few MiB rather than gigabytes.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from syncserver.crypto import SEALED_ENTITIES, TenantCipher
from syncserver.db.tables import records, tenants
from syncserver.sync.context import DeviceContext

PULL_PAGE_BYTES = 16 * 1024 * 1024
PULL_STREAM_ROWS = 1000  # rows fetched from the database at a time


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
    server_seq = int(
        conn.execute(sa.select(tenants.c.seq).where(tenants.c.id == device.tenant_id)).scalar_one()
    )
    result = conn.execute(
        sa.select(
            records.c.entity,
            records.c.record_id,
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
    rows = page
    has_more = len(rows) == limit or page_bytes >= PULL_PAGE_BYTES
    new_cursor = int(rows[-1].server_seq) if rows else max(cursor, 0)
    if not has_more:
        new_cursor = max(new_cursor, server_seq if cursor <= server_seq else cursor)
    dumps = json.dumps

    def opened(entity: str, record_id: str, fields: str) -> str:
        if entity not in SEALED_ENTITIES:
            return fields
        return dumps(cipher.open(entity, record_id, json.loads(fields)))

    parts = [
        f'{{"entity":{dumps(r.entity)},"record_id":"{r.record_id}",'
        f'"home_id":{dumps(r.home_id)},"resident_id":{dumps(r.resident_id)},'
        f'"fields":{opened(r.entity, r.record_id, r.fields)},"versions":{r.versions},'
        f'"hlc":{dumps(r.hlc)},'
        f'"server_seq":{int(r.server_seq)},"user_id":{dumps(r.user_id)},'
        f'"device_id":{dumps(r.device_id)}}}'
        for r in rows
    ]
    scope_count = None
    if not has_more and count_scope:
        scope_count = int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(records)
                .where(_scope(device), records.c.server_seq <= new_cursor)
            ).scalar_one()
        )
    more = "true" if has_more else "false"
    count = "null" if scope_count is None else str(scope_count)
    body = (
        f'{{"protocol":{protocol},"records":[{",".join(parts)}],"cursor":{new_cursor},'
        f'"has_more":{more},"server_seq":{server_seq},"scope_count":{count}}}'
    )
    return body.encode()
