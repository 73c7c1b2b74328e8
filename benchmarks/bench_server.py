"""The server under load: 50 simulated PCs pushing at once to a server process (rules and
audit included), beside bare inserts of the same rows; and verifying the audit chain."""

from __future__ import annotations

import asyncio
import json
import math
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from benchmarks import infra, loadgen, world
from benchmarks.config import Sizes
from benchmarks.results import Results
from benchmarks.system import median, percentile
from shared.demo_data import DemoProvider, SeedRecord
from syncserver import audit
from syncserver.db.engine import Database


@dataclass
class Workload:
    """Every PC's pushes, made before the clock starts so the client only does HTTP."""

    bodies: list[list[tuple[bytes, dict[str, str]]]] = field(default_factory=list)
    batches: list[list[list[SeedRecord]]] = field(default_factory=list)  # what each body holds
    tenant_of: dict[str, str] = field(default_factory=dict)  # record id -> tenant id

    def pushed(self, sent: list[int]) -> list[SeedRecord]:
        """The records of the first ``sent[i]`` pushes of each PC."""
        return [s for pc, n in zip(self.batches, sent, strict=True) for b in pc[:n] for s in b]


@dataclass
class IngestRun:
    events: int
    seconds: float
    latencies_ms: list[float]
    peak_rss_mb: float | None
    seed_seconds: float

    @property
    def per_s(self) -> float:
        return self.events / self.seconds


def _providers(sizes: Sizes) -> list[DemoProvider]:
    residents = 30 if sizes.mode == "full" else 3
    return [
        world.provider(
            residents, sizes.ingest_seed_days, sizes.per_day, homes=sizes.ingest_homes, seed=100 + i
        )
        for i in range(sizes.ingest_tenants)
    ]


def _workload(db: Database, url: str, providers: list[DemoProvider], sizes: Sizes) -> Workload:
    per_pc = sizes.ingest_batches * sizes.ingest_batch_size
    work = Workload()
    with httpx.Client(timeout=60) as http:
        for p in providers:
            per_home_day = len(p.residents) // len(p.homes) * p.events_per_resident_day
            days = math.ceil(per_pc * sizes.ingest_pcs_per_home / per_home_day)
            future = list(world.fresh_events(p, days, seed=p.seed + 500).events())
            for home in p.homes:
                mine = [s for s in future if s.home_id == home.record_id]
                user = world.carer(p, home.record_id).user_id
                for n in range(sizes.ingest_pcs_per_home):
                    code = world.issue_code(db, p.tenant_id, home.record_id)
                    pc = world.SimPC.enrol(http, url, code, user, f"bench-pc-{n}")
                    seeds = mine[n * per_pc : (n + 1) * per_pc]
                    work.tenant_of.update((s.record_id, p.tenant_id) for s in seeds)
                    batches = [
                        seeds[i : i + sizes.ingest_batch_size]
                        for i in range(0, len(seeds), sizes.ingest_batch_size)
                    ]
                    work.batches.append(batches)
                    work.bodies.append([pc.push_body(b) for b in batches])
    return work


async def _push_all(
    url: str, work: Workload, stop_after_s: float
) -> tuple[float, list[float], list[int]]:
    """Every PC pushes its batches one after another, all PCs at once; a PC sends no new
    push after ``stop_after_s``. Returns the seconds, each push's round trip, and how many
    pushes each PC made."""
    latencies: list[float] = []
    sent = [0] * len(work.bodies)
    push_url = url + "/v1/sync/push"
    requests = [[loadgen.post_request(push_url, b, h) for b, h in pc] for pc in work.bodies]
    connections = [loadgen.Connection(loadgen.Origin.of(url), 300) for _ in requests]
    started = time.perf_counter()

    async def one_pc(index: int) -> None:
        for request in requests[index]:
            if time.perf_counter() - started > stop_after_s:
                return
            begun = time.perf_counter()
            reply = await connections[index].send(request)
            latencies.append((time.perf_counter() - begun) * 1000)
            if reply.status != 200:
                raise RuntimeError(f"push refused ({reply.status}): {reply.text[:300]}")
            sent[index] += 1

    try:
        await asyncio.gather(*(one_pc(i) for i in range(len(requests))))
        return time.perf_counter() - started, latencies, sent
    finally:
        await asyncio.gather(*(c.close() for c in connections))


@dataclass
class Pushed:
    seeds: list[SeedRecord]
    tenant_of: dict[str, str]


