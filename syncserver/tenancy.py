"""Provider administration: tenants, homes, units, staff, enrolment codes, devices, and the
server's own writes of reference data (which then sync to PCs like any other record)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from shared import access_expiry
from shared import entities as ent
from shared.demo_data import DemoProvider, SeedRecord
from shared.demo_medicines import medicine_records
from shared.hlc import HybridClock
from shared.ids import new_id
from shared.merge import make_version
from syncserver import audit
from syncserver.crypto import FieldCipher, TenantCipher, sealed_names
from syncserver.db.tables import devices, records, tenants, users
from syncserver.enrolment import (
    Enrolment,
    enrol_code_hash,
    enrol_code_tenant,
    enrol_device,
    issue_enrol_code,
    normalise_code,
)
from syncserver.errors import BadRequest, NotFound, ServerError
from syncserver.security.passwords import hash_password

__all__ = [
    "Enrolment",
    "add_user",
    "check_access_until",
    "create_tenant",
    "enrol_code_hash",
    "enrol_code_tenant",
    "enrol_device",
    "find_home",
    "issue_enrol_code",
    "lock_tenant",
    "normalise_code",
    "revoke_device",
    "seed_provider",
    "set_access_until",
    "set_user_active",
    "update_server_record",
    "write_server_records",
]

SERVER_CLOCK = HybridClock("server")


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


def _sealer(
    conn: sa.Connection, tenant_id: str, cipher: FieldCipher | None
) -> Callable[[str, str, dict[str, Any]], dict[str, Any]]:
    """Seals personal fields; without the cipher, refuses any record that has some (personal
    details are never written to the server database in clear)."""
    tenant_cipher: TenantCipher | None = None

    def seal(entity: str, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        nonlocal tenant_cipher
        if not any(fields.get(name) is not None for name in sealed_names(entity, fields)):
            return fields
        if cipher is None:
            raise ServerError(
                f"A {entity} record holds personal details, which are only stored encrypted: "
                "this needs the server's master key.",
                code="master_key_required",
            )
        tenant_cipher = tenant_cipher or cipher.for_tenant(conn, tenant_id)
        return tenant_cipher.seal(entity, record_id, fields)

    return seal


def write_server_records(
    conn: sa.Connection,
    tenant_id: str,
    seeds: Iterable[SeedRecord],
    *,
    batch: int = 5000,
    cipher: FieldCipher | None = None,
) -> int:
    """Insert records written by the server itself (reference data, seeded history) with fresh
    sequence numbers, under the tenant lock, personal fields sealed with ``cipher``. Returns
    how many were written."""
    total = 0
    pending: list[SeedRecord] = []
    seal = _sealer(conn, tenant_id, cipher)
    # Records written without the master key (IT's reference data) get no content hash.
    audit_key = cipher.for_tenant(conn, tenant_id).audit_key() if cipher is not None else None

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
                    "fields": json.dumps(seal(seed.entity, seed.record_id, seed.fields)),
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
                    detail=(
                        {"content": audit.content_hash(seed.fields, audit_key)}
                        if audit_key is not None
                        else None
                    ),
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
    conn: sa.Connection,
    tenant_id: str,
    record_id: str,
    fields: dict[str, Any],
    action: str,
    *,
    cipher: FieldCipher | None = None,
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
    stored = json.loads(row.fields)
    if cipher is not None:
        stored = cipher.for_tenant(conn, tenant_id).open(row.entity, record_id, stored)
    values = _sealer(conn, tenant_id, cipher)(row.entity, record_id, {**stored, **fields})
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


def check_access_until(role: str, until: dt.datetime | None, now: dt.datetime) -> None:
    """An inspector's account must end, within ``access_expiry.MAX_DAYS``; any end must be
    in the future."""
    if until is None:
        if role in access_expiry.TIME_LIMITED_ROLES:
            raise BadRequest(
                "An inspector's access must end: give --until DATE or --days N "
                f"(at most {access_expiry.MAX_DAYS} days).",
                code="access_until_required",
            )
        return
    if until.tzinfo is None:
        raise BadRequest("The end of access needs a time zone.", code="access_until_invalid")
    if until <= now:
        raise BadRequest(
            f"The end of access ({access_expiry.format_until(until)}) is already past.",
            code="access_until_invalid",
        )
    if role in access_expiry.TIME_LIMITED_ROLES and until > now + dt.timedelta(
        days=access_expiry.MAX_DAYS
    ):
        raise BadRequest(
            f"An inspector's access can be given for at most {access_expiry.MAX_DAYS} days at a "
            "time: extend it later if needed.",
            code="access_until_too_long",
        )


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
    access_until: dt.datetime | None = None,
) -> str:
    if role not in ent.ROLES:
        raise BadRequest(f"Unknown role {role!r}: use one of {', '.join(ent.ROLES)}.")
    check_access_until(role, access_until, dt.datetime.now(dt.UTC))
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
            access_until=access_until,
        )
    )
    fields: dict[str, Any] = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "home_ids": home_ids,
        "active": True,
    }
    if access_until is not None:
        fields["access_until"] = access_until.astimezone(dt.UTC).isoformat(timespec="seconds")
    write_server_records(
        conn,
        tenant_id,
        [SeedRecord("staff_user", user_id, None, None, fields, int(time.time() * 1000))],
    )
    return user_id


def set_access_until(
    conn: sa.Connection, tenant_id: str, username: str, until: dt.datetime | None
) -> str:
    """Extend a person's access to ``until``, or with None end it now. The end travels to the
    PCs with the staff record, so they refuse offline sign-in after it too. Returns the user
    id."""
    row = conn.execute(
        sa.select(users.c.id, users.c.role).where(
            users.c.tenant_id == tenant_id, users.c.username == username
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no user {username!r} in this provider.")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if until is None:
        until, action = now, "user.access_ended"
    else:
        check_access_until(row.role, until, now)
        action = "user.access_extended"
    conn.execute(sa.update(users).where(users.c.id == row.id).values(access_until=until))
    stamp = until.astimezone(dt.UTC).isoformat(timespec="seconds")
    update_server_record(conn, tenant_id, row.id, {"access_until": stamp}, action)
    return str(row.id)


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


def seed_provider(conn: sa.Connection, provider: DemoProvider, *, cipher: FieldCipher) -> None:
    """Write a generated provider: homes, units, staff (with passwords), residents, history,
    medicines (when it has them); residents' personal details sealed with ``cipher``."""
    create_tenant(conn, provider.tenant_name, provider.tenant_id)
    write_server_records(
        conn, provider.tenant_id, [*provider.homes, *provider.units], cipher=cipher
    )
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
    write_server_records(conn, provider.tenant_id, provider.staff_records(), cipher=cipher)
    write_server_records(conn, provider.tenant_id, provider.residents, cipher=cipher)
    write_server_records(conn, provider.tenant_id, provider.events(), cipher=cipher)
    write_server_records(conn, provider.tenant_id, medicine_records(provider), cipher=cipher)
    if conn.dialect.name == "postgresql":
        # A bulk load leaves PostgreSQL's planner guessing until autovacuum's next round
        # (a minute or more): it then reads a push's records through the tenant's whole
        # index instead of their keys. ANALYZE counts this transaction's own rows.
        conn.exec_driver_sql("ANALYZE records, users, devices, tenants")
