"""The PC's encrypted store: recording notes through the services, beside bare SQLCipher."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import sqlcipher3

from benchmarks.results import Results
from benchmarks.system import median, percentile
from desktop.services.app import DesktopServices
from desktop.store.database import PAGE_CACHE_KIB

RAW_PAGE = 5000  # rows per commit, as a bootstrap page


def _raw_connection(path: Path) -> Any:
    """A bare SQLCipher connection with the store's settings (WAL, synchronous=FULL)."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
    conn.execute("PRAGMA journal_mode=WAL").fetchone()
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    return conn


def _records_ddl(services: DesktopServices) -> list[str]:
    with services.context.store.read() as conn:
        return [
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'records' AND sql IS NOT NULL "
                "ORDER BY type DESC"
            )
        ]


def local_writes(
    results: Results, services: DesktopServices, resident_ids: list[str], count: int
) -> None:
    notes = services.notes
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(count):
        begun = time.perf_counter()
        notes.record_note(
            resident_ids[i % len(resident_ids)],
            "food_fluid",
            "Drank a cup of tea.",
            details={"fluid_ml": 200},
        )
        latencies.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - started
    results.record(
        "local_write_p99_ms",
        percentile(latencies, 99),
        notes=count,
        p50_ms=round(median(latencies), 3),
        p95_ms=round(percentile(latencies, 95), 3),
        max_ms=round(max(latencies), 3),
    )
    results.record("local_writes_per_s", count / elapsed, seconds=round(elapsed, 3))


def raw_commits(results: Results, services: DesktopServices, workdir: Path, count: int) -> None:
    """One bare INSERT and COMMIT per row: the floor a durable local write stands on."""
    path = workdir / "raw-commits.db"
    conn = _raw_connection(path)
    try:
        for statement in _records_ddl(services):
            conn.execute(statement)
        latencies: list[float] = []
        started = time.perf_counter()
        for i in range(count):
            begun = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO records (record_id, entity, fields, versions, hlc, pending) "
                "VALUES (?, 'care_note', ?, '{}', '', 1)",
                (f"raw-{i}", '{"text": "Drank a cup of tea."}'),
            )
            conn.execute("COMMIT")
            latencies.append((time.perf_counter() - begun) * 1000)
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    results.record("raw_sqlcipher_commit_p99_ms", percentile(latencies, 99), rows=count)
    results.record("raw_sqlcipher_commits_per_s", count / elapsed)


def raw_inserts(results: Results, services: DesktopServices, workdir: Path) -> None:
    """The bootstrap's own rows, read back from the PC, written with a bare executemany into a
    new encrypted file with the same table and indexes."""
    with services.context.store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT record_id, entity, home_id, resident_id, fields, versions, hlc, server_seq, "
            "user_id, device_id, occurred_at, pending FROM records"
        ).all()
    tuples = [tuple(r) for r in rows]
    path = workdir / "raw-inserts.db"
    raw = _raw_connection(path)
    try:
        for statement in _records_ddl(services):
            raw.execute(statement)
        started = time.perf_counter()
        for start in range(0, len(tuples), RAW_PAGE):
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tuples[start : start + RAW_PAGE],
            )
            raw.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    results.record(
        "raw_sqlcipher_inserts_per_s",
        len(tuples) / elapsed,
        rows=len(tuples),
        seconds=round(elapsed, 3),
        file_mb=round(path.stat().st_size / 1e6, 1),
    )
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
