"""Fixtures of the reliability suite: the profile (short in ``make test``, long with
``--reliability-long``), a seeded random source per test, and the per-test ``result`` whose
figures are printed as a table and written to ``results/``."""

from __future__ import annotations

import random
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from syncserver.db.engine import Database
from tests.helpers import postgres as pg
from tests.helpers.server import ChangeMaker, enrol_device, make_app, open_migrated, push_body
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.arena import Arena
from tests.reliability.processes import ServerProcess, cli_server
from tests.reliability.profile import Profile, choose
from tests.reliability.results import RESULTS_DIR, Book, Result

BOOK = Book()


@dataclass
class Served:
    db: Database
    url: str
    server: ServerProcess
    tenant: Tenant
    root: Path


@pytest.fixture
def served(server_url: str, tmp_path: Path) -> Iterator[Served]:
    """A migrated database with one provider, served by ``writecarenotes-server serve`` in
    its own process."""
    db = open_migrated(server_url)
    tenant = make_tenant(db, residents=3)
    server = cli_server(server_url, tmp_path / "server.log")
    server.start()
    try:
        yield Served(db, server.url, server, tenant, tmp_path)
    finally:
        server.terminate()
        db.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reliability-long",
        action="store_true",
        default=False,
        help="run the reliability suite's long profile (make reliability)",
    )


def _long(config: pytest.Config) -> bool:
    return bool(config.getoption("--reliability-long", default=False))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "short_backends(*names): server databases this test uses in the short profile "
        "(the long profile always uses sqlite and postgres)",
    )


BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("short_backends")
    names = BACKENDS
    if marker is not None and choose(_long(metafunc.config)).name == "short":
        names = tuple(marker.args)
    metafunc.parametrize("backend", names)


@pytest.fixture
def server_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty server database of ``backend``: a SQLite file or a fresh PostgreSQL
    database (skipped when PostgreSQL is unreachable, unless WCN_REQUIRE_POSTGRES=1)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    admin = pg.admin_url()
    reason = pg.unreachable_reason(admin)
    if reason is not None:
        message = f"{pg.SKIP_REASON_PREFIX} {pg.safe(admin)}: {reason}"
        if pg.postgres_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    database = pg.create_database(admin, prefix="wcn_rel_")
    try:
        yield database.url
    finally:
        pg.drop_database(database)


@pytest.fixture(scope="session")
def profile(pytestconfig: pytest.Config) -> Profile:
    chosen = choose(_long(pytestconfig))
    BOOK.profile, BOOK.seed = chosen.name, chosen.seed
    return chosen


@pytest.fixture
def rng(profile: Profile, request: pytest.FixtureRequest) -> random.Random:
    """Seeded per test (the run's seed and the test's name), so a failure can be replayed
    with ``WCN_RELIABILITY_SEED``."""
    return random.Random(f"{profile.seed}:{request.node.nodeid}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_OUTCOME] = "xfailed" if hasattr(report, "wasxfail") else report.outcome
    return report


_OUTCOME = pytest.StashKey[str]()


@pytest.fixture
def result(request: pytest.FixtureRequest, profile: Profile) -> Iterator[Result]:
    """The figures of this test; recorded whatever its outcome."""
    name = request.node.name.removeprefix("test_").replace("_", " ")
    recorded = Result(name=name, test=request.node.nodeid)
    recorded.details["seed"] = profile.seed
    started = time.monotonic()
    yield recorded
    recorded.seconds = round(time.monotonic() - started, 2)
    recorded.outcome = request.node.stash.get(_OUTCOME, "error")
    BOOK.add(recorded)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not BOOK.results:
        return
    long = BOOK.profile == "long"
    BOOK.write(RESULTS_DIR / ("latest.json" if long else "short.json"))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    if not BOOK.results:
        return
    terminalreporter.section(f"reliability ({BOOK.profile} profile, seed {BOOK.seed})")
    for line in BOOK.table().splitlines():
        terminalreporter.write_line(line)
    where = "latest.json" if BOOK.profile == "long" else "short.json"
    terminalreporter.write_line(f"written to {RESULTS_DIR / where}")


@pytest.fixture
def pg_database() -> Iterator[pg.ScratchDatabase]:
    admin = pg.admin_url()
    reason = pg.unreachable_reason(admin)
    if reason is not None:
        message = f"{pg.SKIP_REASON_PREFIX} {pg.safe(admin)}: {reason}"
        if pg.postgres_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    database = pg.create_database(admin, prefix="wcn_rel_")
    try:
        yield database
    finally:
        pg.drop_database(database)


@pytest.fixture
def arena(server_url: str, tmp_path: Path) -> Iterator[Arena]:
    db = open_migrated(server_url)
    mine, other = make_tenant(db, residents=2), make_tenant(db, residents=2)
    try:
        with TestClient(make_app(db), raise_server_exceptions=False) as client:
            pc = enrol_device(client, db, mine.tenant_id, mine.home_id)
            theirs = enrol_device(client, db, other.tenant_id, other.home_id)
            maker = ChangeMaker("other")
            notes = [
                maker.note(other.residents[0], other.users["care_assistant"], f"Private {i}")
                for i in range(3)
            ]
            response = client.post(
                "/v1/sync/push",
                content=push_body(notes),
                headers={**theirs.headers, "content-type": "application/json"},
            )
            assert response.status_code == 200, response.text
            texts = [f"Private {i}" for i in range(3)]
            yield Arena(db, client, mine, other, pc, [n.record_id for n in notes], texts)
    finally:
        db.dispose()
