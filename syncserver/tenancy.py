"""Provider administration: tenants, homes, units, staff, enrolment codes, devices, and the
server's own writes of reference data (which then sync to PCs like any other record)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shared import entities as ent
from shared.demo_data import DemoProvider, SeedRecord
from shared.hlc import HybridClock
from shared.ids import new_id
from shared.merge import make_version
from syncserver import audit
from syncserver.db.tables import devices, enrol_codes, records, tenants, users
from syncserver.errors import AuthError, BadRequest, NotFound
from syncserver.security.passwords import hash_password, new_secret, secret_digest

SERVER_CLOCK = HybridClock("server")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def create_tenant(conn: sa.Connection, name: str, tenant_id: str | None = None) -> str:
    tenant_id = tenant_id or new_id()
    conn.execute(
        sa.insert(tenants).values(
            id=tenant_id,
            name=name,
            seq=0,
            audit_seq=0,
            audit_head="",
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    audit.append(conn, tenant_id, [audit.AuditEntry("tenant.created", subject=tenant_id)])
    return tenant_id


def write_server_records(
    conn: sa.Connection, tenant_id: str, seeds: Iterable[SeedRecord], *, batch: int = 5000
) -> int:
    """Insert records written by the server itself (reference data, seeded history) with fresh
    sequence numbers, under the tenant lock. Returns how many were written."""
    total = 0
    pending: list[SeedRecord] = []

    def flush() -> None:
        nonlocal total
        if not pending:
            return
        seq = int(
            conn.execute(
                sa.update(tenants)
                .where(tenants.c.id == tenant_id)
                .values(seq=tenants.c.seq + len(pending))
                .returning(tenants.c.seq)
            ).scalar_one()
        ) - len(pending)
        rows: list[dict[str, Any]] = []
        entries: list[audit.AuditEntry] = []
        for seed in pending:
            seq += 1
            ent.validate_fields(seed.entity, seed.fields, partial=False)
            hlc = f"{seed.occurred_ms:015d}-00000-server"
            version = make_version(hlc, seed.record_id)
            entity = ent.ENTITIES[seed.entity]
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "record_id": seed.record_id,
                    "entity": seed.entity,
                    "home_id": None if entity.tenant_wide else seed.home_id,
                    "resident_id": seed.resident_id,
                    "fields": json.dumps(seed.fields),
                    "versions": json.dumps({k: version for k in seed.fields}),
                    "hlc": hlc,
                    "server_seq": seq,
                    "user_id": None,
                    "device_id": None,
                }
            )
            entries.append(
                audit.AuditEntry(
                    "server.write",
                    subject=f"{seed.entity}:{seed.record_id}",
                    detail={"content": audit.content_hash(seed.fields)},
                )
            )
        conn.execute(sa.insert(records), rows)
        audit.append(conn, tenant_id, entries)
        total += len(pending)
        pending.clear()

    for seed in seeds:
        pending.append(seed)
        if len(pending) >= batch:
            flush()
    flush()
    return total


def update_server_record(
    conn: sa.Connection, tenant_id: str, record_id: str, fields: dict[str, Any], action: str
) -> None:
    row = conn.execute(
        sa.select(records.c.entity, records.c.fields, records.c.versions).where(
            records.c.tenant_id == tenant_id, records.c.record_id == record_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such record.")
    ent.validate_fields(row.entity, fields, partial=True)
    seq = int(
        conn.execute(
            sa.update(tenants)
            .where(tenants.c.id == tenant_id)
            .values(seq=tenants.c.seq + 1)
            .returning(tenants.c.seq)
        ).scalar_one()
    )
    hlc = SERVER_CLOCK.now()
    version = make_version(hlc, new_id())
    values = {**json.loads(row.fields), **fields}
    versions = {**json.loads(row.versions), **{k: version for k in fields}}
    conn.execute(
        sa.update(records)
        .where(records.c.tenant_id == tenant_id, records.c.record_id == record_id)
        .values(fields=json.dumps(values), versions=json.dumps(versions), hlc=hlc, server_seq=seq)
    )
    audit.append(conn, tenant_id, [audit.AuditEntry(action, subject=f"{row.entity}:{record_id}")])


def find_home(conn: sa.Connection, home: str, tenant_id: str | None = None) -> tuple[str, str, str]:
    """(tenant_id, home_id, name) for a home given by id or by exact name."""
    query = sa.select(records.c.tenant_id, records.c.record_id, records.c.fields).where(
        records.c.entity == "home"
    )
    if tenant_id:
        query = query.where(records.c.tenant_id == tenant_id)
    matches = []
    for row in conn.execute(query):
        name = json.loads(row.fields)["name"]
        if home in (row.record_id, name):
            matches.append((row.tenant_id, row.record_id, name))
    if not matches:
        raise NotFound(f"There is no home called {home!r}.", code="unknown_home")
    if len(matches) > 1:
        raise BadRequest(
            f"More than one home is called {home!r}: give its id instead "
            f"({', '.join(m[1] for m in matches)}).",
            code="ambiguous_home",
        )
    return matches[0]


def add_user(
    conn: sa.Connection,
    tenant_id: str,
    *,
    username: str,
    display_name: str,
    role: str,
    home_ids: list[str],
    password: str,
    user_id: str | None = None,
) -> str:
    if role not in ent.ROLES:
        raise BadRequest(f"Unknown role {role!r}: use one of {', '.join(ent.ROLES)}.")
    user_id = user_id or new_id()
    conn.execute(
        sa.insert(users).values(
            id=user_id,
            tenant_id=tenant_id,
            username=username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            failed_logins=0,
        )
    )
    write_server_records(
        conn,
        tenant_id,
        [
            SeedRecord(
                "staff_user",
                user_id,
                None,
                None,
                {
                    "username": username,
                    "display_name": display_name,
                    "role": role,
                    "home_ids": home_ids,
                    "active": True,
                },
                int(time.time() * 1000),
            )
        ],
    )
    return user_id


def set_user_active(conn: sa.Connection, tenant_id: str, username: str, active: bool) -> None:
    user_id = conn.execute(
        sa.update(users)
        .where(users.c.tenant_id == tenant_id, users.c.username == username)
        .values(active=active)
        .returning(users.c.id)
    ).scalar_one_or_none()
    if user_id is None:
        raise NotFound(f"There is no user {username!r} in this provider.")
    update_server_record(
        conn, tenant_id, user_id, {"active": active}, "user.enabled" if active else "user.disabled"
    )


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
        raise AuthError(
            "That enrolment code is not valid: check it, or ask IT for a new one.",
            code="enrol_code_invalid",
        )
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


def lock_tenant(conn: sa.Connection, tenant_id: str) -> None:
    """Take the tenant's row lock. Every transaction that writes a tenant's devices, records or
    audit trail takes it first, so two of them can never wait on each other in opposite orders."""
    conn.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(seq=tenants.c.seq))


def revoke_device(conn: sa.Connection, device_id: str) -> None:
    tenant_id = conn.execute(
        sa.select(devices.c.tenant_id).where(devices.c.id == device_id)
    ).scalar_one_or_none()
    if tenant_id is None:
        raise NotFound(f"There is no device {device_id}.")
    lock_tenant(conn, tenant_id)
    conn.execute(sa.update(devices).where(devices.c.id == device_id).values(status="revoked"))
    audit.append(conn, tenant_id, [audit.AuditEntry("device.revoked", device_id=device_id)])


def seed_provider(conn: sa.Connection, provider: DemoProvider) -> None:
    """Write a generated provider: homes, units, staff (with passwords), residents, history."""
    create_tenant(conn, provider.tenant_name, provider.tenant_id)
    write_server_records(conn, provider.tenant_id, [*provider.homes, *provider.units])
    password_hashes: dict[str, str] = {}
    for staff in provider.staff:
        if staff.password not in password_hashes:
            password_hashes[staff.password] = hash_password(staff.password)
        conn.execute(
            sa.insert(users).values(
                id=staff.user_id,
                tenant_id=provider.tenant_id,
                username=staff.username,
                password_hash=password_hashes[staff.password],
                role=staff.role,
                active=True,
                failed_logins=0,
            )
        )
    write_server_records(conn, provider.tenant_id, provider.staff_records())
    write_server_records(conn, provider.tenant_id, provider.residents)
    write_server_records(conn, provider.tenant_id, provider.events())
