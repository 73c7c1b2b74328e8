"""eMAR: opening the medicine round of a 60-resident unit, and recording a dose to durable
commit. The unit is a home of the demo generator (shared/demo_data.py with its medicines) on a
server process; one PC downloads it, then the day's doses up to the evening round are recorded
through ``RoundService.record_dose`` as nurses would (each one timed), and the evening round is
opened again and again (``RoundService.round(unit)``, what the round screen asks for)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from benchmarks import infra, world
from benchmarks.bench_desktop import summary
from benchmarks.results import Results
from benchmarks.system import percentile
from desktop.services.app import DesktopServices
from desktop.services.medication.round import RoundItem
from desktop.services.session import VerifiedWitness
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.medication.scheduling import UK, local_instant

UNIT_RESIDENTS = 60
EVENING = dt.time(20, 0)  # the round opened: by then the day's earlier doses are recorded


def _staff(p: DemoProvider, role: str) -> str:
    home = p.homes[0].record_id
    return next(s.username for s in p.staff if s.role == role and home in s.home_ids)


def _day_of_doses(
    services: DesktopServices, unit_id: str, evening: dt.datetime, witness: VerifiedWitness
) -> list[float]:
    """Record every dose due before the evening round (a few refused), each timed."""
    rounds = services.medication.round
    times: list[float] = []
    for hour in range(7, 20):
        moment = evening.replace(hour=hour, minute=30).astimezone(dt.UTC)
        items: list[RoundItem] = [
            i
            for i in rounds.round(unit_id, now=moment)
            if i.status in ("due", "overdue") and dt.datetime.fromisoformat(i.due_at) <= moment
        ]
        for n, item in enumerate(items):
            outcome = "refused" if n % 17 == 5 else "given"
            started = time.perf_counter()
            rounds.record_dose(
                item,
                outcome,
                reason_code="refused" if outcome == "refused" else None,
                witness=witness if item.controlled_drug else None,
                when=dt.datetime.fromisoformat(item.due_at),
            )
            times.append((time.perf_counter() - started) * 1000)
    return times


def medicine_round(
    results: Results, workdir: Path, key_dir: Path, reps: int, residents: int = UNIT_RESIDENTS
) -> None:
    """``residents`` is the unit's size: 60 in a full run, fewer in a quick one."""
    # The home's day is yesterday (its prescriptions start then), so the doses up to the
    # evening round are in the past whatever the time of the run: a dose is never recorded
    # ahead of time.
    p = world.provider(
        residents, 1, 6, units=1, name="Benchmark eMAR", now=world.NOW - dt.timedelta(days=1)
    )
    unit_id = p.units[0].record_id
    url = f"sqlite:///{workdir / 'server-emar.db'}"
    db = world.migrated(url)
    try:
        world.seed(db, p)
        with infra.serve(url, workdir / "server-emar.log") as server:
            code = world.issue_code(db, p.tenant_id, p.homes[0].record_id)
            services = world.enrol_pc(server.url, code, workdir / "pc-emar", key_dir)
            try:
                _measure(results, services, p, unit_id, reps)
            finally:
                services.close()
    finally:
        db.dispose()


def _measure(
    results: Results, services: DesktopServices, p: DemoProvider, unit_id: str, reps: int
) -> None:
    session = services.session
    session.sign_in(_staff(p, "senior_carer"), DEMO_PASSWORD)  # once, to witness later
    session.sign_in(_staff(p, "nurse"), DEMO_PASSWORD)
    witness = session.verify_witness(_staff(p, "senior_carer"), DEMO_PASSWORD)
    today = p.now.astimezone(UK).date()
    evening = local_instant(today, EVENING).astimezone(UK)
    doses = _day_of_doses(services, unit_id, evening, witness)
    rounds = services.medication.round
    shown: list[int] = []
    times: list[float] = []
    for _ in range(reps):
        started = time.perf_counter()
        shown.append(len(rounds.round(unit_id, now=evening)))
        times.append((time.perf_counter() - started) * 1000)
    opened = summary(times)
    results.record(
        "round_open_ms",
        opened["p50_ms"],
        statistic="median",
        unit_residents=len(p.residents),
        round_items=shown[0],
        doses_recorded_today=len(doses),
        **opened,
    )
    results.record(
        "dose_record_p99_ms",
        percentile(doses, 99),
        p50_ms=round(percentile(doses, 50), 2),
        doses=len(doses),
    )
