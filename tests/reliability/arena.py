"""The hostile-input arena: one server app holding two providers, the attacker's PC enrolled
in one of them, and the verdicts on what the server answered (never a 5xx, every refusal an
ErrorBody, nothing of the other provider shown)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from shared.protocol import ErrorBody
from syncserver.db.engine import Database
from syncserver.db.tables import devices, records
from tests.helpers.server import (
    EnrolledDevice,
    Footprint,
    footprint,
    parse_pull_reply,
    server_cipher,
)
from tests.helpers.sync_world import Tenant
from tests.reliability.hostile import Targets


@dataclass
class Arena:
    """One server app with two providers: the attacker's PC is in ``mine``."""

    db: Database
    client: TestClient
    mine: Tenant
    other: Tenant
    pc: EnrolledDevice
    other_notes: list[str]
    other_texts: list[str]

    def targets(self) -> Targets:
        return Targets(
            self.mine.residents,
            list(self.mine.users.values()),
            self.other.residents,
            list(self.other.users.values()),
            self.other_notes,
        )

    def other_footprint(self) -> Footprint:
        return footprint(self.db, self.other.tenant_id)

    def acked(self) -> int:
        with self.db.reader.connect() as conn:
            return int(
                conn.execute(
                    sa.select(devices.c.acked_seq).where(devices.c.id == self.pc.device_id)
                ).scalar_one()
            )

    def leaks_in(self, content: bytes) -> int:
        """How much of the other provider a response shows: its notes' text, its ids. (Ids an
        attacker sends are echoed in refusals; those are its own input, not a leak.)"""
        text = content.decode("utf-8", errors="replace")
        return leaked(text, self.other, self.other_texts)

    def pull_leaks(self, content: bytes) -> int:
        return foreign_records(self.db, self.mine, content)


@dataclass
class Verdicts:
    requests: int = 0
    ok: int = 0
    refused: int = 0
    five_xx: int = 0
    bad_error_bodies: int = 0
    leaks: int = 0
    codes: dict[str, int] | None = None
    failures: list[str] | None = None

    def judge(self, response: httpx.Response, ok_model: type[Any] | None, leaks: int) -> None:
        self.requests += 1
        self.leaks += leaks
        self.codes = self.codes or {}
        self.failures = self.failures or []
        if response.status_code >= 500:
            self.five_xx += 1
            self.failures.append(f"{response.status_code} {response.request.url.path}")
            return
        if response.status_code >= 400:
            self.refused += 1
            try:
                code = ErrorBody.model_validate_json(response.content).code
            except ValidationError:
                self.bad_error_bodies += 1
                self.failures.append(f"no ErrorBody: {response.text[:120]}")
                return
            self.codes[code] = self.codes.get(code, 0) + 1
            return
        self.ok += 1
        if ok_model is not None:
            ok_model.model_validate_json(response.content)


def leaked(text: str, other: Tenant, texts: list[str]) -> int:
    secrets = [*texts, other.tenant_id, other.home_id, other.other_home_id, other.unit_id]
    return sum(1 for s in secrets if s in text)


def foreign_records(db: Database, mine: Tenant, content: bytes) -> int:
    """Records in a pull that are not this provider's own, as stored on the server."""
    page = parse_pull_reply(content)  # a page of any protocol version
    with db.reader.connect() as conn:
        cipher = server_cipher().for_tenant(conn, mine.tenant_id)  # residents are sealed
        own = {
            r.record_id: cipher.open(r.entity, r.record_id, json.loads(r.fields))
            for r in conn.execute(
                sa.select(records.c.record_id, records.c.entity, records.c.fields).where(
                    records.c.tenant_id == mine.tenant_id
                )
            )
        }
    return sum(1 for r in page.records if r.record_id not in own or own[r.record_id] != r.fields)
