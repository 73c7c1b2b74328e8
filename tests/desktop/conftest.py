"""Fixtures for desktop tests: a real sync server app in-process (FastAPI TestClient on a
SQLite file, seeded with a small demo provider) and PCs enrolled against it through the
public services, as tests/e2e/test_two_ward_pcs.py does.

Qt runs offscreen: the platform is chosen here, before anything imports Qt.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from shared.demo_data import DemoProvider, DemoStaff, SeedRecord
from syncserver import tenancy
from syncserver.db.engine import Database
from tests.helpers.server import make_app, open_migrated, seed

SERVER_URL = "http://testserver"


@dataclass
class InProcessServer:
    """The server app on a SQLite file, and a client that talks to it without a network."""

    db: Database
    provider: DemoProvider
    http: TestClient

    @property
    def home(self) -> SeedRecord:
        return self.provider.homes[0]

    def issue_code(self, minutes: int = 10) -> str:
        with self.db.writer.begin() as conn:
            return tenancy.issue_enrol_code(
                conn, self.provider.tenant_id, self.home.record_id, minutes
            )

    def staff(self, role: str) -> DemoStaff:
        """The first member of staff of the first home with ``role``."""
        for person in self.provider.staff:
            if person.role == role and self.home.record_id in person.home_ids:
                return person
        raise LookupError(role)

    def residents(self) -> list[SeedRecord]:
        return [r for r in self.provider.residents if r.home_id == self.home.record_id]


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Database keys go to a folder of this test, never to the machine's credential store."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("WCN_KEY_DIR", str(folder))
    return folder


@pytest.fixture
def wcn_server(
    tmp_path: Path, key_dir: Path, demo_provider: DemoProvider
) -> Iterator[InProcessServer]:
    """A fresh server database with the session's demo provider (seeded by the shared helper,
    which keeps the seeding cheap), and the app on it."""
    db = open_migrated(f"sqlite:///{tmp_path / 'server.db'}")
    seed(db, demo_provider)
    try:
        with TestClient(make_app(db)) as http:
            yield InProcessServer(db, demo_provider, http)
    finally:
        db.dispose()


@pytest.fixture
def enrol_pc(
    wcn_server: InProcessServer, tmp_path: Path
) -> Iterator[Callable[[str], DesktopServices]]:
    """Enrol a PC of the first home into ``tmp_path / name``; its services close afterwards."""
    opened: list[DesktopServices] = []

    def _enrol(name: str) -> DesktopServices:
        context = enrol(
            SERVER_URL, wcn_server.issue_code(), tmp_path / name, http=wcn_server.http, name=name
        )
        services = DesktopServices(context)
        opened.append(services)
        return services

    yield _enrol
    for services in opened:
        services.close()


@pytest.fixture
def pc_data_dir(enrol_pc: Callable[[str], DesktopServices], tmp_path: Path) -> Path:
    """The data folder of an enrolled PC with the home's records downloaded, not held open."""
    enrol_pc("ward-pc").close()
    return tmp_path / "ward-pc"
