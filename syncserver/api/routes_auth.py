"""Staff sign-in from an enrolled PC (password, then for managers and admins a second factor
at ``/v1/auth/mfa``), token refresh and sign-out. Sign-in endpoints are rate-limited."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.protocol import LoginRequest, LoginResponse, MfaChallenge, RefreshRequest, TokenPair
from syncserver import audit, signin
from syncserver.api.deps import (
    ServerState,
    authenticate_device,
    client_address,
    record_audit,
    refuse_expired,
    state_of,
)
from syncserver.db.tables import users
from syncserver.errors import AuthError, Forbidden, ServerError
from syncserver.sync.context import DeviceContext

router = APIRouter(prefix="/v1/auth")


def policy_of(state: ServerState) -> signin.SignInPolicy:
    return signin.SignInPolicy(
        state.tokens,
        state.cipher,
        state.settings.max_login_failures,
        state.settings.mfa_enforced,
    )


def reply(outcome: LoginResponse | MfaChallenge) -> JSONResponse:
    # Fields left empty are left out, so an app that predates them still reads the reply.
    return JSONResponse(outcome.model_dump(exclude_none=True))


@router.post("/login", response_model=None)
def login(
    body: LoginRequest, request: Request, device: DeviceContext = Depends(authenticate_device)
) -> JSONResponse:
    state = state_of(request)
    username = body.username.strip()
    state.limiter.check(client_address(request), f"{device.device_id}:{username.lower()}")
    with state.tenant(device.tenant_id) as conn:
        outcome = signin.password_step(conn, policy_of(state), device, username, body.password)
    if isinstance(outcome, ServerError):
        raise outcome
    return reply(outcome)


@router.post("/refresh")
def refresh(body: RefreshRequest, request: Request) -> TokenPair:
    state = state_of(request)
    state.limiter.check(client_address(request))
    tenant_id = state.tokens.refresh_tenant(body.refresh_token)
    with state.tenant(tenant_id) as conn:
        outcome = state.tokens.rotate_refresh(conn, body.refresh_token)
        if not isinstance(outcome, AuthError):
            user = conn.execute(
                sa.select(users.c.role, users.c.active, users.c.access_until).where(
                    users.c.tenant_id == tenant_id, users.c.id == outcome.user_id
                )
            ).one()
    if isinstance(outcome, AuthError):
        if outcome.code == "token_reused":
            # A spent refresh token came back: someone holds a copy. The session is ended.
            record_audit(state, tenant_id, [audit.AuditEntry("session.token_reused")])
        raise outcome
    if not user.active:
        raise Forbidden(
            "This account has been disabled: speak to your manager.", code="user_disabled"
        )
    ended = signin.access_ended(user.access_until)
    if ended is not None:
        refuse_expired(state, tenant_id, outcome.user_id, None, "refresh")
        raise ended
    access = state.tokens.issue_access(
        outcome.user_id, tenant_id, user.role, None, outcome.session_id
    )
    return TokenPair(access_token=access, refresh_token=outcome.refresh_token)


@router.post("/logout")
def logout(body: RefreshRequest, request: Request) -> dict[str, str]:
    state = state_of(request)
    tenant_id = state.tokens.refresh_tenant(body.refresh_token)
    with state.tenant(tenant_id) as conn:
        user_id = state.tokens.revoke_family_of(conn, body.refresh_token)
        audit.append(conn, tenant_id, [audit.AuditEntry("signout", user_id)])
    return {"status": "signed_out"}
