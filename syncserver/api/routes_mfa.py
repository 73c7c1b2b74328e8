"""The second sign-in step of managers and admins: set up an authenticator app, then prove a
code from it (or a recovery code). Both are rate-limited per person and per address."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shared.protocol import MfaEnrolRequest, MfaEnrolResponse, MfaRequest
from syncserver import signin
from syncserver.api.deps import client_address, state_of
from syncserver.api.routes_auth import policy_of, reply
from syncserver.errors import BadRequest, ServerError

router = APIRouter(prefix="/v1/auth/mfa")


@router.post("", response_model=None)
def complete(body: MfaRequest, request: Request) -> JSONResponse:
    if (body.code is None) == (body.recovery_code is None):
        raise BadRequest("Give either the six-digit code or a recovery code.", code="bad_request")
    state = state_of(request)
    claims = state.tokens.verify_mfa(body.mfa_token)
    state.limiter.check(client_address(request), f"mfa:{claims.user_id}")
    with state.tenant(claims.tenant_id) as conn:
        outcome = signin.mfa_step(
            conn, policy_of(state), claims, body.code, body.recovery_code, offline=body.offline
        )
    if isinstance(outcome, ServerError):
        raise outcome
    return reply(outcome)


@router.post("/enrol")
def enrol(body: MfaEnrolRequest, request: Request) -> MfaEnrolResponse:
    state = state_of(request)
    claims = state.tokens.verify_mfa(body.mfa_token)
    state.limiter.check(client_address(request), f"mfa:{claims.user_id}")
    with state.tenant(claims.tenant_id) as conn:
        outcome = signin.start_enrolment(conn, policy_of(state), claims)
    if isinstance(outcome, ServerError):
        raise outcome
    return outcome
