"""security: tenant data keys, signed audit checkpoints, MFA, and PostgreSQL row-level security

On PostgreSQL this creates the application role (``wcn_app`` unless configured: NOLOGIN, no
BYPASSRLS, owning nothing), grants it only what the server does (no DELETE anywhere; INSERT
and SELECT only on the audit trail), and turns on and FORCEs row-level security with a tenant
policy on every table that holds tenant data. See docs/security.md, "Row-level security".

Revision ID: 0003
Revises: 0002
"""

import re

import sqlalchemy as sa
from alembic import context, op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DEFAULT_APP_ROLE = "wcn_app"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TENANT = "current_setting('wcn.tenant_id', true)"

# table -> (tenant column, privileges of the application role)
TENANT_TABLES: dict[str, tuple[str, str]] = {
    "tenants": ("id", "SELECT, UPDATE"),
    "records": ("tenant_id", "SELECT, INSERT, UPDATE"),
    "changes": ("tenant_id", "SELECT, INSERT"),
    "users": ("tenant_id", "SELECT, INSERT, UPDATE"),
    "devices": ("tenant_id", "SELECT, INSERT, UPDATE"),
    "enrol_codes": ("tenant_id", "SELECT, INSERT, UPDATE"),
    "refresh_tokens": ("tenant_id", "SELECT, INSERT, UPDATE"),
    "audit_log": ("tenant_id", "SELECT, INSERT"),
    "audit_checkpoints": ("tenant_id", "SELECT, INSERT"),
    "tenant_keys": ("tenant_id", "SELECT, INSERT"),
    "mfa_recovery_codes": ("tenant_id", "SELECT, INSERT, UPDATE"),
}


def app_role() -> str:
    role = str(context.config.attributes.get("app_role") or DEFAULT_APP_ROLE)
    if not _ROLE.match(role):
        raise ValueError(f"the application role name {role!r} is not a plain identifier")
    return role


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.alter_column("totp_secret", type_=sa.Text(), existing_nullable=True)
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("mfa_pending_jti", sa.String(length=36), nullable=True))
    op.create_table(
        "tenant_keys",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.Text(), nullable=False),
        sa.Column("master_key_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "version"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "seq"),
    )
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("user_id", "code_hash"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _row_level_security(app_role())


def _row_level_security(role: str) -> None:
    # Roles belong to the cluster, not the database: another database may have made it.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                BEGIN
                    CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                EXCEPTION WHEN duplicate_object THEN NULL;
                END;
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}'
                       AND (rolsuper OR rolbypassrls)) THEN
                RAISE EXCEPTION 'the application role {role} may bypass row-level security';
            END IF;
        END
        $$
        """
    )
    # The schema owner may SET ROLE to it (the server does, per transaction, when it is
    # given the owner's login); a dedicated login role granted it is the safer deployment.
    op.execute(f"GRANT {role} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA {_schema()} TO {role}")
    op.execute(f"GRANT SELECT ON alembic_version TO {role}")
    op.execute(f"GRANT SELECT ON server_identity TO {role}")  # not tenant data
    for table, (column, privileges) in TENANT_TABLES.items():
        op.execute(f"GRANT {privileges} ON {table} TO {role}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY wcn_tenant ON {table} TO {role} "
            f"USING ({column} = {_TENANT}) WITH CHECK ({column} = {_TENANT})"
        )
        # The owner runs migrations and IT's CLI across providers. It can switch RLS off on
        # its own tables anyway, so this names that power instead of leaving it implicit.
        op.execute(
            f"CREATE POLICY wcn_maintenance ON {table} TO CURRENT_USER "
            "USING (true) WITH CHECK (true)"
        )
    # The two look-ups made before the tenant is known: a PC's credential by its device id,
    # and an enrolment code by the hash of the code typed. Read-only, one row each.
    op.execute(
        f"CREATE POLICY wcn_device_lookup ON devices FOR SELECT TO {role} "
        "USING (id = current_setting('wcn.device_id', true))"
    )
    op.execute(
        f"CREATE POLICY wcn_enrol_lookup ON enrol_codes FOR SELECT TO {role} "
        "USING (code_hash = current_setting('wcn.enrol_code_hash', true))"
    )


def _schema() -> str:
    name = str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())
    if not _ROLE.match(name):
        raise ValueError(f"unexpected schema name {name!r}")
    return name


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        role = app_role()
        op.execute("DROP POLICY IF EXISTS wcn_device_lookup ON devices")
        op.execute("DROP POLICY IF EXISTS wcn_enrol_lookup ON enrol_codes")
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS wcn_tenant ON {table}")
            op.execute(f"DROP POLICY IF EXISTS wcn_maintenance ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
            op.execute(f"REVOKE ALL ON {table} FROM {role}")
        op.execute(f"REVOKE ALL ON alembic_version FROM {role}")
        op.execute(f"REVOKE ALL ON server_identity FROM {role}")
    op.drop_table("mfa_recovery_codes")
    op.drop_table("audit_checkpoints")
    op.drop_table("tenant_keys")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mfa_pending_jti")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.alter_column("totp_secret", type_=sa.String(length=64), existing_nullable=True)
