"""The pieces of a sync world the reliability tests share: PCs enrolled against a server URL,
notes and edits recorded as the services record them, the harness's retry loop, and the
checks that count lost, duplicated, divergent and leaked records."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.services.enrolment import enrol
from desktop.store import outbox
from desktop.sync.client import SyncClient
from desktop.sync.engine import SyncEngine, SyncReport
from desktop.sync.errors import Offline, ServerRefused
from desktop.sync.local_changes import Author
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.db.tables import changes, devices, records
from tests.helpers.server import server_cipher
from tests.helpers.sync_world import Tenant, replica_state

State = dict[str, tuple[str, Any, Any]]  # record id -> (entity, fields, versions)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def issue_code(db: Database, tenant_id: str, home_id: str) -> str:
    with db.writer.begin() as conn:
        return tenancy.issue_enrol_code(conn, tenant_id, home_id, 30)


def enrol_pc(
    db: Database,
    url: str,
    tenant: Tenant,
    data_dir: Path,
    key_dir: Path,
    *,
    http: httpx.Client | None = None,
    home_id: str | None = None,
) -> AppContext:
    """Enrol a PC over the protocol (a one-time code, then the bootstrap pull)."""
    code = issue_code(db, tenant.tenant_id, home_id or tenant.home_id)
    return enrol(url, code, data_dir, key_dir=str(key_dir), http=http)


def record_note(context: AppContext, tenant: Tenant, resident: int, text: str) -> str:
    """What NoteService.record_note writes: one care note and its outbox entry, together."""
    author = Author(tenant.users["care_assistant"], "care_assistant")
    fields = {
        "resident_id": tenant.residents[resident % len(tenant.residents)],
        "category": "general",
        "text": text,
        "occurred_at": now_iso(),
    }
    with context.store.write() as conn:
        return context.recorder.create(conn, "care_note", fields, author).record_id


def record_notes(
    context: AppContext, tenant: Tenant, count: int, text: str, per_commit: int = 100
) -> list[str]:
    """Many notes, as a PC offline for a while would hold them: committed a hundred at a
    time (each with its own outbox entry) so that setting up a big outbox stays quick."""
    author = Author(tenant.users["care_assistant"], "care_assistant")
    ids: list[str] = []
    while len(ids) < count:
        with context.store.write() as conn:
            for _ in range(min(per_commit, count - len(ids))):
                fields = {
                    "resident_id": tenant.residents[len(ids) % len(tenant.residents)],
                    "category": "general",
                    "text": f"{text} {len(ids)}",
                    "occurred_at": now_iso(),
                }
                ids.append(context.recorder.create(conn, "care_note", fields, author).record_id)
    return ids


def edit_resident(
    context: AppContext, tenant: Tenant, resident: int, name: str, value: Any
) -> None:
    author = Author(tenant.users["senior_carer"], "senior_carer")
    with context.store.write() as conn:
        context.recorder.update(
            conn, tenant.residents[resident % len(tenant.residents)], {name: value}, author
        )


# --- the harness's retry loop --------------------------------------------------------------


@dataclass
class RetryStats:
    attempts: int = 0
    offline: int = 0
    http_5xx: int = 0
    refusals: list[str] = field(default_factory=list)
    waited_s: float = 0.0


EngineFactory = Callable[[AppContext, SyncClient], SyncEngine]
ClientFactory = Callable[[AppContext], SyncClient]


def plain_engine(context: AppContext, client: SyncClient) -> SyncEngine:
    return SyncEngine(context.store, client, context.recorder, context.clock)


def plain_client(context: AppContext) -> SyncClient:
    return context.client()


def sync_with_retry(
    context: AppContext,
    rng: random.Random,
    *,
    make_engine: EngineFactory = plain_engine,
    make_client: ClientFactory = plain_client,
    stats: RetryStats | None = None,
    attempts: int = 60,
    base_s: float = 0.05,
    cap_s: float = 1.0,
    deadline_s: float = 120.0,
) -> SyncReport:
    """Sync until one whole sync succeeds, with exponential backoff and jitter between
    attempts. The engine has no retry loop of its own (the desktop app retries on its sync
    timer), so the harness supplies it. A 5xx is counted and retried; any 4xx fails."""
    stats = stats if stats is not None else RetryStats()
    delay = base_s
    give_up = time.monotonic() + deadline_s
    for _ in range(attempts):
        stats.attempts += 1
        client = make_client(context)
        try:
            return make_engine(context, client).sync()
        except Offline:
            stats.offline += 1
        except ServerRefused as exc:
            if exc.status < 500:
                raise
            stats.http_5xx += 1
            stats.refusals.append(f"{exc.status} {exc.code}")
        finally:
            client.close()
        if time.monotonic() > give_up:
            break
        pause = delay * rng.uniform(0.5, 1.5)
        stats.waited_s += pause
        time.sleep(pause)  # backoff between retries: the behaviour under test, not a wait
        delay = min(cap_s, delay * 2)
    raise AssertionError(f"sync never succeeded ({stats})")


# --- what the server holds ----------------------------------------------------------------


def server_state(db: Database, tenant_id: str, home_id: str) -> State:
    """The records of one home's scope on the server, shaped like ``replica_state``
    (personal fields are sealed at rest: opened here as a pull opens them)."""
    with db.reader.connect() as conn:
        rows = conn.execute(
            sa.select(
                records.c.record_id, records.c.entity, records.c.fields, records.c.versions
            ).where(
                records.c.tenant_id == tenant_id,
                sa.or_(records.c.home_id == home_id, records.c.home_id.is_(None)),
            )
        ).all()
        cipher = server_cipher().for_tenant(conn, tenant_id)
        return {
            r.record_id: (
                r.entity,
                cipher.open(r.entity, r.record_id, json.loads(r.fields)),
                json.loads(r.versions),
            )
            for r in rows
        }


def stored_changes(db: Database, tenant_id: str, entity: str = "care_note") -> Counter[str]:
    """How many times each record of ``entity`` was stored in the changes log."""
    with db.reader.connect() as conn:
        ids = conn.execute(
            sa.select(changes.c.record_id).where(
                changes.c.tenant_id == tenant_id, changes.c.entity == entity
            )
        ).scalars()
        return Counter(ids)


@dataclass
class Tally:
    written: int = 0
    lost: int = 0
    duplicates: int = 0
    divergent: int = 0
    leaks: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.written += other.written
        self.lost += other.lost
        self.duplicates += other.duplicates
        self.divergent += other.divergent
        self.leaks += other.leaks
        self.problems.extend(other.problems)


def check_tenant(
    db: Database,
    tenant: Tenant,
    saved_notes: Iterable[str],
    replicas: Iterable[tuple[str, str, State]],
) -> Tally:
    """Every note a PC said it saved is on the server exactly once, and every replica (name,
    home, state) equals the server's view of its home."""
    tally = Tally()
    saved = set(saved_notes)
    tally.written = len(saved)
    logged = stored_changes(db, tenant.tenant_id)
    missing = saved - set(logged)
    tally.lost = len(missing)
    tally.duplicates = sum(n - 1 for n in logged.values() if n > 1)
    if missing:
        tally.problems.append(f"lost notes: {sorted(missing)[:5]}")
    views: dict[str, State] = {}
    for name, home_id, state in replicas:
        if home_id not in views:
            views[home_id] = server_state(db, tenant.tenant_id, home_id)
        if state != views[home_id]:
            tally.divergent += 1
            tally.problems.append(f"{name} differs: {describe_difference(state, views[home_id])}")
    return tally


def describe_difference(local: State, server: State) -> str:
    only_local = sorted(set(local) - set(server))
    only_server = sorted(set(server) - set(local))
    changed = sorted(k for k in set(local) & set(server) if local[k] != server[k])
    return f"only on PC {only_local[:3]}, only on server {only_server[:3]}, differ {changed[:3]}"


def replica(context: AppContext) -> State:
    return replica_state(context)


def outbox_size(context: AppContext) -> int:
    with context.store.read() as conn:
        return outbox.count(conn)


def tenant_of_records(db: Database) -> dict[str, str]:
    """record id -> tenant id for every record on the server."""
    with db.reader.connect() as conn:
        return {
            r.record_id: r.tenant_id
            for r in conn.execute(sa.select(records.c.record_id, records.c.tenant_id))
        }


def device_skew_ms(db: Database, device_id: str) -> int | None:
    with db.reader.connect() as conn:
        value = conn.execute(
            sa.select(devices.c.clock_skew_ms).where(devices.c.id == device_id)
        ).scalar_one()
    return None if value is None else int(value)
