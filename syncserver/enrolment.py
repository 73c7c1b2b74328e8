"""Enrolling a PC: one-time, short-lived codes per home, redeemed for a device id and a
256-bit device secret (stored hashed)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from shared.ids import new_id
from syncserver import audit
from syncserver.db.tables import devices, enrol_codes, records, tenants
from syncserver.errors import AuthError
from syncserver.security.passwords import new_secret, secret_digest

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def issue_enrol_code(conn: sa.Connection, tenant_id: str, home_id: str, minutes: int) -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    conn.execute(
        sa.insert(enrol_codes).values(
            code_hash=secret_digest(normalise_code(code)),
            tenant_id=tenant_id,
            home_id=home_id,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes),
        )
    )
    audit.append(conn, tenant_id, [audit.AuditEntry("device.code_issued", subject=home_id)])
    return code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    device_secret: str
    tenant_id: str
    tenant_name: str
    home_id: str
    home_name: str


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def unknown_code() -> AuthError:
    return AuthError(
        "That enrolment code is not valid: check it, or ask IT for a new one.",
        code="enrol_code_invalid",
    )


def enrol_code_hash(code: str) -> str:
    return secret_digest(normalise_code(code))


def enrol_code_tenant(conn: sa.Connection, code: str) -> str | None:
    """The tenant an enrolment code belongs to (None for an unknown code): the one look-up
    made before the tenant is known (row-level security allows it by the code's hash)."""
    found = conn.execute(
        sa.select(enrol_codes.c.tenant_id).where(enrol_codes.c.code_hash == enrol_code_hash(code))
    ).scalar_one_or_none()
    return None if found is None else str(found)


def enrol_device(conn: sa.Connection, code: str, device_name: str, app_version: str) -> Enrolment:
    code_row = (
        conn.execute(
            sa.select(enrol_codes).where(
                enrol_codes.c.code_hash == secret_digest(normalise_code(code))
            )
        )
        .mappings()
        .one_or_none()
    )
    if code_row is None:
        raise unknown_code()
    if code_row["used_at"] is not None:
        raise AuthError(
            "That enrolment code has already been used: ask IT for a new one.",
            code="enrol_code_used",
        )
    if _aware(code_row["expires_at"]) < dt.datetime.now(dt.UTC):
        raise AuthError(
            "That enrolment code has expired: ask IT for a new one.", code="enrol_code_expired"
        )
    device_id = new_id()
    secret = new_secret()
    now = dt.datetime.now(dt.UTC)
    tenant_id, home_id = code_row["tenant_id"], code_row["home_id"]
    claimed = conn.execute(
        sa.update(enrol_codes)
        .where(enrol_codes.c.code_hash == code_row["code_hash"], enrol_codes.c.used_at.is_(None))
        .values(used_at=now, device_id=device_id)
    ).rowcount
    if claimed != 1:
        raise AuthError(
            "That enrolment code has already been used: ask IT for a new one.",
            code="enrol_code_used",
        )
    conn.execute(
        sa.insert(devices).values(
            id=device_id,
            tenant_id=tenant_id,
            home_id=home_id,
            name=device_name,
            secret_hash=secret_digest(secret),
            status="active",
            app_version=app_version,
            acked_seq=0,
            enrolled_at=now,
            last_seen_at=now,
        )
    )
    audit.append(
        conn,
        tenant_id,
        [
            audit.AuditEntry(
                "device.enrolled",
                device_id=device_id,
                subject=home_id,
                detail={"name": device_name},
            )
        ],
    )
    tenant_name = conn.execute(
        sa.select(tenants.c.name).where(tenants.c.id == tenant_id)
    ).scalar_one()
    home_fields = conn.execute(
        sa.select(records.c.fields).where(
            records.c.tenant_id == tenant_id, records.c.record_id == home_id
        )
    ).scalar_one()
    return Enrolment(
        device_id, secret, tenant_id, tenant_name, home_id, json.loads(home_fields)["name"]
    )
