"""Fixtures shared by every test folder: server databases on SQLite and PostgreSQL, the demo
provider, the server app with a client, and enrolled PCs.

PostgreSQL comes from ``WCN_TEST_POSTGRES_URL`` (default: local trust auth as ``postgres``).
When it cannot be reached its tests are skipped, and the summary says how many, unless
``WCN_REQUIRE_POSTGRES=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings

from shared.demo_data import DemoProvider, generate_provider
from syncserver.db.engine import Database
from tests.helpers import postgres as pg
from tests.helpers.server import (
    Enrol,
    EnrolledDevice,
    enrol_device,
    make_app,
    open_migrated,
    seed,
)

_reachability: dict[str, str | None] = {}

settings.register_profile("default", deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _unreachable(admin_url: str) -> str | None:
    """Why PostgreSQL cannot be used (asked once per session), or None."""
    if admin_url not in _reachability:
        _reachability[admin_url] = pg.unreachable_reason(admin_url)
    return _reachability[admin_url]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty server database: a file for SQLite, a fresh database for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    admin = pg.admin_url()
    reason = _unreachable(admin)
    if reason is not None:
        message = f"{pg.SKIP_REASON_PREFIX} {pg.safe(admin)}: {reason}"
        if pg.postgres_required():
            pytest.fail(f"{message} (and WCN_REQUIRE_POSTGRES=1 is set)", pytrace=False)
        pytest.skip(message)
    database = pg.create_database(admin)
    try:
        yield database.url
    finally:
        pg.drop_database(database)


@pytest.fixture
def server_db(server_db_url: str) -> Iterator[Database]:
    """The server database at the current schema, empty."""
    db = open_migrated(server_db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def demo_provider() -> DemoProvider:
    """A small provider: two homes of five residents, with two days of notes and no medicines
    (medication tests add the ones they need). Shared by the whole session (and the seeded rows
    cached from it), so never change it."""
    return generate_provider(residents_per_home=5, days=2, medicines=False)


@pytest.fixture
def seeded_db(server_db: Database, demo_provider: DemoProvider) -> Database:
    """``server_db`` holding the demo provider, as ``tenancy.seed_provider`` writes it."""
    seed(server_db, demo_provider)
    return server_db


@pytest.fixture
def server_app(seeded_db: Database) -> FastAPI:
    return make_app(seeded_db)


@pytest.fixture
def client(server_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(server_app) as test_client:
        yield test_client


@pytest.fixture
def enrol(client: TestClient, seeded_db: Database, demo_provider: DemoProvider) -> Enrol:
    def _enrol(home_id: str | None = None, name: str = "Ward PC") -> EnrolledDevice:
        home = home_id or demo_provider.homes[0].record_id
        return enrol_device(client, seeded_db, demo_provider.tenant_id, home, name)

    return _enrol


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if pg.SKIP_REASON_PREFIX in str(getattr(report, "longrepr", ""))
    ]
    if not skipped:
        return
    terminalreporter.section("PostgreSQL", yellow=True, bold=True)
    terminalreporter.write_line(
        f"{len(skipped)} PostgreSQL test(s) were SKIPPED: PostgreSQL was not reachable at "
        f"{pg.safe(pg.admin_url())}, so those tests ran on SQLite only. Start PostgreSQL or set "
        "WCN_TEST_POSTGRES_URL; WCN_REQUIRE_POSTGRES=1 makes this a failure.",
        yellow=True,
        bold=True,
    )
