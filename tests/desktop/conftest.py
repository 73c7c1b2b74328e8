"""Fixtures for desktop tests: a real sync server app in-process (FastAPI TestClient on a
SQLite file, seeded with a small demo provider) and PCs enrolled against it through the
public services, as tests/e2e/test_two_ward_pcs.py does.

The enrolled ward PC of ``pc_data_dir`` is enrolled once per provider in a session: the
server's database file, the PC's data folder and its key, just after enrolment, are kept
as a template, and each test gets its own copy of all three (so each test still has a
server that knows its PC, and nothing a test does is seen by another).

Qt runs offscreen: the platform is chosen here, before anything imports Qt.
"""

from __future__ import annotations

import os
import shutil

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
from syncserver.db.engine import Database, open_database
from tests.helpers.server import make_app, open_migrated, seed

SERVER_URL = "http://testserver"
WARD_PC = "ward-pc"
SERVER_DB = "server.db"
KEYS = "keys"


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


class EnrolledTemplates:
    """Per provider: a server database with the ward PC enrolled, that PC's data folder and
    its key, made once (through the same public services as ``enrol_pc``) and then copied."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._made: dict[str, Path] = {}

    def copy_to(self, provider: DemoProvider, tmp_path: Path, key_dir: Path) -> None:
        template = self._made.get(provider.tenant_id)
        if template is None:
            template = self._make(provider)
            self._made[provider.tenant_id] = template
        for file in template.glob(f"{SERVER_DB}*"):  # the database and any journal of it
            shutil.copy2(file, tmp_path / file.name)
        shutil.copytree(template / WARD_PC, tmp_path / WARD_PC)
        shutil.copytree(template / KEYS, key_dir, dirs_exist_ok=True)

    def _make(self, provider: DemoProvider) -> Path:
        template = self._root / f"{provider.tenant_id}-{len(self._made)}"
        template.mkdir(parents=True)
        db = open_migrated(f"sqlite:///{template / SERVER_DB}")
        try:
            seed(db, provider)
            with TestClient(make_app(db)) as http:
                server = InProcessServer(db, provider, http)
                context = enrol(
                    SERVER_URL,
                    server.issue_code(),
                    template / WARD_PC,
                    key_dir=str(template / KEYS),
                    http=http,
                    name=WARD_PC,
                )
                DesktopServices(context).close()
        finally:
            db.dispose()  # the file is complete (checkpointed) before it is copied
        return template


@pytest.fixture(scope="session")
def enrolled_templates(tmp_path_factory: pytest.TempPathFactory) -> EnrolledTemplates:
    return EnrolledTemplates(tmp_path_factory.mktemp("enrolled-templates"))


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Database keys go to a folder of this test, never to the machine's credential store."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("WCN_KEY_DIR", str(folder))
    return folder


@pytest.fixture
def wcn_server(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    key_dir: Path,
    demo_provider: DemoProvider,
    enrolled_templates: EnrolledTemplates,
) -> Iterator[InProcessServer]:
    """A fresh server database with the session's demo provider (seeded by the shared helper,
    which keeps the seeding cheap), and the app on it. For a test that uses ``pc_data_dir``,
    it is a copy of the database as it was just after that PC was enrolled (see above)."""
    url = f"sqlite:///{tmp_path / SERVER_DB}"
    if "pc_data_dir" in request.fixturenames:
        enrolled_templates.copy_to(demo_provider, tmp_path, key_dir)
        db = open_database(url)  # migrated and seeded already
    else:
        db = open_migrated(url)
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
    """The data folder of an enrolled PC with the home's records downloaded, not held open
    (copied from the session's template by ``wcn_server``)."""
    if not (tmp_path / WARD_PC).exists():  # asked for late, with getfixturevalue
        enrol_pc(WARD_PC).close()
    return tmp_path / WARD_PC
