"""PCs whose wall clocks the test sets: skewed by up to a day either way, or jumping
backwards in the middle of a session. The hybrid clock, and the time the PC reports to the
server at ``hello``, both read the PC's wall clock."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.store import meta
from desktop.store import records as records_repo
from desktop.sync.client import SyncClient
from desktop.sync.local_changes import Author
from shared.hlc import HybridClock
from syncserver.db.engine import Database
from syncserver.db.tables import changes
from tests.helpers.sync_world import Tenant
from tests.reliability.world import now_iso

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass
class Wall:
    """A wall clock ``offset_ms`` away from the real one."""

    offset_ms: int = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms


class SkewedClient(SyncClient):
    """The real client, reporting the PC's own (wrong) wall clock to the server."""

    def __init__(self, *args: Any, wall_ms: Callable[[], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wall_ms = wall_ms

    def _headers(self) -> dict[str, str]:
        headers = super()._headers()
        headers["x-client-time-ms"] = str(self._wall_ms())
        return headers


@dataclass
class ClockPc:
    name: str
    context: AppContext
    wall: Wall
    http: httpx.Client
    hlcs: list[str] = field(default_factory=list)  # its own records' clocks, in order
    offset_at_sync: int | None = None

    def set_clock(self) -> None:
        """Point the PC's hybrid clock at ``wall``, keeping its last reading."""
        clock = HybridClock(self.context.device.device_id[-12:], wall_ms=self.wall.now_ms)
        clock.observe(self.context.clock.now())
        self.context.clock = clock
        self.context.recorder.clock = clock

    def client(self, context: AppContext) -> SyncClient:
        with context.store.read() as conn:
            secret = str(meta.get(conn, "device_secret"))
        self.offset_at_sync = self.wall.offset_ms
        return SkewedClient(
            context.device.server_url,
            http=self.http,
            device_id=context.device.device_id,
            device_secret=secret,
            wall_ms=self.wall.now_ms,
        )

    # -- what a carer or a senior does ---------------------------------------------------

    def note(self, tenant: Tenant, resident: int, text: str) -> str:
        author = Author(tenant.users["care_assistant"], "care_assistant")
        fields = {
            "resident_id": tenant.residents[resident % len(tenant.residents)],
            "category": "general",
            "text": text,
            "occurred_at": now_iso(),
        }
        with self.context.store.write() as conn:
            record = self.context.recorder.create(conn, "care_note", fields, author)
        self.hlcs.append(record.hlc)
        return record.record_id

    def amend(self, tenant: Tenant, note_id: str, text: str) -> tuple[str, str, list[str]]:
        """What NoteService.amend writes. Returns the amendment's id, its clock, and the
        clocks of the versions of the note this PC already had."""
        author = Author(tenant.users["care_assistant"], "care_assistant")
        with self.context.store.write() as conn:
            original = records_repo.get(conn, note_id)
            assert original is not None
            earlier = [original.hlc] + [
                e.hlc
                for e in records_repo.by_entity(conn, "care_note")
                if e.fields.get("amends_id") == note_id
            ]
            fields = {
                **{
                    k: v for k, v in original.fields.items() if k not in ("amends_id", "amend_kind")
                },
                "text": text,
                "amends_id": note_id,
                "amend_kind": "amendment",
                "amend_reason": "Corrected",
            }
            record = self.context.recorder.create(conn, "care_note", fields, author)
        self.hlcs.append(record.hlc)
        return record.record_id, record.hlc, earlier

    def edit(self, tenant: Tenant, resident: int, name: str, value: Any) -> None:
        author = Author(tenant.users["senior_carer"], "senior_carer")
        record_id = tenant.residents[resident % len(tenant.residents)]
        with self.context.store.write() as conn:
            current = records_repo.get(conn, record_id)
            if current is not None and current.fields.get(name) == value:
                return  # nothing to change: the recorder writes nothing either
            record = self.context.recorder.update(conn, record_id, {name: value}, author)
        self.hlcs.append(record.hlc)

    def originals(self) -> list[str]:
        """Notes on this PC that are not amendments."""
        with self.context.store.read() as conn:
            return [
                n.record_id
                for n in records_repo.by_entity(conn, "care_note")
                if not n.fields.get("amends_id")
            ]


@dataclass(frozen=True)
class Write:
    record_id: str
    field: str
    value: Any
    version: str
    base: str | None


def field_writes(db: Database, tenant_id: str) -> list[Write]:
    """Every field write to a resident that reached the server, from its changes log."""
    with db.reader.connect() as conn:
        rows = conn.execute(
            sa.select(
                changes.c.record_id,
                changes.c.change_id,
                changes.c.fields,
                changes.c.base_versions,
                changes.c.hlc,
            ).where(changes.c.tenant_id == tenant_id, changes.c.entity == "resident")
        ).all()
    writes = []
    for r in rows:
        base = json.loads(r.base_versions)
        for name, value in json.loads(r.fields).items():
            writes.append(Write(r.record_id, name, value, f"{r.hlc}|{r.change_id}", base.get(name)))
    return writes
