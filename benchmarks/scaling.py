"""The scaling series: bootstrap time and server database size per home size (residents x
years of history). Cells run smallest first while the run's time budget allows; a cell that
would not fit is reported missing with the time it would need at this run's measured rates."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import infra, world
from benchmarks.bench_sync import bootstrap
from benchmarks.catalogue import scaling_specs
from benchmarks.config import Sizes
from benchmarks.results import Results

SERVER_START_S = 10.0  # starting the server process, enrolling, cleaning up: per cell
MARGIN = 1.5  # a loaded machine slows down during the run


@dataclass
class Rates:
    """Seconds per record, measured on the main home in this run."""

    seed_s: float = 1 / 12000
    bootstrap_s: float = 1 / 12000

    def estimate(self, records: int) -> float:
        return records * (self.seed_s + self.bootstrap_s) * MARGIN + SERVER_START_S


def cells(sizes: Sizes) -> list[tuple[int, int]]:
    return sorted(
        ((r, d) for r in sizes.scaling_residents for d in sizes.scaling_days),
        key=lambda cell: (cell[1], cell[0]),
    )


def register(results: Results, sizes: Sizes) -> None:
    for residents, days in cells(sizes):
        for spec in scaling_specs(residents, days):
            results.add_spec(spec)


def record_cell(
    results: Results, residents: int, days: int, bootstrap_s: float | None, db_mb: float | None
) -> None:
    boot, size = scaling_specs(residents, days)
    if bootstrap_s is not None:
        results.record(boot.name, bootstrap_s)
    if db_mb is not None:
        results.record(size.name, db_mb)


def run(
    results: Results, sizes: Sizes, rates: Rates, *, workdir: Path, key_dir: Path, deadline: float
) -> None:
    for residents, days in cells(sizes):
        boot, size = scaling_specs(residents, days)
        if results.value(boot.name) is not None and results.value(size.name) is not None:
            continue  # the main home, measured already
        records = residents * days * sizes.per_day
        needed = rates.estimate(records)
        left = deadline - time.monotonic()
        if needed > left:
            reason = (
                f"does not fit the run's time budget: needs about {needed:.0f} s (seeding "
                f"{records:,} records at {1 / rates.seed_s:,.0f}/s and bootstrapping them at "
                f"{1 / rates.bootstrap_s:,.0f}/s, as measured in this run), "
                f"{max(left, 0):.0f} s were left"
            )
            results.miss(boot.name, reason)
            results.miss(size.name, reason)
            continue
        with results.section(boot.name, size.name):
            _cell(
                results,
                sizes,
                rates,
                residents=residents,
                days=days,
                where=workdir / f"cell-{residents}-{days}",
                key_dir=key_dir,
            )


def _cell(
    results: Results,
    sizes: Sizes,
    rates: Rates,
    *,
    residents: int,
    days: int,
    where: Path,
    key_dir: Path,
) -> None:
    where.mkdir(parents=True)
    try:
        p = world.provider(residents, days, sizes.per_day, seed=residents * 1000 + days)
        path = where / "server.db"
        url = f"sqlite:///{path}"
        db = world.migrated(url)
        try:
            seed_s = world.seed(db, p)
            db_mb = world.sqlite_size_mb(path)
            with infra.serve(url, where / "server.log") as server:
                code = world.issue_code(db, p.tenant_id, p.homes[0].record_id)
                boot = bootstrap(server.url, code, where / "pc", key_dir)
                boot.services.close()
        finally:
            db.dispose()
        record_cell(results, residents, days, boot.seconds, db_mb)
        results.note(
            scaling_specs(residents, days)[0].name,
            records=boot.records,
            records_per_s=round(boot.per_s),
            seed_s=round(seed_s, 1),
            load_average=round(os.getloadavg()[0], 2),
        )
        # The next, larger cell is estimated at the rates of the last one measured.
        rates.seed_s = seed_s / max(boot.records, 1)
        rates.bootstrap_s = boot.seconds / max(boot.records, 1)
    finally:
        shutil.rmtree(where, ignore_errors=True)


def fill_from_saved(results: Results, saved: Path) -> list[str]:
    """Cells this run had no time for, taken from the last ``make bench-scaling`` run (its
    file), each with a note of where and when it was measured. Returns the figures filled."""
    if not saved.is_file():
        return []
    try:
        data = json.loads(saved.read_text(encoding="utf-8"))
        figures = data["figures"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    filled = []
    for name in list(results.missing):
        value = figures.get(name) if name.startswith("scaling_") else None
        if not isinstance(value, int | float):
            continue
        why_not_here = results.missing[name]
        results.record(name, value)
        results.note(
            name,
            source=f"make bench-scaling, started {data.get('started_at', '?')} ({saved.name})",
            not_measured_here=why_not_here,
            **(data.get("details") or {}).get(name, {}),
        )
        filled.append(name)
    return filled
