"""Sync between PCs and a server process on loopback: bootstrap, push, catch-up pull and the
time a note takes to reach another PC."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import world
from benchmarks.config import PUSH_RECORDS
from benchmarks.results import Results
from benchmarks.system import median, percentile
from desktop.services.app import DesktopServices
from desktop.store import records as records_repo
from desktop.sync.engine import SyncEngine
from desktop.sync.local_changes import Author
from shared.demo_data import DemoProvider

MIN_RUNS = 5
MAX_SECONDS = 20.0  # propagation runs stop after this (at least MIN_RUNS)


@dataclass
class Bootstrapped:
    services: DesktopServices
    seconds: float
    records: int

    @property
    def per_s(self) -> float:
        return self.records / self.seconds


def bootstrap(url: str, code: str, data_dir: Path, key_dir: Path) -> Bootstrapped:
    """Enrol a PC and download its home: ``enrol`` end to end, as the first-run screen does."""
    started = time.perf_counter()
    services = world.enrol_pc(url, code, data_dir, key_dir)
    seconds = time.perf_counter() - started
    return Bootstrapped(services, seconds, world.count_records(services))


def _engine(services: DesktopServices) -> tuple[SyncEngine, Any]:
    client = services.context.client()
    client.hello()
    return services.context.sync_engine(client), client


def push_1000(
    results: Results, services: DesktopServices, resident_ids: list[str], *, reps: int
) -> None:
    """1,000 new notes waiting in the outbox (made in one transaction, untimed), then one push
    round trip: read the outbox, send, the server ingests, the PC drops the acknowledged."""
    engine, client = _engine(services)
    user = services.session.require()
    author = Author(user.user_id, user.role)
    context = services.context
    times: list[float] = []
    try:
        engine.push()  # whatever earlier benchmarks left waiting
        for _ in range(reps):
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            with context.store.write() as conn:
                for i in range(PUSH_RECORDS):
                    fields = {
                        "resident_id": resident_ids[i % len(resident_ids)],
                        "category": "general",
                        "text": "Settled well after lunch.",
                        "details": None,
                        "occurred_at": now,
                    }
                    context.recorder.create(conn, "care_note", fields, author)
            started = time.perf_counter()
            sent = engine.push()
            times.append((time.perf_counter() - started) * 1000)
            if sent != PUSH_RECORDS:
                raise RuntimeError(f"pushed {sent} of {PUSH_RECORDS}")
    finally:
        client.close()
    results.record(
        "push_1000_ms", median(times), runs_ms=[round(t, 1) for t in times], statistic="median"
    )


def pull_after_a_day(
    results: Results,
    services: DesktopServices,
    p: DemoProvider,
    db_url: str,
    url: str,
) -> None:
    """Another PC of the home records a day of notes and observations; this PC, offline
    meanwhile, pulls them: request to commit, integrity count included."""
    engine, client = _engine(services)
    db = world.migrated(db_url)
    home = p.homes[0].record_id
    try:
        engine.pull()  # up to date first (its own pushed notes come back)
        day = list(world.fresh_events(p, 1, seed=p.seed + 1000).events())
        with httpx.Client(timeout=120) as http:
            other = world.SimPC.enrol(
                http,
                url,
                world.issue_code(db, p.tenant_id, home),
                world.carer(p, home).user_id,
                "bench-other-pc",
            )
            for start in range(0, len(day), 1000):
                other.push(http, url, day[start : start + 1000])
        started = time.perf_counter()
        pulled, repaired = engine.pull()
        seconds = time.perf_counter() - started
    finally:
        client.close()
        db.dispose()
    results.record(
        "pull_apply_rows_per_s",
        pulled / seconds,
        rows=pulled,
        ms=round(seconds * 1000, 1),
        repaired=repaired,
        store_records=world.count_records(services),
    )


class _Arrivals:
    """Watches the receiving PC's commits for the note being waited for."""

    def __init__(self, services: DesktopServices) -> None:
        self._services = services
        self.wanted: str | None = None
        self.arrived = threading.Event()
        self.at = 0.0

    def on_pulled(self, _report: object) -> None:
        at = time.perf_counter()
        wanted = self.wanted
        if wanted is None:
            return
        with self._services.context.store.read() as conn:
            found = records_repo.get(conn, wanted) is not None
        if found:
            self.at = at
            self.arrived.set()


