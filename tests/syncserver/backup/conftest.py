"""Fixtures of the backup tests: a server with synced records, a key, and more empty
databases of the same kind (SQLite or PostgreSQL) to restore into."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver.backup import KeySource, new_key_file, read_key_file
from syncserver.db.engine import Database
from tests.helpers import postgres as pg
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    open_migrated,
    push_ok,
    residents_of,
    staff_of,
)

NewDatabase = Callable[[], Database]


@pytest.fixture
def key(tmp_path: Path) -> KeySource:
    new_key_file(tmp_path / "backup.key")
    return read_key_file(tmp_path / "backup.key")


@dataclass(frozen=True)
class Synced:
    """A server holding the demo provider after a PC pushed three notes (so records,
    changes and audit entries), with a client of its app and that PC."""

    db: Database
    client: TestClient
    pc: EnrolledDevice
    provider: DemoProvider


@pytest.fixture
def synced(
    seeded_db: Database, client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> Synced:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    maker = ChangeMaker("pc-a")
    push_ok(client, pc_a.headers, [maker.note(resident, carer.user_id) for _ in range(3)])
    return Synced(seeded_db, client, pc_a, demo_provider)


@pytest.fixture
def synced_db(synced: Synced) -> Database:
    return synced.db


@pytest.fixture
def new_database(server_db_url: str, tmp_path: Path) -> Iterator[NewDatabase]:
    """Make another empty database at the current schema, of the same kind as the server's."""
    made: list[Database] = []
    scratch: list[pg.ScratchDatabase] = []

    def _new() -> Database:
        if server_db_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'restored-{len(made)}.db'}"
        else:
            scratch.append(pg.create_database(pg.admin_url()))
            url = scratch[-1].url
        made.append(open_migrated(url))
        return made[-1]

    yield _new
    for db in made:
        db.dispose()
    for database in scratch:
        pg.drop_database(database)
