"""One benchmark run, in order: the main home on a SQLite server process (bootstrap, local
writes, push, pull, resident list, propagation, long history, desktop start, audit), the
medicine round of a 60-resident unit, the 50-PC ingest on SQLite and PostgreSQL, then the
scaling series in whatever time is left.

Every step after the bootstrap checks the time left first: when the machine is so loaded
that a step would overrun the budget, its figures are reported missing with that reason
rather than the run overrunning."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks import (
    bench_desktop,
    bench_local,
    bench_medication,
    bench_server,
    bench_sync,
    infra,
    scaling,
    world,
)
from benchmarks.catalogue import scaling_specs
from benchmarks.config import Sizes
from benchmarks.results import Results
from benchmarks.system import percentile
from desktop.services.app import DesktopServices
from shared.demo_data import DemoProvider
from syncserver.db.engine import Database

_T0 = time.monotonic()
PC_A_FIGURES = (
    "local_write_p99_ms",
    "local_writes_per_s",
    "raw_sqlcipher_commit_p99_ms",
    "raw_sqlcipher_commits_per_s",
)
BOOTSTRAP_FIGURES = (
    "bootstrap_events_per_s",
    "bootstrap_ratio_to_raw",
    "raw_sqlcipher_inserts_per_s",
)


def say(text: str) -> None:
    sys.stderr.write(f"[{time.monotonic() - _T0:6.1f}s] {text}\n")
    sys.stderr.flush()


def _need(services: DesktopServices | None, what: str) -> DesktopServices:
    if services is None:
        raise RuntimeError(f"{what} was not set up (an earlier step failed)")
    return services


def _close(*pcs: DesktopServices | None) -> None:
    for services in pcs:
        if services is not None:
            services.close()


class Run:
    def __init__(self, results: Results, sizes: Sizes, workdir: Path, deadline: float) -> None:
        self.results = results
        self.sizes = sizes
        self.workdir = workdir
        self.deadline = deadline
        self.keys = workdir / "keys"
        self.rates = scaling.Rates()
        self.scale = 1.0 if sizes.mode == "full" else 0.1  # of the time estimates below

    @contextlib.contextmanager
    def step(self, label: str, *names: str, need_s: float) -> Iterator[bool]:
        """Run a step if about ``need_s`` (full-run seconds) are left, else report its figures
        missing; a step that fails reports its figures missing with the error."""
        need = need_s * self.scale
        left = self.deadline - time.monotonic()
        if left < need:
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
            reason = (
                f"skipped: the run's time budget was used up ({max(left, 0):.0f} s left, this "
                f"step needs about {need:.0f} s; load average {load:.1f} on "
                f"{os.cpu_count()} cores)"
            )
            for name in names:
                if self.results.value(name) is None:
                    self.results.miss(name, reason)
            say(f"{label}: skipped, out of time")
            yield False
            return
        say(label)
        started = time.monotonic()
        with self.results.section(*names):
            yield True
        self.results.timings[label] = time.monotonic() - started

    def all(self) -> None:
        scaling.register(self.results, self.sizes)
        self.main_home()
        self.medicine_round()
        for backend in ("sqlite", "postgres"):
            self.ingest(backend)
        self.scaling_series()

    def scaling_series(self) -> None:
        """Also the whole of ``make bench-scaling`` (which registers the cells first)."""
        started = time.monotonic()
        say("scaling series")
        scaling.run(
            self.results,
            self.sizes,
            self.rates,
            workdir=self.workdir,
            key_dir=self.keys,
            deadline=self.deadline,
        )
        self.results.timings["scaling series"] = time.monotonic() - started

    # --- the main home ---------------------------------------------------------------------

    def main_home(self) -> None:
        r, s = self.results, self.sizes
        p = world.provider(s.residents, s.days, s.per_day)
        path = self.workdir / "server-main.db"
        url = f"sqlite:///{path}"
        boot_spec, size_spec = scaling_specs(s.residents, s.days)
        say(f"seeding the main home: {s.residents} residents, {s.days} days ({s.main_events:,})")
        db = world.migrated(url)
        try:
            with r.section(*BOOTSTRAP_FIGURES, boot_spec.name, size_spec.name):
                seconds = world.seed(db, p)
                r.timings["seeding the main home"] = seconds
                self.rates.seed_s = seconds / s.main_events
                r.record(size_spec.name, world.sqlite_size_mb(path))
                r.note(
                    "bootstrap_events_per_s",
                    server_seed_records_per_s=round(s.main_events / seconds),
                )
                with infra.serve(url, self.workdir / "server-main.log") as server:
                    self.with_server(p, db, server.url, boot_spec.name)
            entries = int(world.scalar(db, "SELECT count(*) FROM audit_log"))
            with self.step(
                "audit verify", "audit_verify_entries_per_s", need_s=5 + entries / 20000
            ) as ok:
                if ok:
                    bench_server.audit_verify(r, db, p.tenant_id)
        finally:
            db.dispose()

    def with_server(self, p: DemoProvider, db: Database, server_url: str, boot_name: str) -> None:
        r, s = self.results, self.sizes
        home = p.homes[0].record_id
        residents = [x.record_id for x in p.residents]
        carer = world.carer(p, home)
        pc_a: DesktopServices | None = None
        try:
            say("bootstrap PC A")
            code = world.issue_code(db, p.tenant_id, home)
            boot = bench_sync.bootstrap(server_url, code, self.workdir / "pc-a", self.keys)
            pc_a = boot.services
            self.rates.bootstrap_s = boot.seconds / boot.records
            r.record(
                "bootstrap_events_per_s",
                boot.per_s,
                records=boot.records,
                seconds=round(boot.seconds, 2),
            )
            r.record(boot_name, boot.seconds)
            say(f"  {boot.records:,} records in {boot.seconds:.1f} s; raw inserts")
            bench_local.raw_inserts(r, pc_a, self.workdir)
            raw = r.value("raw_sqlcipher_inserts_per_s")
            if raw:
                r.record("bootstrap_ratio_to_raw", boot.per_s / raw)
            pc_a.session.sign_in(carer.username, carer.password)
        except Exception:
            _close(pc_a)
            raise
        try:
            self.on_pc_a(p, db, server_url, pc_a, residents)
        finally:
            _close(pc_a)
        with self.step(
            "desktop cold start", "desktop_cold_start_s", "desktop_rss_mb", need_s=40
        ) as ok:
            if ok:
                bench_desktop.cold_start(
                    r,
                    data_dir=self.workdir / "pc-a",
                    key_dir=self.keys,
                    username=carer.username,
                    password=carer.password,
                    resident_id=residents[0],
                    reps=s.cold_start_reps,
                )

    def on_pc_a(
        self,
        p: DemoProvider,
        db: Database,
        server_url: str,
        pc_a: DesktopServices,
        residents: list[str],
    ) -> None:
        r, s = self.results, self.sizes
        with self.step("local writes", *PC_A_FIGURES, need_s=30) as ok:
            if ok:
                bench_local.local_writes(r, pc_a, residents, s.local_writes)
                bench_local.raw_commits(r, pc_a, self.workdir, s.local_writes)
        with self.step("push 1,000", "push_1000_ms", need_s=20) as ok:
            if ok:
                bench_sync.push_1000(r, pc_a, residents, reps=s.push_reps)
        with self.step("pull after a day offline", "pull_apply_rows_per_s", need_s=25) as ok:
            if ok:
                bench_sync.pull_after_a_day(r, pc_a, p, db.url, server_url)
        with self.step("resident list", "resident_list_ms", need_s=35) as ok:
            if ok:
                listed = bench_desktop.summary(bench_desktop.resident_list(pc_a, s.open_reps))
                r.record(
                    "resident_list_ms",
                    listed["p50_ms"],
                    statistic="median",
                    residents=s.residents,
                    history_days=s.days,
                    **listed,
                )
        with self.step("propagation to PC A", "propagation_p95_ms", need_s=30) as ok:
            if ok:
                self.propagation(p, db, server_url, pc_a, residents)
        with self.step("long-history PC store", "resident_open_ms", need_s=80) as ok:
            if ok:
                self.long_history(p, db, server_url)

    def _second_pc(
        self, p: DemoProvider, db: Database, server_url: str, name: str
    ) -> DesktopServices:
        """Another PC of the home, enrolled without downloading the home (it only records)."""
        code = world.issue_code(db, p.tenant_id, p.homes[0].record_id)
        services = world.enrol_pc(server_url, code, self.workdir / name, self.keys, bootstrap=False)
        carer = world.carer(p, p.homes[0].record_id)
        try:
            services.session.sign_in(carer.username, carer.password)
        except BaseException:
            services.close()
            raise
        return services

    def propagation(
        self,
        p: DemoProvider,
        db: Database,
        server_url: str,
        pc_a: DesktopServices,
        residents: list[str],
    ) -> None:
        """The sender is a second PC of the home; the receiver is PC A with the whole year."""
        sender = self._second_pc(p, db, server_url, "pc-sender")
        try:
            bench_sync.propagation(
                self.results, sender, pc_a, residents, self.sizes.propagation_reps
            )
        finally:
            sender.close()

    def long_history(self, p: DemoProvider, db: Database, server_url: str) -> None:
        """A PC of the home whose store holds years of history for some of its residents,
        written with the store's bulk write (a server holding it all would take too long to
        seed). It never syncs: the server does not hold that history."""
        s, r = self.sizes, self.results
        history = world.long_history(p, s.history_residents, s.history_days)
        say(f"  {s.history_residents} residents, {s.history_days} days")
        services = self._second_pc(p, db, server_url, "pc-history")
        try:
            written = bench_desktop.history_store(services, history)
            ids = [x.record_id for x in history.residents]
            opened = bench_desktop.summary(bench_desktop.resident_open(services, ids, s.open_reps))
            r.record(
                "resident_open_ms",
                opened["p50_ms"],
                statistic="median",
                history_days=s.history_days,
                residents=s.history_residents,
                store_records=written,
                **opened,
            )
            listed = bench_desktop.summary(bench_desktop.resident_list(services, s.open_reps))
            r.note("resident_list_ms", long_history_store=listed)
        finally:
            services.close()

    def medicine_round(self) -> None:
        with self.step(
            "medicine round (eMAR)", "round_open_ms", "dose_record_p99_ms", need_s=60
        ) as ok:
            if ok:
                full = self.sizes.mode == "full"
                bench_medication.medicine_round(
                    self.results,
                    self.workdir,
                    self.keys,
                    self.sizes.open_reps,
                    bench_medication.UNIT_RESIDENTS if full else self.sizes.residents,
                )

    # --- the server under load ---------------------------------------------------------------

    def ingest(self, backend: str) -> None:
        r, s = self.results, self.sizes
        name = f"server_ingest_events_per_s_{backend}"
        raw = "raw_sqlite_inserts_per_s" if backend == "sqlite" else "raw_postgres_inserts_per_s"
        if backend == "postgres":
            problem = infra.postgres_problem()
            if problem is not None:
                r.miss(name, f"PostgreSQL is not reachable: {problem}")
                r.miss(raw, f"PostgreSQL is not reachable: {problem}")
                return
        with self.step(
            f"{s.ingest_pcs}-PC ingest on {backend}",
            name,
            raw,
            "server_push_p99_ms",
            "server_rss_mb",
            need_s=60,
        ) as ok:
            if not ok:
                return
            if backend == "sqlite":
                path = self.workdir / "server-ingest.db"
                run, pushed = bench_server.ingest(f"sqlite:///{path}", self.workdir, s, backend)
                bench_server.raw_sqlite(r, path, self.workdir, pushed, batch=s.ingest_batch_size)
            else:
                with infra.scratch_postgres() as url:
                    run, pushed = bench_server.ingest(url, self.workdir, s, backend)
                    bench_server.raw_postgres(r, url, pushed, batch=s.ingest_batch_size)
            bench_server.record_ingest(r, backend, run, s)
            say(f"  {run.events:,} events in {run.seconds:.1f} s")
            self._worst("server_push_p99_ms", percentile(run.latencies_ms, 99), backend)
            if run.peak_rss_mb is not None:
                self._worst("server_rss_mb", run.peak_rss_mb, backend)

    def _worst(self, name: str, value: float, backend: str) -> None:
        current = self.results.value(name)
        self.results.note(name, **{backend: round(value, 1)})
        if current is None or value > current:
            self.results.record(name, value, worst_on=backend)
