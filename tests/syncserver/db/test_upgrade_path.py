"""Upgrading the server: ``writecarenotes-server migrate`` takes a database written by the
first release (schema 0001) to the current schema with no data lost and no PC resync: the
PC's credential still works, its cursor still means the same, and its next change number
still follows on."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.ids import new_id
from shared.merge import make_version
from shared.protocol import DEVICE_AUTH_SCHEME, PROTOCOL_VERSION
from syncserver.cli.main import main
from syncserver.db import migrate
from syncserver.db.engine import Database, open_database
from syncserver.security.passwords import secret_digest
from tests.helpers.server import ChangeMaker, hlc_at, make_app, pull_all, push_ok

FIRST_RELEASE = "0001"


class OldServer:
    """What a server of the first release holds, written straight into its tables (as they
    were at schema 0001): a provider, a home with a unit, a resident, a carer, and a PC that
    pushed one note."""

    def __init__(self) -> None:
        self.tenant, self.home, self.unit = new_id(), new_id(), new_id()
        self.resident, self.carer, self.device, self.note = new_id(), new_id(), new_id(), new_id()
        self.secret = "old-release-device-secret-" + "s" * 20
        self.records: dict[str, dict[str, Any]] = {}

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"{DEVICE_AUTH_SCHEME} {self.device}.{self.secret}"}

    def write(self, db: Database) -> int:
        now = dt.datetime.now(dt.UTC)
        ms = int(time.time() * 1000) - 60_000
        old = sa.MetaData()
        with db.writer.begin() as conn:
            old.reflect(conn, only=["tenants", "records", "changes", "users", "devices"])
            t = old.tables
            rows: list[tuple[str, str, str | None, str | None, dict[str, Any]]] = [
                ("home", self.home, self.home, None, {
                    "name": "Ash House", "nation": "england", "address": ""}),
                ("unit", self.unit, self.home, None, {"name": "Rowan", "home_id": self.home}),
                ("resident", self.resident, self.home, self.resident, {
                    "first_name": "Edith", "last_name": "Old", "date_of_birth": "1938-04-02",
                    "unit_id": self.unit, "status": "admitted", "room": "4"}),
                ("staff_user", self.carer, None, None, {
                    "username": "old.carer", "display_name": "Old Carer", "role": "care_assistant",
                    "home_ids": [self.home], "active": True}),
                ("care_note", self.note, self.home, self.resident, {
                    "resident_id": self.resident, "category": "general",
                    "text": "Written before the upgrade.",
                    "occurred_at": now.isoformat(timespec="seconds")}),
            ]  # fmt: skip
            conn.execute(
                sa.insert(t["tenants"]).values(
                    id=self.tenant, name="Ash Care", seq=len(rows), audit_seq=0,
                    audit_head="", created_at=now,
                )
            )  # fmt: skip
            for seq, (entity, record_id, home, resident, fields) in enumerate(rows, start=1):
                hlc = hlc_at(ms + seq, 0, "old")
                change_id = new_id()
                conn.execute(
                    sa.insert(t["records"]).values(
                        tenant_id=self.tenant, record_id=record_id, entity=entity, home_id=home,
                        resident_id=resident, fields=json.dumps(fields),
                        versions=json.dumps({f: make_version(hlc, change_id) for f in fields}),
                        hlc=hlc, server_seq=seq,
                        user_id=self.carer if entity == "care_note" else None,
                        device_id=self.device if entity == "care_note" else None,
                    )
                )  # fmt: skip
                self.records[record_id] = fields
                if entity == "care_note":
                    conn.execute(
                        sa.insert(t["changes"]).values(
                            tenant_id=self.tenant, change_id=change_id, seq=seq,
                            device_id=self.device, device_seq=1, user_id=self.carer,
                            entity=entity, record_id=record_id, op="create",
                            fields=json.dumps(fields), base_versions="{}", hlc=hlc,
                            received_at=now,
                        )
                    )  # fmt: skip
            conn.execute(
                sa.insert(t["users"]).values(
                    id=self.carer, tenant_id=self.tenant, username="old.carer",
                    password_hash="$argon2id$not-used-here", role="care_assistant",
                    active=True, failed_logins=0,
                )
            )  # fmt: skip
            conn.execute(
                sa.insert(t["devices"]).values(
                    id=self.device, tenant_id=self.tenant, home_id=self.home, name="Old PC",
                    secret_hash=secret_digest(self.secret), status="active",
                    app_version="0.1.0", acked_seq=1, enrolled_at=now, last_seen_at=now,
                )
            )  # fmt: skip
        return len(rows)


def test_migrate_keeps_every_record_and_every_pc_cursor(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(server_db_url)
    try:
        migrate.upgrade(db, target=FIRST_RELEASE)
        old = OldServer()
        cursor = old.write(db)  # the PC had pulled everything: its cursor is the last seq
    finally:
        db.dispose()

    assert main(["migrate", "--database-url", server_db_url]) == 0
    head = migrate.head_revision()
    assert capsys.readouterr().out.splitlines() == [
        f"Schema upgraded from {FIRST_RELEASE} to {head}."
    ]

    db = open_database(server_db_url)
    try:
        migrate.check_current(db)
        with TestClient(make_app(db)) as client:
            hello = client.post(
                "/v1/sync/hello",
                json={"min_protocol": 1, "max_protocol": PROTOCOL_VERSION, "app_version": "0.2.0"},
                headers=old.headers,
            )
            assert hello.status_code == 200, hello.text
            assert hello.json()["server_seq"] == cursor

            everything, _ = pull_all(client, old.headers)
            assert {r.record_id: r.fields for r in everything} == old.records
            # The PC's cursor still means "up to date": nothing to pull again.
            assert pull_all(client, old.headers, cursor) == ([], cursor)

            # Its next change number still follows on (no sequence gap, no re-enrolment).
            note = ChangeMaker("old-pc").note(old.resident, old.carer, "After the upgrade.")
            note = note.model_copy(update={"device_seq": 2})
            reply = push_ok(client, old.headers, [note])
            assert (reply.applied, reply.acknowledged_seq) == (1, 2)
            new, moved = pull_all(client, old.headers, cursor)
            assert [r.record_id for r in new] == [note.record_id]
            assert moved > cursor
    finally:
        db.dispose()
