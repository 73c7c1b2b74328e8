"""Setting up what is measured, through the project's own code: providers from
shared/demo_data.py, server databases seeded with ``tenancy.seed_provider``, PCs enrolled with
``desktop.services.enrolment.enrol``, and simulated PCs that push over HTTP as a PC does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from benchmarks.infra import MASTER_KEY
from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from shared.demo_data import DemoProvider, DemoStaff, SeedRecord, generate_provider
from shared.entities import ENTITIES
from shared.hlc import HybridClock
from shared.ids import new_id
from shared.protocol import DEVICE_AUTH_SCHEME, PROTOCOL_VERSION, EnrolResponse
from syncserver import tenancy
from syncserver.crypto import FieldCipher, LocalMasterKey
from syncserver.db import migrate
from syncserver.db.engine import Database, open_database

HOMES = (
    ("Oakwood House", "england"),
    ("Bryn Hafod", "wales"),
    ("Heather Lodge", "scotland"),
    ("Lough View", "northern_ireland"),
)
COMPRESS_ABOVE_BYTES = 32 * 1024  # as the PC's sync client does
# Seeding seals personal fields with the master key the server processes are given.
BENCH_CIPHER = FieldCipher(LocalMasterKey(bytes.fromhex(MASTER_KEY), "the benchmarks' key"))
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def provider(
    residents: int,
    days: int,
    per_day: int,
    *,
    homes: int = 1,
    units: int = 2,
    seed: int = 1,
    name: str = "",
    now: dt.datetime = NOW,
) -> DemoProvider:
    return generate_provider(
        tenant_name=name or f"Benchmark Care Group {seed}",
        homes=HOMES[:homes],
        residents_per_home=residents,
        units_per_home=units,
        days=days,
        events_per_resident_day=per_day,
        seed=seed,
        now=now,
    )


def event_count(p: DemoProvider) -> int:
    return len(p.residents) * p.days * p.events_per_resident_day


def fresh_events(p: DemoProvider, days: int, seed: int) -> DemoProvider:
    """The same residents and staff with new events (new ids): what PCs record next."""
    return dataclasses.replace(p, days=days, seed=seed)


def long_history(p: DemoProvider, residents: int, days: int) -> DemoProvider:
    """The first ``residents`` of ``p`` with ``days`` of history (new event ids)."""
    return dataclasses.replace(p, residents=p.residents[:residents], days=days, seed=p.seed + 7)


def migrated(url: str) -> Database:
    db = open_database(url)
    migrate.upgrade(db)
    return db


def seed(db: Database, p: DemoProvider) -> float:
    """Write the provider and its history as the server does; returns the seconds it took."""
    started = time.perf_counter()
    with db.writer.begin() as conn:
        tenancy.seed_provider(conn, p, cipher=BENCH_CIPHER)
    return time.perf_counter() - started


def sqlite_size_mb(path: Path) -> float:
    """The database file after a WAL checkpoint, so the size is all in one file."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def issue_code(db: Database, tenant_id: str, home_id: str) -> str:
    with db.writer.begin() as conn:
        return tenancy.issue_enrol_code(conn, tenant_id, home_id, 60)


def carer(p: DemoProvider, home_id: str) -> DemoStaff:
    for staff in p.staff:
        if staff.role == "care_assistant" and home_id in staff.home_ids:
            return staff
    raise LookupError(f"no care assistant at {home_id}")


def enrol_pc(
    url: str, code: str, data_dir: Path, key_dir: Path, *, bootstrap: bool = True
) -> DesktopServices:
    context = enrol(
        url, code, data_dir, key_dir=str(key_dir), name=data_dir.name, bootstrap=bootstrap
    )
    return DesktopServices(context)


def count_records(services: DesktopServices) -> int:
    with services.context.store.read() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM records").scalar_one())


def state_rows(seeds: Iterable[SeedRecord], first_seq: int) -> list[dict[str, Any]]:
    """Records as the server sends them in a pull (server-written: no user or device)."""
    rows = []
    for seq, s in enumerate(seeds, start=first_seq):
        hlc = f"{s.occurred_ms:015d}-00000-server"
        version = f"{hlc}|{s.record_id}"
        occurred = s.fields.get("occurred_at")
        rows.append(
            {
                "record_id": s.record_id,
                "entity": s.entity,
                "home_id": None if ENTITIES[s.entity].tenant_wide else s.home_id,
                "resident_id": s.resident_id,
                "fields": json.dumps(s.fields),
                "versions": json.dumps({k: version for k in s.fields}),
                "hlc": hlc,
                "server_seq": seq,
                "user_id": None,
                "device_id": None,
                "occurred_at": occurred if isinstance(occurred, str) else None,
            }
        )
    return rows


@dataclasses.dataclass
class SimPC:
    """An enrolled PC without a store: makes the changes a PC would send, as HTTP bodies."""

    device_id: str
    secret: str
    user_id: str
    clock: HybridClock
    seq: int = 0

    @classmethod
    def enrol(cls, http: httpx.Client, url: str, code: str, user_id: str, name: str) -> SimPC:
        reply = http.post(
            url + "/v1/devices/enrol",
            json={"code": code, "device_name": name, "app_version": "bench"},
        )
        reply.raise_for_status()
        body = EnrolResponse.model_validate_json(reply.content)
        return cls(body.device_id, body.device_secret, user_id, HybridClock(body.device_id[-12:]))

    def headers(self) -> dict[str, str]:
        return {
            "authorization": f"{DEVICE_AUTH_SCHEME} {self.device_id}.{self.secret}",
            "content-type": "application/json",
        }

    def push_body(self, seeds: Iterable[SeedRecord]) -> tuple[bytes, dict[str, str]]:
        changes = []
        for s in seeds:
            self.seq += 1
            changes.append(
                {
                    "change_id": new_id(),
                    "device_seq": self.seq,
                    "entity": s.entity,
                    "record_id": s.record_id,
                    "op": "create",
                    "fields": s.fields,
                    "base_versions": {},
                    "hlc": self.clock.now(),
                    "user_id": self.user_id,
                    "recorded_at_ms": int(time.time() * 1000),
                }
            )
        raw = json.dumps({"protocol": PROTOCOL_VERSION, "changes": changes}).encode()
        headers = self.headers()
        if len(raw) > COMPRESS_ABOVE_BYTES:
            raw = gzip.compress(raw, compresslevel=5)
            headers["content-encoding"] = "gzip"
        return raw, headers

    def push(self, http: httpx.Client, url: str, seeds: list[SeedRecord]) -> None:
        body, headers = self.push_body(seeds)
        reply = http.post(url + "/v1/sync/push", content=body, headers=headers)
        if reply.status_code != 200:
            raise RuntimeError(f"push refused ({reply.status_code}): {reply.text[:300]}")


def scalar(db: Database, query: str) -> Any:
    with db.reader.connect() as conn:
        return conn.execute(sa.text(query)).scalar_one()
