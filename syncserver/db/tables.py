"""Server tables (SQLAlchemy Core). Record contents are stored as JSON text, shaped by the
entity registry in ``shared.entities``; the migrations in ``syncserver/migrations`` create them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("audit_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("audit_head", sa.String(64), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The tenant's audit key (keys the content hashes), wrapped by the master key.
    sa.Column("audit_key_wrapped", sa.Text, nullable=True),
    sa.Column("audit_key_master_id", sa.String(64), nullable=True),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("record_id", sa.String(36), primary_key=True),
    sa.Column("entity", sa.String(50), nullable=False),
    sa.Column("home_id", sa.String(36), nullable=True),
    sa.Column("resident_id", sa.String(36), nullable=True),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("versions", sa.Text, nullable=False),
    sa.Column("hlc", sa.String(80), nullable=False),
    sa.Column("server_seq", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.String(36), nullable=True),
    sa.Column("device_id", sa.String(36), nullable=True),
    sa.Index("ix_records_tenant_seq", "tenant_id", "server_seq"),
    sa.Index("ix_records_tenant_entity", "tenant_id", "entity"),
    # the safety rules' look-up of one resident's records of one entity (migration 0004)
    sa.Index("ix_records_tenant_resident_entity", "tenant_id", "resident_id", "entity"),
    # the integrity count of a pull: one home's records, index only (migration 0007)
    sa.Index("ix_records_home_tenant_seq", "home_id", "tenant_id", "server_seq"),
)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("change_id", sa.String(36), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("device_id", sa.String(36), nullable=True),
    sa.Column("device_seq", sa.BigInteger, nullable=True),
    sa.Column("user_id", sa.String(36), nullable=True),
    sa.Column("entity", sa.String(50), nullable=False),
    sa.Column("record_id", sa.String(36), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("base_versions", sa.Text, nullable=False),
    sa.Column("hlc", sa.String(80), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("username", sa.String(100), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    # Sealed with the tenant's data key (see syncserver.crypto), like personal fields.
    sa.Column("totp_secret", sa.Text, nullable=True),
    sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("totp_last_step", sa.BigInteger, nullable=True),  # refuses a code's replay
    sa.Column("mfa_pending_jti", sa.String(36), nullable=True),  # the one live MFA challenge
    sa.Column("access_until", sa.DateTime(timezone=True), nullable=True),  # inspectors' end
    sa.UniqueConstraint("tenant_id", "username", name="uq_users_tenant_username"),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("home_id", sa.String(36), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("app_version", sa.String(50), nullable=False),
    sa.Column("acked_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("clock_skew_ms", sa.BigInteger, nullable=True),
)

enrol_codes = sa.Table(
    "enrol_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("home_id", sa.String(36), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("device_id", sa.String(36), nullable=True),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("jti", sa.String(36), primary_key=True),
    sa.Column("family", sa.String(36), nullable=False, index=True),
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("user_id", sa.String(36), nullable=False),
    sa.Column("used", sa.Boolean, nullable=False, default=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("user_id", sa.String(36), nullable=True),
    sa.Column("device_id", sa.String(36), nullable=True),
    sa.Column("subject", sa.String(100), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

server_identity = sa.Table(
    "server_identity",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# --- security (migration 0003) -------------------------------------------------------------

tenant_keys = sa.Table(
    "tenant_keys",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("wrapped_key", sa.Text, nullable=False),  # the data key, wrapped by the master key
    sa.Column("master_key_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
)

audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(200), nullable=False),
)

mfa_recovery_codes = sa.Table(
    "mfa_recovery_codes",
    metadata,
    sa.Column("tenant_id", sa.String(36), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
)
