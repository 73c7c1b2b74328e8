"""What a person at the PC waits for: the resident list, opening a resident with years of
history, starting the app, and the app's memory."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import world
from benchmarks.results import Results
from benchmarks.system import median, percentile
from desktop.services.app import DesktopServices
from desktop.store import records as records_repo
from shared.demo_data import DemoProvider

REPO = Path(__file__).resolve().parents[1]
TIMELINE_PAGE = 100  # the resident record screen's first page
STORE_PAGE = 5000
MIN_RUNS = 3
MAX_SECONDS = 10.0  # per measured operation: a slow one gets fewer runs


def history_store(services: DesktopServices, p: DemoProvider) -> int:
    """Fill an enrolled, empty PC store with a provider's whole history as a bootstrap would
    leave it (same rows, same repository call), without a server holding all of it."""
    seeds = itertools.chain(p.homes, p.units, p.staff_records(), p.residents, p.events())
    written = 0
    while True:
        chunk = list(itertools.islice(seeds, STORE_PAGE))
        if not chunk:
            return written
        rows = world.state_rows(chunk, written + 1)
        with services.context.store.write() as conn:
            records_repo.bulk_upsert(conn, rows)
        written += len(chunk)


def _timed(call: Any, reps: int, max_s: float = MAX_SECONDS) -> list[float]:
    """``reps`` runs, or fewer (at least ``MIN_RUNS``) once ``max_s`` have gone by."""
    times: list[float] = []
    begun = time.perf_counter()
    for i in range(reps):
        if len(times) >= MIN_RUNS and time.perf_counter() - begun > max_s:
            break
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def resident_list(services: DesktopServices, reps: int) -> list[float]:
    return _timed(lambda _i: services.residents.list_residents(), reps)


def resident_open(services: DesktopServices, resident_ids: list[str], reps: int) -> list[float]:
    """What the resident record screen asks for when it opens: the profile (which records the
    view) and the first page of the timeline."""

    def open_one(i: int) -> None:
        rid = resident_ids[i % len(resident_ids)]
        services.residents.get(rid)
        services.notes.timeline(rid, limit=TIMELINE_PAGE)

    return _timed(open_one, reps)


def summary(times: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "first_ms": round(times[0], 2),
        "runs": len(times),
    }


@dataclass
class Probe:
    arrivals: dict[str, float]  # event -> seconds after the process was started
    events: dict[str, dict[str, Any]]
    stderr: str


def _probe(arguments: list[str], timeout: float = 120) -> Probe:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    arrivals: dict[str, float] = {}
    events: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.ui_probe", *arguments],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                at = time.perf_counter() - started
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                arrivals[event["event"]] = at
                events[event["event"]] = event

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        errors.seek(0)
        stderr = errors.read()
    if process.returncode:
        lines = [x for x in stderr.strip().splitlines() if "propagateSizeHints" not in x]
        fatal = next((x for x in lines if x.startswith("Fatal Python error")), "")
        reason = f"the app process died (exit status {process.returncode})"
        reason += f": {fatal or (lines[-1] if lines else 'no output')}"
        events.setdefault("crashed", {"reason": reason})
    return Probe(arrivals, events, stderr)


def cold_start(
    results: Results,
    *,
    data_dir: Path,
    key_dir: Path,
    username: str,
    password: str,
    resident_id: str,
    reps: int,
) -> None:
    """A new process each time, on a store nothing else has open: the time to the sign-in
    screen. The first process then signs in and opens the resident list and one record, for
    the app's memory."""
    start_only = ["--data-dir", str(data_dir), "--key-dir", str(key_dir)]
    signed = ["--username", username, "--password", password, "--resident", resident_id]
    first = _probe([*start_only, *signed])
    if "signin_shown" not in first.arrivals:
        results.miss("desktop_cold_start_s", _why(first))
        results.miss("desktop_rss_mb", _why(first))
        return
    starts = [first.arrivals["signin_shown"]]
    begun = time.perf_counter()
    while len(starts) < reps and time.perf_counter() - begun < MAX_SECONDS:
        again = _probe(start_only)
        if "signin_shown" not in again.arrivals:
            break
        starts.append(again.arrivals["signin_shown"])
    last = first
    shown = last.events["signin_shown"]
    results.record(
        "desktop_cold_start_s",
        median(starts),
        runs_s=[round(s, 3) for s in starts],
        imports_done_s=last.events.get("imported", {}).get("t"),
        window_built_s=last.events.get("window_built", {}).get("t"),
        shown_in_process_s=shown.get("t"),
        staff_tiles=shown.get("staff"),
        rss_at_sign_in_mb=shown.get("rss_mb"),
        none_refcount={k: v.get("none_refcount") for k, v in last.events.items()},
    )
    opened = last.events.get("resident_shown")
    if opened is None or opened.get("hwm_mb") is None:
        results.miss("desktop_rss_mb", _why(last))
        return
    results.record(
        "desktop_rss_mb",
        float(opened["hwm_mb"]),
        rss_now_mb=opened.get("rss_mb"),
        timeline_rows=opened.get("timeline"),
        residents_shown=last.events.get("residents_shown", {}).get("residents"),
        resident_open_in_app_s=round(opened["t"] - last.events["residents_shown"]["t"], 3)
        if "residents_shown" in last.events
        else None,
    )


def _why(probe: Probe) -> str:
    for name in ("unavailable", "failed", "crashed"):
        if name in probe.events:
            return str(probe.events[name].get("reason", name))
    tail = probe.stderr.strip().splitlines()[-3:]
    return "the app process ended early: " + (" | ".join(tail) or "no output")
