"""Every figure the benchmarks report: its unit, its target and the figure it is seen beside.
Targets come from issue 8; a figure without one has ``op`` None (no target has been set)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    name: str
    unit: str
    op: str | None  # "<=" (lower is better) or ">=" (higher is better); None: no target
    target: float | None
    baseline: str | None  # the figure this one is measured beside (its ratio is to that)
    what: str


FIGURES: tuple[Spec, ...] = (
    Spec(
        "local_write_p99_ms",
        "ms",
        "<=",
        10,
        "raw_sqlcipher_commit_p99_ms",
        "NoteService.record_note to durable commit with its outbox entry, p99",
    ),
    Spec(
        "local_writes_per_s",
        "notes/s",
        ">=",
        1000,
        "raw_sqlcipher_commits_per_s",
        "notes recorded one after another through NoteService",
    ),
    Spec(
        "raw_sqlcipher_commit_p99_ms",
        "ms",
        None,
        None,
        None,
        "bare INSERT + COMMIT of one row, encrypted WAL file, synchronous=FULL, p99",
    ),
    Spec(
        "raw_sqlcipher_commits_per_s",
        "rows/s",
        None,
        None,
        None,
        "bare one-row transactions into an encrypted WAL file, synchronous=FULL",
    ),
    Spec(
        "bootstrap_events_per_s",
        "records/s",
        ">=",
        16000,
        "raw_sqlcipher_inserts_per_s",
        "enrol a PC and download the home from a server on loopback, end to end",
    ),
    Spec(
        "bootstrap_ratio_to_raw",
        "x",
        ">=",
        0.35,
        None,
        "bootstrap_events_per_s / raw_sqlcipher_inserts_per_s",
    ),
    Spec(
        "raw_sqlcipher_inserts_per_s",
        "rows/s",
        None,
        None,
        None,
        "bare executemany of the bootstrap's rows into an encrypted file, 5,000 per commit",
    ),
    Spec(
        "pull_apply_rows_per_s",
        "rows/s",
        ">=",
        20000,
        "raw_sqlcipher_inserts_per_s",
        "a PC's pull after a day offline (the home's day of records), request to commit",
    ),
    Spec(
        "push_1000_ms",
        "ms",
        "<=",
        100,
        None,
        "an online PC pushing 1,000 new records: read outbox, send, ingest, acknowledge",
    ),
    Spec(
        "server_ingest_events_per_s_sqlite",
        "events/s",
        ">=",
        10000,
        "raw_sqlite_inserts_per_s",
        "50 simulated PCs pushing concurrently to a server process on SQLite",
    ),
    Spec(
        "server_ingest_events_per_s_postgres",
        "events/s",
        ">=",
        10000,
        "raw_postgres_inserts_per_s",
        "50 simulated PCs pushing concurrently to a server process on PostgreSQL",
    ),
    Spec(
        "server_push_p99_ms",
        "ms",
        "<=",
        250,
        None,
        "p99 push round trip during the 50-PC ingest (the worse of the two databases)",
    ),
    Spec(
        "raw_sqlite_inserts_per_s",
        "rows/s",
        None,
        None,
        None,
        "bare executemany of the pushed records into the server's SQLite table, one push a commit",
    ),
    Spec(
        "raw_postgres_inserts_per_s",
        "rows/s",
        None,
        None,
        None,
        "bare executemany of the pushed records into PostgreSQL, one push a commit",
    ),
    Spec(
        "server_rss_mb",
        "MB",
        "<=",
        300,
        None,
        "peak RSS (VmHWM) of one server process during the 50-PC ingest (the larger of the two)",
    ),
    Spec(
        "propagation_p95_ms",
        "ms",
        "<=",
        60,
        None,
        "note recorded on one online PC until committed in another PC's store, p95",
    ),
    Spec(
        "audit_verify_entries_per_s",
        "entries/s",
        ">=",
        500000,
        None,
        "syncserver.audit.verify over the home's whole chain (SQLite), a process a core",
    ),
    Spec(
        "desktop_cold_start_s",
        "s",
        "<=",
        1.5,
        None,
        "new process to the sign-in screen shown with its staff list (offscreen Qt)",
    ),
    Spec(
        "resident_open_ms",
        "ms",
        "<=",
        100,
        None,
        "ResidentService.get + NoteService.timeline (first page), 5 years of history",
    ),
    Spec(
        "round_open_ms",
        "ms",
        "<=",
        150,
        None,
        "RoundService.round(unit) for a 60-resident unit at 20:00, the day's doses recorded",
    ),
    Spec(
        "dose_record_p99_ms",
        "ms",
        "<=",
        10,
        "raw_sqlcipher_commit_p99_ms",
        "RoundService.record_dose to durable commit with its outbox entry (a day's round), p99",
    ),
    Spec(
        "resident_list_ms",
        "ms",
        "<=",
        50,
        None,
        "ResidentService.list_residents for the home",
    ),
    Spec(
        "desktop_rss_mb",
        "MB",
        "<=",
        250,
        None,
        "peak RSS of the app after sign-in, the resident list and one resident record",
    ),
)

SPECS = {spec.name: spec for spec in FIGURES}


def years_label(days: int) -> str:
    """``365`` -> ``1y``; sizes that are not whole years (quick mode) -> ``5d``."""
    return f"{days // 365}y" if days % 365 == 0 else f"{days}d"


def scaling_specs(residents: int, days: int) -> tuple[Spec, Spec]:
    label = f"{residents}r_{years_label(days)}"
    return (
        Spec(
            f"scaling_bootstrap_s_{label}",
            "s",
            None,
            None,
            None,
            f"bootstrap (enrol + download) of a {residents}-resident home, {days} days",
        ),
        Spec(
            f"scaling_server_db_mb_{label}",
            "MB",
            None,
            None,
            None,
            f"server SQLite database of a {residents}-resident home, {days} days of history",
        ),
    )
