"""Property test of the whole sync design: several PCs with real encrypted stores and the real
server app, random edits, partial syncs, lost requests and replies, crashes mid-sync, replays
and clock skew. After everyone syncs, every replica equals the server, every saved note is
there exactly once, and no written value vanished without a person seeing it or a review item
holding it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from desktop.services.context import AppContext
from desktop.store.database import Store
from desktop.sync.engine import SyncEngine
from desktop.sync.errors import SyncError
from desktop.sync.local_changes import Author
from shared.hlc import HybridClock
from shared.pull_page import PulledRow
from syncserver.db.engine import Database
from syncserver.db.tables import changes, records
from tests.helpers.server import make_app, open_migrated, server_cipher
from tests.helpers.sync_world import Tenant, make_tenant, replica_state

MAX_PCS = 6
EDITABLE = {
    "room": ["1", "2", "12A"],
    "allergies": ["None known", "Penicillin", "Latex"],
    "diet": ["Normal", "Soft", "Diabetic"],
    "status": ["admitted", "discharged"],
}


class FaultyHttp:
    """Between a PC and the server: can lose the next request before it arrives, or its
    reply after the server acted on it, and remembers pushes so they can be replayed."""

    def __init__(self, inner: TestClient) -> None:
        self.inner = inner
        self.next_fault: str | None = None
        self.pushes: list[tuple[bytes, dict[str, str]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        fault, self.next_fault = self.next_fault, None
        if fault == "drop_request":
            raise httpx.ConnectError("injected: request lost")
        response: httpx.Response = self.inner.request(method, url, **kwargs)
        if url.endswith("/v1/sync/push") and response.status_code == 200:
            self.pushes.append((kwargs["content"], dict(kwargs["headers"])))
        if fault == "drop_reply":
            raise httpx.ReadError("injected: reply lost")
        return response

    def close(self) -> None:
        pass


class CrashingEngine(SyncEngine):
    """Dies inside the transaction that applies pulled records, before the cursor commits."""

    def apply(self, conn: sa.Connection, states: list[PulledRow]) -> None:
        super().apply(conn, states)
        if states:
            raise SyncError("injected: crash while applying a pull")


class World:
    def __init__(self, db: Database, app_client: TestClient, root: Path) -> None:
        self.db = db
        self.app_client = app_client
        self.root = root


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    root = Path(tempfile.mkdtemp(prefix="wcn-stateful-"))
    old_key_dir = os.environ.get("WCN_KEY_DIR")
    os.environ["WCN_KEY_DIR"] = str(root / "keys")
    db = open_migrated(f"sqlite:///{root / 'server.db'}")
    # Every simulated PC enrols from the same test address: lift the per-address limit.
    with TestClient(make_app(db, signin_attempts_per_ip_per_minute=100_000)) as client:
        yield World(db, client, root)
    db.dispose()
    if old_key_dir is None:
        os.environ.pop("WCN_KEY_DIR", None)
    else:
        os.environ["WCN_KEY_DIR"] = old_key_dir
    shutil.rmtree(root, ignore_errors=True)


class PC:
    def __init__(self, context: AppContext, http: FaultyHttp, data_dir: Path) -> None:
        self.context = context
        self.http = http
        self.data_dir = data_dir
        self.skew_ms = 0

    def set_clock(self) -> None:
        skew = self.skew_ms
        clock = HybridClock(
            self.context.device.device_id[-12:], wall_ms=lambda: int(time.time() * 1000) + skew
        )
        # The clock's last reading survives a restart through the HLCs already in the store.
        clock.observe(self.context.clock.now())
        self.context.clock = clock
        self.context.recorder.clock = clock


class SyncMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.pcs: list[PC] = []
        self.saved_notes: set[str] = set()
        self.tenant: Tenant

    @initialize(count=st.integers(min_value=2, max_value=MAX_PCS))
    def start(self, count: int) -> None:
        from desktop.services.enrolment import enrol
        from syncserver import tenancy

        w = self.world
        self.tenant = make_tenant(w.db, residents=2)
        base = Path(tempfile.mkdtemp(dir=w.root))
        for index in range(count):
            http = FaultyHttp(w.app_client)
            with w.db.writer.begin() as conn:
                code = tenancy.issue_enrol_code(conn, self.tenant.tenant_id, self.tenant.home_id, 5)
            data_dir = base / f"pc{index}"
            context = enrol("http://testserver", code, data_dir, http=cast(httpx.Client, http))
            self.pcs.append(PC(context, http, data_dir))

    def teardown(self) -> None:
        try:
            if self.pcs:
                self._check_converged()
        finally:
            for pc in self.pcs:
                pc.context.close()

    def _pc(self, index: int) -> PC:
        return self.pcs[index % len(self.pcs)]

    @rule(
        pc=st.integers(0, MAX_PCS - 1),
        resident=st.integers(0, 1),
        text=st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=30),
    )
    def record_note(self, pc: int, resident: int, text: str) -> None:
        p = self._pc(pc)
        author = Author(self.tenant.users["care_assistant"], "care_assistant")
        fields = {
            "resident_id": self.tenant.residents[resident],
            "category": "general",
            "text": text or "Checked and comfortable.",
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        with p.context.store.write() as conn:
            record = p.context.recorder.create(conn, "care_note", fields, author)
        self.saved_notes.add(record.record_id)

    @rule(
        pc=st.integers(0, MAX_PCS - 1),
        resident=st.integers(0, 1),
        field=st.sampled_from(sorted(EDITABLE)),
        choice=st.integers(0, 2),
    )
    def edit_resident(self, pc: int, resident: int, field: str, choice: int) -> None:
        p = self._pc(pc)
        values = EDITABLE[field]
        author = Author(self.tenant.users["senior_carer"], "senior_carer")
        with p.context.store.write() as conn:
            p.context.recorder.update(
                conn, self.tenant.residents[resident], {field: values[choice % len(values)]}, author
            )

    @rule(
        pc=st.integers(0, MAX_PCS - 1),
        fault=st.sampled_from([None, None, "drop_request", "drop_reply"]),
    )
    def sync(self, pc: int, fault: str | None) -> None:
        p = self._pc(pc)
        p.http.next_fault = fault
        with contextlib.suppress(SyncError):
            p.context.sync_engine().sync()

    @rule(pc=st.integers(0, MAX_PCS - 1))
    def push_only(self, pc: int) -> None:
        p = self._pc(pc)
        with contextlib.suppress(SyncError):
            p.context.sync_engine().push()

    @rule(pc=st.integers(0, MAX_PCS - 1))
    def crash_while_applying_pull(self, pc: int) -> None:
        p = self._pc(pc)
        engine = CrashingEngine(
            p.context.store, p.context.client(), p.context.recorder, p.context.clock
        )
        with contextlib.suppress(SyncError):
            engine.pull()

    @rule(pc=st.integers(0, MAX_PCS - 1))
    def restart(self, pc: int) -> None:
        p = self._pc(pc)
        p.context.close()
        p.context = AppContext.open(p.data_dir, http=cast(httpx.Client, p.http))
        p.set_clock()

    @rule(pc=st.integers(0, MAX_PCS - 1), hours=st.integers(-24, 24))
    def skew_clock(self, pc: int, hours: int) -> None:
        p = self._pc(pc)
        p.skew_ms = hours * 3_600_000
        p.set_clock()

    @rule(pc=st.integers(0, MAX_PCS - 1), which=st.integers(0, 10))
    def replay_old_push(self, pc: int, which: int) -> None:
        p = self._pc(pc)
        if not p.http.pushes:
            return
        content, headers = p.http.pushes[which % len(p.http.pushes)]
        before = replica_state_server(self.world.db, self.tenant)
        response = self.world.app_client.post("/v1/sync/push", content=content, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["applied"] == 0
        assert replica_state_server(self.world.db, self.tenant) == before

    # -- the end state --------------------------------------------------------------------

    def _check_converged(self) -> None:
        for pc in self.pcs:
            pc.http.next_fault = None
        for _ in range(2):  # a second round carries review items raised by later pushes
            for pc in self.pcs:
                pc.context.sync_engine().sync()
        server = replica_state_server(self.world.db, self.tenant)
        for index, pc in enumerate(self.pcs):
            local = replica_state(pc.context)
            assert local == server, f"PC {index} differs from the server"
        notes = {rid for rid, (entity, _f, _v) in server.items() if entity == "care_note"}
        assert self.saved_notes <= notes, "a saved note never reached the server"
        with self.world.db.reader.connect() as conn:
            logged = (
                conn.execute(
                    sa.select(changes.c.record_id).where(
                        changes.c.tenant_id == self.tenant.tenant_id,
                        changes.c.entity == "care_note",
                    )
                )
                .scalars()
                .all()
            )
        assert sorted(logged) == sorted(set(logged)), "a note was stored twice"
        assert set(logged) == self.saved_notes
        self._check_no_silent_overwrite(server)

    def _check_no_silent_overwrite(self, server: dict[str, tuple[str, Any, Any]]) -> None:
        with self.world.db.reader.connect() as conn:
            rows = conn.execute(
                sa.select(
                    changes.c.record_id,
                    changes.c.change_id,
                    changes.c.fields,
                    changes.c.base_versions,
                    changes.c.hlc,
                ).where(
                    changes.c.tenant_id == self.tenant.tenant_id, changes.c.entity == "resident"
                )
            ).all()
        writes = []
        seen: set[tuple[str, str, str]] = set()
        for r in rows:
            fields, base = json.loads(r.fields), json.loads(r.base_versions)
            for name, value in fields.items():
                writes.append((r.record_id, name, f"{r.hlc}|{r.change_id}", value))
            for name, version in base.items():
                seen.add((r.record_id, name, version))
        in_reviews: set[tuple[str, str, str]] = set()
        for entity, fields, _versions in server.values():
            if entity == "review_item" and fields.get("field"):
                for item in fields.get("values") or []:
                    in_reviews.add((fields["subject_id"], fields["field"], item["version"]))

        def covered(record_id: str, name: str, version: str, value: Any) -> bool:
            _e, current, current_versions = server[record_id]
            return (
                current_versions.get(name) == version
                or current.get(name) == value
                or (record_id, name, version) in seen
                or (record_id, name, version) in in_reviews
            )

        for record_id, name, version, value in writes:
            if covered(record_id, name, version, value):
                continue
            # Two writes of the same value merge into the later version: the earlier one is
            # covered when an equal write at least as new was seen, shown or reviewed.
            if any(
                other[:2] == (record_id, name)
                and other[3] == value
                and other[2] >= version
                and covered(*other)
                for other in writes
            ):
                continue
            raise AssertionError(
                f"the value {value!r} written to {name} ({version}) vanished without a review"
            )


def replica_state_server(db: Database, tenant: Tenant) -> dict[str, tuple[str, Any, Any]]:
    with db.reader.connect() as conn:
        rows = conn.execute(
            sa.select(
                records.c.record_id, records.c.entity, records.c.fields, records.c.versions
            ).where(
                records.c.tenant_id == tenant.tenant_id,
                sa.or_(records.c.home_id == tenant.home_id, records.c.home_id.is_(None)),
            )
        ).all()
        # Personal fields are sealed at rest: open them as a pull does.
        cipher = server_cipher().for_tenant(conn, tenant.tenant_id)
        return {
            r.record_id: (
                r.entity,
                cipher.open(r.entity, r.record_id, json.loads(r.fields)),
                json.loads(r.versions),
            )
            for r in rows
        }


_EXAMPLES = int(
    os.environ.get(
        "WCN_SYNC_EXAMPLES", "2000" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "200"
    )
)


def test_replicas_converge_without_loss(world: World) -> None:
    SyncMachine.world = world
    run = cast(Any, SyncMachine.TestCase)
    run.settings = settings(
        max_examples=_EXAMPLES,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    run().runTest()


_ = Store
