"""Driving the real sync server in tests: a migrated database, the app, enrolled PCs, and
changes to push, all through the public API (HTTP via Starlette's TestClient)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider, DemoStaff, SeedRecord
from shared.ids import new_id
from shared.protocol import (
    DEVICE_AUTH_SCHEME,
    PROTOCOL_VERSION,
    Change,
    PullResponse,
    PushRequest,
    PushResponse,
    RecordState,
)
from shared.pull_page import ARRAY_PAGE_PROTOCOL, decode_pull_page, state_of_row
from syncserver import tenancy
from syncserver.api.app import create_app
from syncserver.config import Settings
from syncserver.crypto import FieldCipher, LocalMasterKey
from syncserver.db import migrate
from syncserver.db.engine import Database, open_database
from syncserver.db.tables import audit_log, changes, devices, metadata, records

JWT_SECRET = "x" * 40
# The master key of every test server (and of WCN_MASTER_KEY in tests that start one from
# the environment): one key, so rows seeded once can be copied into every test database.
MASTER_KEY = "6d" * 32
_CIPHER = FieldCipher(LocalMasterKey(bytes.fromhex(MASTER_KEY), "the tests' master key"))


def server_cipher() -> FieldCipher:
    """The field cipher of the test servers (same master key)."""
    return _CIPHER


def open_migrated(url: str) -> Database:
    db = open_database(url)
    migrate.upgrade(db)
    return db


def make_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"master_key": MASTER_KEY, **overrides}
    return Settings(database_url=url, jwt_secret=JWT_SECRET, **values)


def make_app(db: Database, **overrides: Any) -> FastAPI:
    return create_app(make_settings(db.url, **overrides), db)


# --- the demo provider -------------------------------------------------------------------

_seeded_rows: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}


def seed(db: Database, provider: DemoProvider) -> None:
    """Write ``provider`` into ``db`` as ``tenancy.seed_provider`` does.

    The first time per database kind, this runs ``seed_provider`` and keeps the rows it wrote;
    later calls insert those same rows (argon2 hashes, audit chain and counters included),
    which is what makes a freshly seeded database cheap enough for every test. A provider
    is therefore reused between tests, so it must not be changed.
    """
    key = (db.writer.dialect.name, provider.tenant_id)
    kept = _seeded_rows.get(key)
    if kept is None:
        with db.writer.begin() as conn:
            tenancy.seed_provider(conn, provider, cipher=_CIPHER)
        _seeded_rows[key] = _tenant_rows(db, provider.tenant_id)
        return
    with db.writer.begin() as conn:
        for table in metadata.sorted_tables:  # parents before children
            if kept.get(table.name):
                conn.execute(sa.insert(table), kept[table.name])


def _tenant_rows(db: Database, tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    with db.reader.connect() as conn:
        for table in metadata.sorted_tables:
            column = table.c.id if table.name == "tenants" else table.c.get("tenant_id")
            if column is None:
                continue
            found = conn.execute(sa.select(table).where(column == tenant_id)).mappings()
            rows[table.name] = [dict(r) for r in found]
    return rows


def home_ids(provider: DemoProvider) -> list[str]:
    return [h.record_id for h in provider.homes]


def residents_of(provider: DemoProvider, home_id: str) -> list[SeedRecord]:
    return [r for r in provider.residents if r.home_id == home_id]


def staff_of(provider: DemoProvider, role: str, home_id: str | None = None) -> DemoStaff:
    """The first member of staff with ``role`` (working at ``home_id``, if given)."""
    for staff in provider.staff:
        if staff.role == role and (home_id is None or home_id in staff.home_ids):
            return staff
    raise LookupError(f"the demo provider has no {role} at {home_id}")


# --- enrolled PCs ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolledDevice:
    device_id: str
    secret: str
    tenant_id: str
    home_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"{DEVICE_AUTH_SCHEME} {self.device_id}.{self.secret}"}


def issue_code(db: Database, tenant_id: str, home_id: str, minutes: int = 60) -> str:
    with db.writer.begin() as conn:
        return tenancy.issue_enrol_code(conn, tenant_id, home_id, minutes)


def enrol_device(
    client: TestClient, db: Database, tenant_id: str, home_id: str, name: str = "Ward PC"
) -> EnrolledDevice:
    """Issue a one-time code as IT would, then enrol a PC with it over HTTP."""
    code = issue_code(db, tenant_id, home_id)
    response = client.post(
        "/v1/devices/enrol", json={"code": code, "device_name": name, "app_version": "0.1.0"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["tenant_id"], body["home_id"]) == (tenant_id, home_id)
    return EnrolledDevice(body["device_id"], body["device_secret"], tenant_id, home_id)


def enrol_headers(
    client: TestClient, db: Database, tenant_id: str, home_id: str, name: str = "Ward PC"
) -> dict[str, str]:
    """Enrol a PC and return only its ``authorization`` header."""
    return enrol_device(client, db, tenant_id, home_id, name).headers


# --- changes, push and pull --------------------------------------------------------------


def hlc_at(ms: int, counter: int = 0, node: str = "test") -> str:
    return f"{ms:015d}-{counter:05d}-{node}"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ChangeMaker:
    """Makes the changes one PC would record: consecutive device sequence numbers and an
    increasing hybrid clock."""

    def __init__(self, node: str = "pc", start_ms: int | None = None) -> None:
        self.node = node
        self.seq = 0
        self._ms = start_ms if start_ms is not None else int(time.time() * 1000)
        self._counter = 0

    def next_hlc(self) -> str:
        self._counter += 1
        return hlc_at(self._ms, self._counter, self.node)

    def change(
        self,
        entity: str,
        record_id: str,
        op: str,
        fields: dict[str, Any],
        user_id: str,
        *,
        base_versions: dict[str, str] | None = None,
        hlc: str | None = None,
        device_seq: int | None = None,
    ) -> Change:
        if device_seq is None:
            self.seq += 1
            device_seq = self.seq
        return Change.model_validate(
            {
                "change_id": new_id(),
                "device_seq": device_seq,
                "entity": entity,
                "record_id": record_id,
                "op": op,
                "fields": fields,
                "base_versions": base_versions or {},
                "hlc": hlc or self.next_hlc(),
                "user_id": user_id,
                "recorded_at_ms": int(time.time() * 1000),
            }
        )

    def note(
        self, resident_id: str, user_id: str, text: str = "Settled well.", **extra: Any
    ) -> Change:
        fields = {
            "resident_id": resident_id,
            "category": "general",
            "text": text,
            "occurred_at": now_iso(),
            **extra,
        }
        return self.change("care_note", new_id(), "create", fields, user_id)

    def update(
        self,
        entity: str,
        record_id: str,
        user_id: str,
        fields: dict[str, Any],
        base_versions: dict[str, str],
        *,
        hlc: str | None = None,
    ) -> Change:
        return self.change(
            entity, record_id, "update", fields, user_id, base_versions=base_versions, hlc=hlc
        )


def push_body(changes: Sequence[Change], protocol: int = PROTOCOL_VERSION) -> bytes:
    return PushRequest(protocol=protocol, changes=list(changes)).model_dump_json().encode()


def push(
    client: TestClient,
    headers: dict[str, str],
    changes: Sequence[Change],
    protocol: int = PROTOCOL_VERSION,
) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/sync/push",
        content=push_body(changes, protocol),
        headers={**headers, "content-type": "application/json"},
    )
    return response


def push_ok(
    client: TestClient,
    headers: dict[str, str],
    changes: Sequence[Change],
    protocol: int = PROTOCOL_VERSION,
) -> PushResponse:
    response = push(client, headers, changes, protocol)
    assert response.status_code == 200, response.text
    return PushResponse.model_validate_json(response.content)


def pull(
    client: TestClient,
    headers: dict[str, str],
    cursor: int = 0,
    limit: int = 5000,
    protocol: int = PROTOCOL_VERSION,
) -> PullResponse:
    response = client.post(
        "/v1/sync/pull",
        json={"protocol": protocol, "cursor": cursor, "limit": limit},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return parse_pull_reply(response.content)


def parse_pull_reply(content: bytes) -> PullResponse:
    """A pull reply of any protocol version as the model of protocols 1 and 2 (a page of
    arrays from protocol 3 is decoded and checked first)."""
    if json.loads(content)["protocol"] < ARRAY_PAGE_PROTOCOL:
        return PullResponse.model_validate_json(content)
    page = decode_pull_page(content)
    return PullResponse(
        protocol=page.protocol,
        records=[state_of_row(row) for row in page.rows],
        cursor=page.cursor,
        has_more=page.has_more,
        server_seq=page.server_seq,
        scope_count=page.scope_count,
    )


def pull_all(
    client: TestClient,
    headers: dict[str, str],
    cursor: int = 0,
    limit: int = 5000,
    protocol: int = PROTOCOL_VERSION,
) -> tuple[list[RecordState], int]:
    """Every record after ``cursor``, page by page; returns them and the final cursor."""
    seen: list[RecordState] = []
    while True:
        page = pull(client, headers, cursor, limit, protocol)
        seen.extend(page.records)
        cursor = page.cursor
        if not page.has_more:
            return seen, cursor


# --- looking inside the server database --------------------------------------------------


@dataclass(frozen=True)
class StoredRecord:
    entity: str
    home_id: str | None
    fields: dict[str, Any]
    versions: dict[str, str]
    server_seq: int


def stored_record(db: Database, tenant_id: str, record_id: str) -> StoredRecord | None:
    with db.reader.connect() as conn:
        row = conn.execute(
            sa.select(
                records.c.entity,
                records.c.home_id,
                records.c.fields,
                records.c.versions,
                records.c.server_seq,
            ).where(records.c.tenant_id == tenant_id, records.c.record_id == record_id)
        ).one_or_none()
    if row is None:
        return None
    return StoredRecord(
        row.entity, row.home_id, json.loads(row.fields), json.loads(row.versions), row.server_seq
    )


@dataclass(frozen=True)
class Footprint:
    """What a push can leave behind: compare before and after to prove it left nothing."""

    records: int
    changes: int
    acked_seq: dict[str, int]


def footprint(db: Database, tenant_id: str) -> Footprint:
    with db.reader.connect() as conn:

        def count(table: sa.Table) -> int:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(table.c.tenant_id == tenant_id)
                ).scalar_one()
            )

        acked = {
            str(row.id): int(row.acked_seq)
            for row in conn.execute(
                sa.select(devices.c.id, devices.c.acked_seq).where(devices.c.tenant_id == tenant_id)
            )
        }
        return Footprint(count(records), count(changes), acked)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    action: str
    user_id: str | None
    device_id: str | None
    subject: str | None
    detail: dict[str, Any]


def audit_rows(db: Database, tenant_id: str, action: str | None = None) -> list[AuditRow]:
    query = sa.select(audit_log).where(audit_log.c.tenant_id == tenant_id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    with db.reader.connect() as conn:
        rows = conn.execute(query.order_by(audit_log.c.seq)).mappings().all()
    return [
        AuditRow(
            int(r["seq"]),
            r["action"],
            r["user_id"],
            r["device_id"],
            r["subject"],
            json.loads(r["detail"]),
        )
        for r in rows
    ]


class Enrol(Protocol):
    """The ``enrol`` fixture: enrol a PC of the demo provider (its first home by default)."""

    def __call__(self, home_id: str | None = None, name: str = "Ward PC") -> EnrolledDevice: ...
