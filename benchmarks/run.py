"""One benchmark run, in order: the main home on a SQLite server process (bootstrap, local
writes, push, pull, propagation, audit, desktop figures), the 50-PC ingest on SQLite and
PostgreSQL, then the scaling series in whatever time is left."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks import bench_desktop, bench_local, bench_server, bench_sync, infra, scaling, world
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

    def timed(self, name: str, started: float) -> None:
        self.results.timings[name] = time.monotonic() - started

    def all(self) -> None:
        scaling.register(self.results, self.sizes)
        bench_desktop.round_open(self.results)
        started = time.monotonic()
        self.main_home()
        self.timed("main_home", started)
        for backend in ("sqlite", "postgres"):
            started = time.monotonic()
            self.ingest(backend)
            self.timed(f"ingest_{backend}", started)
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
        self.timed("scaling", started)

    # --- the main home ---------------------------------------------------------------------

    def main_home(self) -> None:
        s = self.sizes
        p = world.provider(s.residents, s.days, s.per_day)
        path = self.workdir / "server-main.db"
        url = f"sqlite:///{path}"
        say(f"seeding the main home: {s.residents} residents, {s.days} days ({s.main_events:,})")
        db = world.migrated(url)
        try:
            seconds = world.seed(db, p)
            self.rates.seed_s = seconds / s.main_events
            boot_spec, size_spec = scaling_specs(s.residents, s.days)
            self.results.record(size_spec.name, world.sqlite_size_mb(path))
            self.results.note(
                "bootstrap_events_per_s", server_seed_records_per_s=round(s.main_events / seconds)
            )
            with infra.serve(url, self.workdir / "server-main.log") as server:
                self.with_server(p, db_url=url, server_url=server.url, boot_name=boot_spec.name)
                db_tenant = p.tenant_id
            with self.results.section("audit_verify_entries_per_s"):
                say("audit verify")
                bench_server.audit_verify(self.results, db, db_tenant)
        finally:
            db.dispose()

    def with_server(self, p: DemoProvider, *, db_url: str, server_url: str, boot_name: str) -> None:
        r, s = self.results, self.sizes
        db = world.migrated(db_url)
        home = p.homes[0].record_id
        residents = [x.record_id for x in p.residents]
        carer = world.carer(p, home)
        pc_a: DesktopServices | None = None
        pc_c: DesktopServices | None = None
        try:
            with r.section(
                "bootstrap_events_per_s",
                "bootstrap_ratio_to_raw",
                "raw_sqlcipher_inserts_per_s",
                boot_name,
            ):
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
            with r.section(*PC_A_FIGURES):
                a = _need(pc_a, "PC A")
                a.session.sign_in(carer.username, carer.password)
                say("local writes")
                bench_local.local_writes(r, a, residents, s.local_writes)
                bench_local.raw_commits(r, a, self.workdir, s.local_writes)
            with r.section("push_1000_ms"):
                say("push 1,000")
                bench_sync.push_1000(r, _need(pc_a, "PC A"), residents, reps=s.push_reps)
            with r.section("pull_apply_rows_per_s"):
                say("pull after a day offline")
                bench_sync.pull_after_a_day(r, _need(pc_a, "PC A"), p, db_url, server_url)
            with r.section("resident_list_ms"):
                say("resident list")
                listed = bench_desktop.resident_list(_need(pc_a, "PC A"), s.open_reps)
                r.record(
                    "resident_list_ms",
                    bench_desktop.summary(listed)["p50_ms"],
                    statistic="median",
                    residents=s.residents,
                    history_days=s.days,
                    **bench_desktop.summary(listed),
                )
            with r.section("resident_open_ms", "propagation_p95_ms"):
                pc_c = self.long_history(p, db, server_url, carer.username, carer.password)
            with r.section("propagation_p95_ms"):
                say("propagation: long-history PC -> PC A")
                bench_sync.propagation(
                    r,
                    _need(pc_c, "The long-history PC"),
                    _need(pc_a, "PC A"),
                    residents,
                    s.propagation_reps,
                )
            _close(pc_c, pc_a)
            pc_a = pc_c = None
            with r.section("desktop_cold_start_s", "desktop_rss_mb"):
                say("desktop cold start")
                bench_desktop.cold_start(
                    r,
                    data_dir=self.workdir / "pc-a",
                    key_dir=self.keys,
                    username=carer.username,
                    password=carer.password,
                    resident_id=residents[0],
                    reps=s.cold_start_reps,
                )
        finally:
            _close(pc_c, pc_a)
            db.dispose()

    def long_history(
        self, p: DemoProvider, db: Database, server_url: str, username: str, password: str
    ) -> DesktopServices:
        """A second PC of the home whose store holds years of history for some of its
        residents, written with the store's bulk write (a server holding it all would take
        too long to seed). It records and pushes, never pulls (the server does not hold that
        history, so its integrity check would not match)."""
        s, r = self.sizes, self.results
        history = world.long_history(p, s.history_residents, s.history_days)
        say(f"long-history PC store: {s.history_residents} residents, {s.history_days} days")
        services = world.enrol_pc(
            server_url,
            world.issue_code(db, p.tenant_id, p.homes[0].record_id),
            self.workdir / "pc-history",
            self.keys,
            bootstrap=False,
        )
        try:
            written = bench_desktop.history_store(services, history)
            services.session.sign_in(username, password)
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
        except BaseException:
            services.close()
            raise
        return services

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
        with r.section(name, raw, "server_push_p99_ms", "server_rss_mb"):
            say(f"50-PC ingest on {backend}")
            if backend == "sqlite":
                path = self.workdir / "server-ingest.db"
                run, work = bench_server.ingest(f"sqlite:///{path}", self.workdir, s, backend)
                bench_server.raw_sqlite(r, path, self.workdir, work, batch=s.ingest_batch_size)
            else:
                with infra.scratch_postgres() as url:
                    run, work = bench_server.ingest(url, self.workdir, s, backend)
                    bench_server.raw_postgres(r, url, work, batch=s.ingest_batch_size)
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