def propagation(
    results: Results,
    sender: DesktopServices,
    receiver: DesktopServices,
    resident_ids: list[str],
    reps: int,
) -> None:
    """A note recorded on one online PC until it is committed in another PC's store. With the
    PC's live-update listener (desktop.services.live_updates) when it exists: the sender
    pushes right after saving, the server notifies, the receiver pulls. Without it: push then
    pull, named as such."""
    engine, client = _engine(sender)
    try:
        try:
            from desktop.services.live_updates import LiveUpdates
        except ImportError:
            latencies, mode = _push_then_pull(sender, receiver, engine, resident_ids, reps)
        else:
            latencies, mode = _live(
                sender,
                receiver=receiver,
                engine=engine,
                resident_ids=resident_ids,
                reps=reps,
                listener_type=LiveUpdates,
            )
    finally:
        client.close()
    results.record(
        "propagation_p95_ms",
        percentile(latencies, 95),
        mode=mode,
        runs=len(latencies),
        p50_ms=round(median(latencies), 1),
        max_ms=round(max(latencies), 1),
    )


def _note(sender: DesktopServices, resident_id: str) -> str:
    return sender.notes.record_note(resident_id, "general", "Asked for a cup of tea.")


def _push_then_pull(
    sender: DesktopServices,
    receiver: DesktopServices,
    engine: SyncEngine,
    resident_ids: list[str],
    reps: int,
) -> tuple[list[float], str]:
    other, client = _engine(receiver)
    latencies: list[float] = []
    begun = time.perf_counter()
    try:
        other.pull()
        for i in range(reps):
            if len(latencies) >= MIN_RUNS and time.perf_counter() - begun > MAX_SECONDS:
                break
            started = time.perf_counter()
            note_id = _note(sender, resident_ids[i % len(resident_ids)])
            engine.push()
            other.pull()
            with receiver.context.store.read() as conn:
                if records_repo.get(conn, note_id) is None:
                    raise RuntimeError("the note did not arrive")
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
    return latencies, "push then pull (no live listener on the PC yet)"


def _live(
    sender: DesktopServices,
    *,
    receiver: DesktopServices,
    engine: SyncEngine,
    resident_ids: list[str],
    reps: int,
    listener_type: Any,
) -> tuple[list[float], str]:
    receiver.sync.pull_now()
    arrivals = _Arrivals(receiver)
    listener = listener_type(receiver.context, receiver.sync)
    thread = threading.Thread(
        target=listener.run, kwargs={"on_pulled": arrivals.on_pulled}, daemon=True
    )
    thread.start()
    if not listener.connected.wait(15):
        raise RuntimeError("the receiving PC's live listener did not connect")
    latencies: list[float] = []
    begun = time.perf_counter()
    try:
        for i in range(reps):
            if len(latencies) >= MIN_RUNS and time.perf_counter() - begun > MAX_SECONDS:
                break
            arrivals.arrived.clear()
            started = time.perf_counter()
            arrivals.wanted = note_id = _note(sender, resident_ids[i % len(resident_ids)])
            engine.push()
            if not arrivals.arrived.wait(10):
                raise RuntimeError(f"note {note_id} did not reach the other PC within 10 s")
            latencies.append((arrivals.at - started) * 1000)
            time.sleep(0.05)  # let the listener settle before the next note
    finally:
        listener.stop.set()
        _note(sender, resident_ids[0])  # wakes the listener so it sees the stop
        engine.push()
        thread.join(timeout=20)
    return latencies, "live: save, push, server notifies, receiver pulls (LiveUpdates)"
