"""The local store's tables and its versioned migrations (``PRAGMA user_version``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from shared.permissions import MFA_ROLES

metadata = sa.MetaData()

records = sa.Table(
    "records",
    metadata,
    sa.Column("record_id", sa.String, primary_key=True),
    sa.Column("entity", sa.String, nullable=False),
    sa.Column("home_id", sa.String),
    sa.Column("resident_id", sa.String),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("versions", sa.Text, nullable=False),
    sa.Column("hlc", sa.String, nullable=False),
    sa.Column("server_seq", sa.Integer),
    sa.Column("user_id", sa.String),
    sa.Column("device_id", sa.String),
    sa.Column("occurred_at", sa.String),
    sa.Column("pending", sa.Integer, nullable=False, default=0),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("device_seq", sa.Integer, primary_key=True),
    sa.Column("change_id", sa.String, nullable=False, unique=True),
    sa.Column("record_id", sa.String, nullable=False),
    sa.Column("entity", sa.String, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

sent_changes = sa.Table(
    "sent_changes",
    metadata,
    sa.Column("device_seq", sa.Integer, primary_key=True),
    sa.Column("change_id", sa.String, nullable=False, unique=True),
    sa.Column("record_id", sa.String, nullable=False),
    sa.Column("entity", sa.String, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("acked_at_ms", sa.Integer, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

local_users = sa.Table(
    "local_users",
    metadata,
    sa.Column("user_id", sa.String, primary_key=True),
    sa.Column("username", sa.String, nullable=False, unique=True),
    sa.Column("password_verifier", sa.String, nullable=False),
    sa.Column("pin_verifier", sa.String),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until_ms", sa.Integer),
    sa.Column("last_signin_ms", sa.Integer),
    sa.Column("totp_secret", sa.String),
    sa.Column("totp_last_step", sa.Integer),
)

_V1 = [
    """CREATE TABLE records (
        record_id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        home_id TEXT,
        resident_id TEXT,
        fields TEXT NOT NULL,
        versions TEXT NOT NULL,
        hlc TEXT NOT NULL,
        server_seq INTEGER,
        user_id TEXT,
        device_id TEXT,
        occurred_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX ix_records_entity ON records (entity)",
    "CREATE INDEX ix_records_resident_time ON records (resident_id, occurred_at)",
    """CREATE TABLE outbox (
        device_seq INTEGER PRIMARY KEY,
        change_id TEXT NOT NULL UNIQUE,
        record_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX ix_outbox_record ON outbox (record_id)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE local_users (
        user_id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_verifier TEXT NOT NULL,
        pin_verifier TEXT,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until_ms INTEGER,
        last_signin_ms INTEGER
    )""",
]

Migration = Callable[[sa.Connection], None]


def _statements(sql: list[str]) -> Migration:
    def run(conn: sa.Connection) -> None:
        for statement in sql:
            conn.exec_driver_sql(statement)

    return run


# Version 2: acknowledged changes are kept for a while, so that a PC can send them again to a
# server restored from a backup older than them.
_V2 = [
    """CREATE TABLE sent_changes (
        device_seq INTEGER PRIMARY KEY,
        change_id TEXT NOT NULL UNIQUE,
        record_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        body TEXT NOT NULL,
        acked_at_ms INTEGER NOT NULL
    )""",
]

# Version 3: the end-of-sync integrity count reads an index instead of every encrypted row.
_V3 = [
    "CREATE INDEX ix_records_synced ON records (server_seq) WHERE server_seq IS NOT NULL",
]

# Version 4: a manager's authenticator secret (delivered after an online sign-in with both
# factors on this PC), so their codes can be checked offline; the last step stops replays.
# Managers and admins who signed in here before have no secret yet: they are forgotten, so
# their next sign-in is online (with their code) instead of password-only offline.
_V4 = [
    "ALTER TABLE local_users ADD COLUMN totp_secret TEXT",
    "ALTER TABLE local_users ADD COLUMN totp_last_step INTEGER",
    "DELETE FROM local_users WHERE user_id IN (SELECT record_id FROM records "
    "WHERE entity = 'staff_user' AND json_extract(fields, '$.role') IN "
    f"({', '.join(repr(role) for role in sorted(MFA_ROLES))}))",
]

# Version 5: refusing a second dose for a scheduled slot looks up that slot's records (and
# their corrections) through an index, instead of reading every dose the resident ever had.
_V5 = [
    "CREATE INDEX IF NOT EXISTS ix_records_dose_slot ON records "
    "(json_extract(fields, '$.slot_id')) WHERE entity = 'medication_administration'",
    "CREATE INDEX IF NOT EXISTS ix_records_dose_amends ON records "
    "(json_extract(fields, '$.amends_id')) WHERE entity = 'medication_administration'",
]

# MIGRATIONS[n] upgrades a store from version n to n + 1. Append only; never edit one.
MIGRATIONS: list[Migration] = [
    _statements(_V1),
    _statements(_V2),
    _statements(_V3),
    _statements(_V4),
    _statements(_V5),
]
SCHEMA_VERSION = len(MIGRATIONS)
