"""Operations endpoints: liveness, readiness (which checks the schema) and the status."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.protocol import OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION
from syncserver.db import migrate
from syncserver.db.engine import open_database
from tests.helpers.server import make_app, open_migrated


def test_healthz_answers_without_touching_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_current_schema(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_has_no_schema(server_db_url: str) -> None:
    db = open_database(server_db_url)
    try:
        with TestClient(make_app(db)) as client:
            response = client.get("/readyz")
    finally:
        db.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert "writecarenotes-server init" in body["reason"]


def test_readyz_is_503_when_the_schema_is_behind_the_code(
    server_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_migrated(server_db_url)
    # The code one migration ahead of the database: a server upgraded, its schema not.
    monkeypatch.setattr(migrate, "head_revision", lambda: "0002_next")
    try:
        with TestClient(make_app(db)) as client:
            response = client.get("/readyz")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert "behind this server" in response.json()["reason"]
    assert "writecarenotes-server migrate" in response.json()["reason"]


def test_readyz_is_503_when_the_schema_is_newer_than_the_code(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        with db.writer.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
        with TestClient(make_app(db)) as client:
            response = client.get("/readyz")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert "newer than this server" in response.json()["reason"]


def test_status_reports_the_protocol_range(client: TestClient) -> None:
    body = client.get("/v1/status").json()
    assert body["status"] == "ok"
    assert body["protocol"] == PROTOCOL_VERSION
    assert body["oldest_protocol"] == OLDEST_SUPPORTED_PROTOCOL
    assert migrate.head_revision()
