"""Request plumbing shared by the routes: the server state, device and user authentication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Request

from shared.protocol import DEVICE_AUTH_SCHEME
from syncserver import audit
from syncserver.config import Settings
from syncserver.db.engine import Database
from syncserver.db.tables import devices
from syncserver.errors import AuthError, Forbidden
from syncserver.live import LiveHub
from syncserver.security.passwords import digest_matches
from syncserver.security.tokens import AccessClaims, TokenService
from syncserver.sync.context import DeviceContext


@dataclass
class ServerState:
    settings: Settings
    db: Database
    tokens: TokenService
    live: LiveHub


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.wcn
    return state


def record_refusal(
    state: ServerState, tenant_id: str, action: str, device_id: str | None, detail: dict[str, str]
) -> None:
    """Refusals are audited in their own transaction: the refused action's was rolled back."""
    with state.db.writer.begin() as conn:
        audit.append(
            conn, tenant_id, [audit.AuditEntry(action, device_id=device_id, detail=detail)]
        )


def authenticate_device(request: Request) -> DeviceContext:
    """An enrolled, active PC."""
    return _device(request, allow_revoked=False)


def authenticate_device_for_push(request: Request) -> DeviceContext:
    """An enrolled PC, revoked or not: a revoked PC may still hand over what it recorded
    before it wipes itself (it can no longer pull, sign anyone in or read anything)."""
    return _device(request, allow_revoked=True)


def _device(request: Request, *, allow_revoked: bool) -> DeviceContext:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme != DEVICE_AUTH_SCHEME or "." not in credential or len(credential) > 200:
        raise AuthError(
            "This PC is not enrolled: enrol it with a code from IT.", code="device_unauthenticated"
        )
    device_id, _, secret = credential.partition(".")
    state = state_of(request)
    with state.db.reader.connect() as conn:
        row = conn.execute(
            sa.select(
                devices.c.tenant_id,
                devices.c.home_id,
                devices.c.secret_hash,
                devices.c.status,
                devices.c.acked_seq,
            ).where(devices.c.id == device_id)
        ).one_or_none()
    if row is None or not digest_matches(row.secret_hash, secret):
        raise AuthError(
            "This PC is not enrolled: enrol it with a code from IT.", code="device_unauthenticated"
        )
    revoked = row.status != "active"
    if revoked and allow_revoked:
        return DeviceContext(device_id, row.tenant_id, row.home_id, int(row.acked_seq), True)
    if revoked:
        record_refusal(state, row.tenant_id, "device.refused_revoked", device_id, {})
        raise Forbidden("This PC has been removed from service by IT.", code="device_revoked")
    return DeviceContext(device_id, row.tenant_id, row.home_id, int(row.acked_seq))


def authenticate_user(request: Request) -> AccessClaims:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 4096:
        raise AuthError("Sign in first.", code="unauthenticated")
    return state_of(request).tokens.verify_access(token)


def touch_device(
    conn: sa.Connection, device: DeviceContext, app_version: str | None, skew_ms: int | None
) -> None:
    values: dict[str, object] = {"last_seen_at": dt.datetime.now(dt.UTC)}
    if app_version:
        values["app_version"] = app_version
    if skew_ms is not None:
        values["clock_skew_ms"] = skew_ms
    conn.execute(sa.update(devices).where(devices.c.id == device.device_id).values(**values))