def ingest(url: str, workdir: Path, sizes: Sizes, label: str) -> tuple[IngestRun, Pushed]:
    """Seed the providers, start a server process on ``url``, enrol the PCs, push."""
    db = world.migrated(url)
    try:
        providers = _providers(sizes)
        seeded = sum(world.seed(db, p) for p in providers)
        with infra.serve(url, workdir / f"server-{label}.log") as server:
            work = _workload(db, server.url, providers, sizes)
            seconds, latencies, sent = asyncio.run(
                _push_all(server.url, work, sizes.ingest_seconds)
            )
            rss = server.peak_rss_mb()
    finally:
        db.dispose()
    pushed = Pushed(work.pushed(sent), work.tenant_of)
    return IngestRun(len(pushed.seeds), seconds, latencies, rss, seeded), pushed


def record_ingest(results: Results, backend: str, run: IngestRun, sizes: Sizes) -> None:
    results.record(
        f"server_ingest_events_per_s_{backend}",
        run.per_s,
        events=run.events,
        seconds=round(run.seconds, 2),
        pcs=sizes.ingest_pcs,
        pushes=len(run.latencies_ms),
        changes_per_push=sizes.ingest_batch_size,
        tenants=sizes.ingest_tenants,
        push_p50_ms=round(median(run.latencies_ms), 1),
        push_p99_ms=round(percentile(run.latencies_ms, 99), 1),
        push_max_ms=round(max(run.latencies_ms), 1),
        server_peak_rss_mb=None if run.peak_rss_mb is None else round(run.peak_rss_mb, 1),
    )


def _record_rows(work: Pushed) -> list[tuple[Any, ...]]:
    rows = []
    for seq, s in enumerate(work.seeds, start=1):
        version = f"{s.occurred_ms:015d}-00000-bench|{s.record_id}"
        rows.append(
            (
                work.tenant_of[s.record_id],
                s.record_id,
                s.entity,
                s.home_id,
                s.resident_id,
                json.dumps(s.fields),
                json.dumps({k: version for k in s.fields}),
                version.split("|", maxsplit=1)[0],
                seq,
                None,
                None,
            )
        )
    return rows


def raw_postgres(results: Results, url: str, work: Pushed, *, batch: int) -> None:
    """The same records, executemany into a copy of the server's records table (its keys
    and indexes), one push's worth per commit, on one connection."""
    rows = _record_rows(work)
    with psycopg.connect(infra.libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_records (LIKE records INCLUDING ALL)")
        started = time.perf_counter()
        with conn.cursor() as cur:
            for start in range(0, len(rows), batch):
                with conn.transaction():
                    cur.executemany(
                        "INSERT INTO raw_records (tenant_id, record_id, entity, home_id, "
                        "resident_id, fields, versions, hlc, server_seq, user_id, device_id) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        rows[start : start + batch],
                    )
        seconds = time.perf_counter() - started
    results.record(
        "raw_postgres_inserts_per_s", len(rows) / seconds, rows=len(rows), rows_per_commit=batch
    )


def raw_sqlite(
    results: Results, server_db: Path, workdir: Path, work: Pushed, *, batch: int
) -> None:
    """As raw_postgres, into a new SQLite file with the server's records table and settings."""
    source = sqlite3.connect(server_db)
    try:
        ddl = [
            str(r[0])
            for r in source.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]
    finally:
        source.close()
    path = workdir / "raw-server.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        for statement in ddl:
            conn.execute(statement)
        rows = _record_rows(work)
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO records (tenant_id, record_id, entity, home_id, resident_id, "
                "fields, versions, hlc, server_seq, user_id, device_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows[start : start + batch],
            )
            conn.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    results.record(
        "raw_sqlite_inserts_per_s", len(rows) / seconds, rows=len(rows), rows_per_commit=batch
    )


def audit_verify(results: Results, db: Database, tenant_id: str) -> None:
    with db.reader.begin() as conn:
        started = time.perf_counter()
        # As 'writecarenotes-server audit verify' does: in ranges, a process a core.
        outcome = audit.verify(conn, tenant_id, workers=os.cpu_count() or 1)
        seconds = time.perf_counter() - started
    if not outcome.ok:
        raise RuntimeError(f"the audit chain did not verify: {outcome.reason}")
    results.record(
        "audit_verify_entries_per_s",
        outcome.entries / seconds,
        entries=outcome.entries,
        seconds=round(seconds, 3),
    )
