"""Staff sign-in on the server: the password step, and for managers and admins the second
factor (TOTP or a recovery code). Every attempt, good or bad, is audited in the same
transaction; repeated failures of either step lock the account for a while.

The functions return the refusal rather than raising it, so the caller commits the audit
entry and the failure count first and raises after.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shared import access_expiry
from shared.permissions import ADMIN_ROLES, MFA_ROLES
from shared.protocol import LoginResponse, MfaChallenge, MfaEnrolResponse
from syncserver import audit, tenancy
from syncserver.crypto import FieldCipher
from syncserver.db.tables import mfa_recovery_codes, records, tenants, users
from syncserver.errors import AuthError, Conflict, Forbidden, ServerError
from syncserver.security import mfa
from syncserver.security.passwords import verify_password
from syncserver.security.tokens import MFA_MINUTES, MfaClaims, TokenService
from syncserver.sync.context import DeviceContext

LOCK_MINUTES = 15
_TOTP_SCOPE = "users"


@dataclass(frozen=True)
class SignInPolicy:
    tokens: TokenService
    cipher: FieldCipher
    max_failures: int
    mfa_enforced: bool


Outcome = LoginResponse | MfaChallenge | ServerError


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _user(conn: sa.Connection, tenant_id: str, **where: str) -> dict[str, Any] | None:
    query = sa.select(users).where(users.c.tenant_id == tenant_id)
    for column, value in where.items():
        query = query.where(users.c[column] == value)
    row = conn.execute(query).mappings().one_or_none()
    return dict(row) if row is not None else None


def _failed(
    conn: sa.Connection,
    policy: SignInPolicy,
    tenant_id: str,
    user: dict[str, Any] | None,
    refusal: ServerError,
    *,
    device_id: str | None,
    count: bool,
    step: str = "password",
) -> ServerError:
    if user is not None and count:
        failures = int(user["failed_logins"]) + 1
        values: dict[str, object] = {"failed_logins": failures}
        if failures >= policy.max_failures:
            values["locked_until"] = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=LOCK_MINUTES)
        conn.execute(sa.update(users).where(users.c.id == user["id"]).values(**values))
    detail: dict[str, Any] = {"username_known": user is not None, "code": refusal.code}
    if step != "password":
        detail["step"] = step
    entry = audit.AuditEntry("signin.failed", user["id"] if user else None, device_id, None, detail)
    audit.append(conn, tenant_id, [entry])
    return refusal


def access_ended(until: dt.datetime | None) -> Forbidden | None:
    """The refusal for a person whose time-limited access (an inspector's) has ended."""
    end = _aware(until) if until is not None else None
    if end is None or not access_expiry.has_ended(end, dt.datetime.now(dt.UTC)):
        return None
    return Forbidden(access_expiry.ended_message(end), code="access_expired")


def _standing(user: dict[str, Any]) -> ServerError | None:
    """Why an otherwise correct sign-in is refused: a lock, a disabled account, or access
    that has ended."""
    locked = user["locked_until"]
    if locked is not None and _aware(locked) > dt.datetime.now(dt.UTC):
        return AuthError(
            "Too many wrong attempts: this account is locked for a few minutes. "
            "Ask a manager if you need help now.",
            code="account_locked",
        )
    if not user["active"]:
        return Forbidden(
            "This account has been disabled: speak to your manager.", code="user_disabled"
        )
    return access_ended(user["access_until"])


def _profile(conn: sa.Connection, tenant_id: str, user_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(
        conn.execute(
            sa.select(records.c.fields).where(
                records.c.tenant_id == tenant_id, records.c.record_id == user_id
            )
        ).scalar_one()
    )
    return fields


def _signed_in(
    conn: sa.Connection,
    policy: SignInPolicy,
    tenant_id: str,
    user: dict[str, Any],
    *,
    device_id: str | None,
    detail: dict[str, Any] | None = None,
    recovery_codes: list[str] | None = None,
    offline_totp: tuple[str, int | None] | None = None,
) -> LoginResponse:
    conn.execute(
        sa.update(users)
        .where(users.c.id == user["id"])
        .values(failed_logins=0, locked_until=None, mfa_pending_jti=None)
    )
    entry = audit.AuditEntry("signin.ok", user["id"], device_id, None, detail)
    audit.append(conn, tenant_id, [entry])
    access, refresh = policy.tokens.issue_session(
        conn, user["id"], tenant_id, user["role"], device_id
    )
    return LoginResponse(
        user_id=user["id"],
        username=user["username"],
        display_name=_profile(conn, tenant_id, user["id"])["display_name"],
        role=user["role"],
        access_token=access,
        refresh_token=refresh,
        recovery_codes=recovery_codes,
        offline_totp_secret=offline_totp[0] if offline_totp else None,
        offline_totp_last_step=offline_totp[1] if offline_totp else None,
    )


def password_step(
    conn: sa.Connection, policy: SignInPolicy, device: DeviceContext, username: str, password: str
) -> Outcome:
    tenant_id = device.tenant_id
    user = _user(conn, tenant_id, username=username.strip())
    if not verify_password(user["password_hash"] if user else None, password):
        refusal = AuthError("The username or password is wrong.", code="bad_credentials")
        return _failed(
            conn, policy, tenant_id, user, refusal, device_id=device.device_id, count=True
        )
    assert user is not None
    standing = _standing(user)
    if standing is not None:
        return _failed(
            conn, policy, tenant_id, user, standing, device_id=device.device_id, count=False
        )
    home_ids = _profile(conn, tenant_id, user["id"]).get("home_ids", [])
    if user["role"] not in ADMIN_ROLES and device.home_id not in home_ids:
        wrong_home = Forbidden("You are not on the staff list of this home.", code="wrong_home")
        return _failed(
            conn, policy, tenant_id, user, wrong_home, device_id=device.device_id, count=False
        )
    if user["role"] in MFA_ROLES and policy.mfa_enforced:
        token, jti = policy.tokens.issue_mfa(user["id"], tenant_id, device.device_id)
        conn.execute(sa.update(users).where(users.c.id == user["id"]).values(mfa_pending_jti=jti))
        enrolled = user["totp_enabled_at"] is not None
        entry = audit.AuditEntry(
            "signin.password_ok", user["id"], device.device_id, None, {"mfa": "required"}
        )
        audit.append(conn, tenant_id, [entry])
        return MfaChallenge(mfa_token=token, enrolled=enrolled, expires_in_s=MFA_MINUTES * 60)
    return _signed_in(conn, policy, tenant_id, user, device_id=device.device_id)


def _challenged_user(
    conn: sa.Connection, policy: SignInPolicy, claims: MfaClaims
) -> tuple[dict[str, Any] | None, ServerError | None]:
    user = _user(conn, claims.tenant_id, id=claims.user_id)
    refusal = AuthError(
        "This sign-in has expired or was already used: sign in again.", code="mfa_token_invalid"
    )
    if user is None:
        return None, refusal  # no one of this tenant to attribute it to: nothing is written
    if user["mfa_pending_jti"] != claims.jti:
        return user, _failed(
            conn,
            policy,
            claims.tenant_id,
            user,
            refusal,
            device_id=claims.device_id,
            count=False,
            step="mfa",
        )
    standing = _standing(user)
    if standing is not None:
        return user, _failed(
            conn,
            policy,
            claims.tenant_id,
            user,
            standing,
            device_id=claims.device_id,
            count=False,
            step="mfa",
        )
    return user, None


def mfa_step(
    conn: sa.Connection,
    policy: SignInPolicy,
    claims: MfaClaims,
    code: str | None,
    recovery_code: str | None,
    *,
    offline: bool = False,
) -> Outcome:
    """Finish a sign-in with a TOTP code (which, the first time, confirms the app and hands out
    recovery codes) or a recovery code. Each code works once.

    With ``offline`` the enrolled PC the sign-in came from also gets the person's authenticator
    secret (and the last step accepted), so it can check their codes when the server cannot be
    reached; only ever for this person, of this tenant, just proven with both factors."""
    user, refusal = _challenged_user(conn, policy, claims)
    if refusal is not None:
        return refusal
    assert user is not None
    tenant_id, user_id = claims.tenant_id, claims.user_id
    now = dt.datetime.now(dt.UTC)
    claimed = sa.update(users).where(users.c.id == user_id, users.c.mfa_pending_jti == claims.jti)
    method = None
    new_codes: list[str] | None = None
    if code and user["totp_secret"]:
        cipher = policy.cipher.for_tenant(conn, tenant_id)
        secret = cipher.open_value(_TOTP_SCOPE, user_id, "totp_secret", user["totp_secret"])
        step = mfa.matching_step(str(secret), code, user["totp_last_step"])
        last = users.c.totp_last_step
        if (
            step is not None
            and conn.execute(
                claimed.where(sa.or_(last.is_(None), last < step)).values(totp_last_step=step)
            ).rowcount
        ):
            method = "totp"
            if user["totp_enabled_at"] is None:
                conn.execute(claimed.values(totp_enabled_at=now))
                new_codes = _replace_recovery_codes(conn, tenant_id, user_id)
    elif recovery_code and user["totp_enabled_at"] is not None:
        used = conn.execute(
            sa.update(mfa_recovery_codes)
            .where(
                mfa_recovery_codes.c.user_id == user_id,
                mfa_recovery_codes.c.code_hash == mfa.recovery_digest(user_id, recovery_code),
                mfa_recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=now)
        ).rowcount
        if used:
            method = "recovery_code"
    if method is None:
        wrong = AuthError(
            "That code is not right, or was already used: wait for the next code and try again.",
            code="mfa_invalid",
        )
        return _failed(
            conn, policy, tenant_id, user, wrong, device_id=claims.device_id, count=True, step="mfa"
        )
    detail: dict[str, Any] = {"mfa": method}
    if new_codes is not None:
        detail["mfa_enrolled"] = True
    offline_totp = None
    if offline and claims.device_id is not None:
        fresh = _user(conn, tenant_id, id=user_id)
        assert fresh is not None
        if fresh["totp_secret"] and fresh["totp_enabled_at"] is not None:
            cipher = policy.cipher.for_tenant(conn, tenant_id)
            secret = cipher.open_value(_TOTP_SCOPE, user_id, "totp_secret", fresh["totp_secret"])
            offline_totp = (str(secret), fresh["totp_last_step"])
            detail["offline_totp"] = True
    return _signed_in(
        conn,
        policy,
        tenant_id,
        user,
        device_id=claims.device_id,
        detail=detail,
        recovery_codes=new_codes,
        offline_totp=offline_totp,
    )


def _replace_recovery_codes(conn: sa.Connection, tenant_id: str, user_id: str) -> list[str]:
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        sa.update(mfa_recovery_codes)
        .where(mfa_recovery_codes.c.user_id == user_id, mfa_recovery_codes.c.used_at.is_(None))
        .values(used_at=now)
    )
    codes = mfa.new_recovery_codes()
    conn.execute(
        sa.insert(mfa_recovery_codes),
        [
            {
                "tenant_id": tenant_id,
                "user_id": user_id,
                "code_hash": mfa.recovery_digest(user_id, c),
            }
            for c in codes
        ],
    )
    return codes


def start_enrolment(
    conn: sa.Connection, policy: SignInPolicy, claims: MfaClaims
) -> MfaEnrolResponse | ServerError:
    """A new authenticator secret for someone who has none confirmed yet; confirmed by their
    first code at ``mfa_step``."""
    user, refusal = _challenged_user(conn, policy, claims)
    if refusal is not None:
        return refusal
    assert user is not None
    if user["totp_enabled_at"] is not None:
        return Conflict(
            "An authenticator app is already set up for this account: use its code, or ask IT "
            "to reset it.",
            code="mfa_already_enrolled",
        )
    secret = mfa.new_secret()
    sealed = policy.cipher.for_tenant(conn, claims.tenant_id).seal_value(
        _TOTP_SCOPE, claims.user_id, "totp_secret", secret
    )
    conn.execute(
        sa.update(users)
        .where(users.c.id == claims.user_id)
        .values(totp_secret=sealed, totp_last_step=None)
    )
    entry = audit.AuditEntry("mfa.enrolment_started", claims.user_id, claims.device_id)
    audit.append(conn, claims.tenant_id, [entry])
    provider = conn.execute(
        sa.select(tenants.c.name).where(tenants.c.id == claims.tenant_id)
    ).scalar_one()
    return MfaEnrolResponse(
        secret=secret, provisioning_uri=mfa.provisioning_uri(secret, user["username"], provider)
    )


def reset_mfa(conn: sa.Connection, tenant_id: str, username: str) -> str:
    """IT's reset for a lost phone and lost recovery codes: the person enrols again at their
    next sign-in. Returns the user id."""
    user = _user(conn, tenant_id, username=username)
    if user is None:
        raise ServerError(f"There is no user {username!r} in this provider.", code="not_found")
    conn.execute(
        sa.update(users)
        .where(users.c.id == user["id"])
        .values(totp_secret=None, totp_enabled_at=None, totp_last_step=None, mfa_pending_jti=None)
    )
    conn.execute(
        sa.update(mfa_recovery_codes)
        .where(mfa_recovery_codes.c.user_id == user["id"], mfa_recovery_codes.c.used_at.is_(None))
        .values(used_at=dt.datetime.now(dt.UTC))
    )
    audit.append(conn, tenant_id, [audit.AuditEntry("mfa.reset", user["id"], detail={"by": "it"})])
    # Synced to the PCs, which then forget the old secret they keep for offline codes.
    tenancy.update_server_record(
        conn,
        tenant_id,
        user["id"],
        {"mfa_reset_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        "user.mfa_reset",
    )
    return str(user["id"])
