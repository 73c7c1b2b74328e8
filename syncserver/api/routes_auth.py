"""Staff sign-in from an enrolled PC, token refresh and sign-out."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request

from shared.permissions import ADMIN_ROLES
from shared.protocol import LoginRequest, LoginResponse, RefreshRequest, TokenPair
from syncserver import audit
from syncserver.api.deps import authenticate_device, state_of
from syncserver.db.tables import records, users
from syncserver.errors import AuthError, Forbidden
from syncserver.security.passwords import verify_password
from syncserver.sync.context import DeviceContext

router = APIRouter(prefix="/v1/auth")
_LOCK_MINUTES = 15


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@router.post("/login")
def login(
    body: LoginRequest, request: Request, device: DeviceContext = Depends(authenticate_device)
) -> LoginResponse:
    state = state_of(request)
    now = dt.datetime.now(dt.UTC)
    refusal: AuthError | Forbidden | None = None
    with state.db.writer.begin() as conn:
        user = (
            conn.execute(
                sa.select(users).where(
                    users.c.tenant_id == device.tenant_id, users.c.username == body.username.strip()
                )
            )
            .mappings()
            .one_or_none()
        )
        password_ok = verify_password(user["password_hash"] if user else None, body.password)
        entry = audit.AuditEntry(
            "signin.failed",
            user["id"] if user else None,
            device.device_id,
            detail={"username_known": user is not None},
        )
        if user is None or not password_ok:
            refusal = AuthError("The username or password is wrong.", code="bad_credentials")
            if user is not None:
                failures = int(user["failed_logins"]) + 1
                values: dict[str, object] = {"failed_logins": failures}
                if failures >= state.settings.max_login_failures:
                    values["locked_until"] = now + dt.timedelta(minutes=_LOCK_MINUTES)
                conn.execute(sa.update(users).where(users.c.id == user["id"]).values(**values))
        elif user["locked_until"] is not None and _aware(user["locked_until"]) > now:
            refusal = AuthError(
                "Too many wrong passwords: this account is locked for a few minutes. "
                "Ask a manager if you need help now.",
                code="account_locked",
            )
        elif not user["active"]:
            refusal = Forbidden(
                "This account has been disabled: speak to your manager.", code="user_disabled"
            )
        else:
            fields = json.loads(
                conn.execute(
                    sa.select(records.c.fields).where(
                        records.c.tenant_id == device.tenant_id, records.c.record_id == user["id"]
                    )
                ).scalar_one()
            )
            if user["role"] not in ADMIN_ROLES and device.home_id not in fields["home_ids"]:
                refusal = Forbidden(
                    "You are not on the staff list of this home.", code="wrong_home"
                )
        if refusal is not None:
            audit.append(
                conn,
                device.tenant_id,
                [
                    audit.AuditEntry(
                        entry.action,
                        entry.user_id,
                        entry.device_id,
                        detail={**(entry.detail or {}), "code": refusal.code},
                    )
                ],
            )
        else:
            assert user is not None
            conn.execute(
                sa.update(users)
                .where(users.c.id == user["id"])
                .values(failed_logins=0, locked_until=None)
            )
            audit.append(
                conn,
                device.tenant_id,
                [audit.AuditEntry("signin.ok", user["id"], device.device_id)],
            )
            access = state.tokens.issue_access(
                user["id"], device.tenant_id, user["role"], device.device_id
            )
            refresh = state.tokens.issue_refresh(conn, user["id"], device.tenant_id)
    if refusal is not None:
        raise refusal
    assert user is not None
    return LoginResponse(
        user_id=user["id"],
        username=user["username"],
        display_name=fields["display_name"],
        role=user["role"],
        access_token=access,
        refresh_token=refresh,
    )


@router.post("/refresh")
def refresh(body: RefreshRequest, request: Request) -> TokenPair:
    state = state_of(request)
    with state.db.writer.begin() as conn:
        outcome = state.tokens.rotate_refresh(conn, body.refresh_token)
        if not isinstance(outcome, AuthError):
            user_id, tenant_id, new_refresh = outcome
            user = conn.execute(
                sa.select(users.c.role, users.c.active).where(users.c.id == user_id)
            ).one()
    if isinstance(outcome, AuthError):
        raise outcome
    if not user.active:
        raise Forbidden(
            "This account has been disabled: speak to your manager.", code="user_disabled"
        )
    access = state.tokens.issue_access(user_id, tenant_id, user.role, None)
    return TokenPair(access_token=access, refresh_token=new_refresh)


@router.post("/logout")
def logout(body: RefreshRequest, request: Request) -> dict[str, str]:
    state = state_of(request)
    with state.db.writer.begin() as conn:
        state.tokens.revoke_family_of(conn, body.refresh_token)
    return {"status": "signed_out"}
