"""Request transactions scoped to one tenant: the second layer under the application's own
``WHERE tenant_id = ...``.

On PostgreSQL every request transaction first becomes the application role (``SET LOCAL
ROLE``: no BYPASSRLS, owns nothing) and names its tenant with ``set_config(..., true)``, so
the row-level security policies of migration 0003 show and accept only that tenant's rows,
whatever a query forgets. Both settings end with the transaction, so a pooled connection
never carries one request's tenant into the next. Before the tenant is known, a look-up may
name one device id or one enrolment-code hash instead (read-only policies). On SQLite the
scope is a plain transaction: the application's filters are the only layer there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from syncserver.errors import ConfigError

DEFAULT_APP_ROLE = "wcn_app"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SET = sa.text(
    "SELECT set_config('wcn.tenant_id', :tenant, true), "
    "set_config('wcn.device_id', :device, true), "
    "set_config('wcn.enrol_code_hash', :code, true)"
)


@dataclass(frozen=True)
class Scope:
    """How this server enters a tenant: the PostgreSQL role its requests run as."""

    app_role: str = DEFAULT_APP_ROLE

    def __post_init__(self) -> None:
        if not _ROLE.match(self.app_role):
            raise ConfigError(
                f"The database application role {self.app_role!r} must be a plain lower-case "
                "name (letters, digits, underscores)."
            )

    def enter(
        self,
        conn: sa.Connection,
        *,
        tenant_id: str = "",
        device_id: str = "",
        enrol_code_hash: str = "",
    ) -> None:
        """Run the rest of ``conn``'s transaction as the application role, seeing only
        ``tenant_id`` (or only the one device / code being looked up)."""
        if conn.dialect.name != "postgresql":
            return
        conn.exec_driver_sql(f"SET LOCAL ROLE {self.app_role}")
        conn.execute(_SET, {"tenant": tenant_id, "device": device_id, "code": enrol_code_hash})

    @contextmanager
    def tenant(self, engine: sa.Engine, tenant_id: str) -> Iterator[sa.Connection]:
        if not tenant_id:
            raise ValueError("a tenant transaction needs the tenant")
        with engine.begin() as conn:
            self.enter(conn, tenant_id=tenant_id)
            yield conn

    @contextmanager
    def lookup(
        self, engine: sa.Engine, *, device_id: str = "", enrol_code_hash: str = ""
    ) -> Iterator[sa.Connection]:
        with engine.begin() as conn:
            self.enter(conn, device_id=device_id, enrol_code_hash=enrol_code_hash)
            yield conn

    def check(self, engine: sa.Engine) -> None:
        """Refuse to start when this login cannot become the application role."""
        if engine.dialect.name != "postgresql":
            return
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"SET LOCAL ROLE {self.app_role}")
                bypass = conn.execute(
                    sa.text("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = :r"),
                    {"r": self.app_role},
                ).scalar_one()
        except sa.exc.DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConfigError(
                f"The server cannot run as the database role {self.app_role!r} ({reason}). "
                "Run 'writecarenotes-server migrate' (it creates the role), and connect as its "
                "owner or as a login role granted it (see docs/security.md)."
            ) from None
        if bypass:
            raise ConfigError(
                f"The database role {self.app_role!r} may bypass row-level security: "
                "remove SUPERUSER/BYPASSRLS from it."
            )
