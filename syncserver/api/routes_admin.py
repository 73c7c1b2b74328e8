"""Endpoints for IT: the provider's PCs with their versions and last-seen times."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request

from shared.permissions import ADMIN_ROLES, MANAGER_ROLES
from syncserver import audit
from syncserver.api.deps import authenticate_user, refuse_permission, state_of
from syncserver.db.tables import devices
from syncserver.security.tokens import AccessClaims

router = APIRouter(prefix="/v1/admin")


@router.get("/devices")
def list_devices(
    request: Request, claims: AccessClaims = Depends(authenticate_user)
) -> list[dict[str, object]]:
    state = state_of(request)
    if claims.role not in ADMIN_ROLES | MANAGER_ROLES:
        raise refuse_permission(
            state, claims, "admin.devices.list", "Only managers and IT can see the list of PCs."
        )
    with state.tenant(claims.tenant_id) as conn:
        rows = (
            conn.execute(
                sa.select(
                    devices.c.id,
                    devices.c.home_id,
                    devices.c.name,
                    devices.c.status,
                    devices.c.app_version,
                    devices.c.last_seen_at,
                    devices.c.clock_skew_ms,
                    devices.c.acked_seq,
                )
                .where(devices.c.tenant_id == claims.tenant_id)
                .order_by(devices.c.name)
            )
            .mappings()
            .all()
        )
        audit.append(
            conn,
            claims.tenant_id,
            [audit.AuditEntry("admin.devices.listed", claims.user_id, claims.device_id)],
        )
    return [{**dict(r), "last_seen_at": _utc_iso(r["last_seen_at"])} for r in rows]


def _utc_iso(at: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (SQLite hands back times without their zone: UTC)."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
