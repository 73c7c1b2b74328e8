"""Reading the audit trail for people: who saw or changed what, when, and from which PC,
filtered, and written as CSV or JSON. Searching and exporting are themselves audited by the
caller (``audit.searched`` / ``audit.exported``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import sqlalchemy as sa

from syncserver.db.tables import audit_log, devices, users
from syncserver.errors import BadRequest

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
COLUMNS = (
    "seq",
    "at",
    "action",
    "user_id",
    "username",
    "device_id",
    "device_name",
    "subject",
    "resident_id",
    "detail",
)


@dataclass(frozen=True)
class AuditQuery:
    tenant_id: str
    user: str | None = None  # a user id or username
    device_id: str | None = None
    action: str | None = None  # an action or its prefix: "signin" finds signin.ok and .failed
    record: str | None = None  # a record id: entries about it, and about that resident
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None

    def describe(self) -> dict[str, Any]:
        """The filters, for the audit entry that records the search itself."""
        chosen = {
            "user": self.user,
            "device": self.device_id,
            "action": self.action,
            "record": self.record,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in chosen.items() if v is not None}


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    action: str
    user_id: str | None
    username: str | None
    device_id: str | None
    device_name: str | None
    subject: str | None
    resident_id: str | None
    detail: dict[str, Any]

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}


def _checked(value: str | None, what: str) -> str | None:
    if value is not None and not _ID.match(value):
        raise BadRequest(f"The {what} {value!r} is not a valid id or name.", code="bad_filter")
    return value


def search(conn: sa.Connection, query: AuditQuery) -> Iterator[AuditRecord]:
    """Entries matching every filter given, oldest first."""
    u = users.alias("u")
    d = devices.alias("d")
    statement = (
        sa.select(audit_log, u.c.username, d.c.name.label("device_name"))
        .select_from(
            audit_log.outerjoin(u, u.c.id == audit_log.c.user_id).outerjoin(
                d, d.c.id == audit_log.c.device_id
            )
        )
        .where(audit_log.c.tenant_id == query.tenant_id)
        .order_by(audit_log.c.seq)
    )
    user = _checked(query.user, "user")
    if user:
        statement = statement.where(sa.or_(audit_log.c.user_id == user, u.c.username == user))
    if _checked(query.device_id, "device"):
        statement = statement.where(audit_log.c.device_id == query.device_id)
    action = _checked(query.action, "action")
    if action:
        statement = statement.where(
            sa.or_(audit_log.c.action == action, audit_log.c.action.startswith(action + "."))
        )
    record = _checked(query.record, "record")
    if record:
        # Entries name their subject "<entity>:<id>"; changes about a resident's records also
        # carry the resident in their detail (canonical JSON, so this text is exact).
        statement = statement.where(
            sa.or_(
                audit_log.c.subject == record,
                audit_log.c.subject.endswith(":" + record),
                audit_log.c.detail.contains(f'"resident":"{record}"'),
            )
        )
    if query.since:
        statement = statement.where(audit_log.c.at >= query.since)
    if query.until:
        statement = statement.where(audit_log.c.at < query.until)
    if query.limit:
        statement = statement.limit(query.limit)
    for row in conn.execute(statement).mappings():
        detail = json.loads(row["detail"])
        at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=dt.UTC)
        yield AuditRecord(
            int(row["seq"]),
            at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            row["action"],
            row["user_id"],
            row["username"],
            row["device_id"],
            row["device_name"],
            row["subject"],
            detail.get("resident") or _resident_subject(row["subject"]),
            detail,
        )


def _resident_subject(subject: str | None) -> str | None:
    if subject and subject.startswith("resident:"):
        return subject.split(":", 1)[1]
    return None


def write_csv(found: list[AuditRecord], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for record in found:
        row = record.as_row()
        row["detail"] = json.dumps(record.detail, sort_keys=True)
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ runs as a formula in a spreadsheet: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_json(found: list[AuditRecord], out: TextIO) -> None:
    json.dump([r.as_row() for r in found], out, indent=1, sort_keys=True)
    out.write("\n")
