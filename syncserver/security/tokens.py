"""Access, refresh and MFA-challenge tokens (JWT, HS256 only). Refresh tokens rotate on every
use; using one twice revokes its whole family, which ends a session whose token was stolen.
An access token names its session (the refresh family, ``sid``), so signing out or a reuse
ends the access tokens of that session too, not only its refresh token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import jwt
import sqlalchemy as sa

from shared.ids import new_id
from syncserver.db.tables import refresh_tokens
from syncserver.errors import AuthError

ALGORITHMS = ["HS256"]
AUDIENCE = "writecarenotes"
ISSUER = "writecarenotes-server"
MFA_MINUTES = 5


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    tenant_id: str
    role: str
    device_id: str | None
    session_id: str | None = None


@dataclass(frozen=True)
class MfaClaims:
    user_id: str
    tenant_id: str
    device_id: str | None
    jti: str


@dataclass(frozen=True)
class Rotation:
    user_id: str
    tenant_id: str
    refresh_token: str
    session_id: str


class TokenService:
    def __init__(self, secret: str, access_minutes: int, refresh_days: int) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self._access = dt.timedelta(minutes=access_minutes)
        self._refresh = dt.timedelta(days=refresh_days)

    def _encode(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def issue_access(
        self,
        user_id: str,
        tenant_id: str,
        role: str,
        device_id: str | None,
        session_id: str | None = None,
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        return self._encode(
            {
                "sub": user_id,
                "tid": tenant_id,
                "role": role,
                "dev": device_id,
                "sid": session_id,
                "typ": "access",
                "aud": AUDIENCE,
                "iss": ISSUER,
                "iat": now,
                "exp": now + self._access,
                "jti": new_id(),
            }
        )

    def issue_session(
        self, conn: sa.Connection, user_id: str, tenant_id: str, role: str, device_id: str | None
    ) -> tuple[str, str]:
        """(access token, refresh token) of a new session."""
        family = new_id()
        refresh = self.issue_refresh(conn, user_id, tenant_id, family, jti=family)
        return self.issue_access(user_id, tenant_id, role, device_id, family), refresh

    def issue_mfa(self, user_id: str, tenant_id: str, device_id: str | None) -> tuple[str, str]:
        """A short-lived token proving the password step passed: (token, its id)."""
        now = dt.datetime.now(dt.UTC)
        jti = new_id()
        token = self._encode(
            {
                "sub": user_id,
                "tid": tenant_id,
                "dev": device_id,
                "typ": "mfa",
                "aud": AUDIENCE,
                "iss": ISSUER,
                "iat": now,
                "exp": now + dt.timedelta(minutes=MFA_MINUTES),
                "jti": jti,
            }
        )
        return token, jti

    def verify_mfa(self, token: str) -> MfaClaims:
        claims = self._decode(token, "mfa")
        return MfaClaims(claims["sub"], claims["tid"], claims.get("dev"), claims["jti"])

    def refresh_tenant(self, token: str) -> str:
        """The tenant a refresh token belongs to (signature, audience and expiry checked)."""
        return str(self._decode(token, "refresh")["tid"])

    def issue_refresh(
        self,
        conn: sa.Connection,
        user_id: str,
        tenant_id: str,
        family: str | None = None,
        *,
        jti: str | None = None,
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        jti = jti or new_id()
        family = family or jti
        conn.execute(
            sa.insert(refresh_tokens).values(
                jti=jti,
                family=family,
                tenant_id=tenant_id,
                user_id=user_id,
                used=False,
                revoked=False,
                expires_at=now + self._refresh,
            )
        )
        return self._encode(
            {
                "sub": user_id,
                "tid": tenant_id,
                "typ": "refresh",
                "aud": AUDIENCE,
                "iss": ISSUER,
                "iat": now,
                "exp": now + self._refresh,
                "jti": jti,
                "fam": family,
            }
        )

    def _decode(self, token: str, expected_type: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=ALGORITHMS,
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "aud", "typ", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError(
                "Your session has expired: sign in again.", code="token_expired"
            ) from None
        except jwt.PyJWTError:
            raise AuthError("The access token is not valid.", code="token_invalid") from None
        if claims.get("typ") != expected_type:
            raise AuthError("The access token is not valid.", code="token_invalid")
        return claims

    def verify_access(self, token: str) -> AccessClaims:
        claims = self._decode(token, "access")
        return AccessClaims(
            claims["sub"], claims["tid"], claims["role"], claims.get("dev"), claims.get("sid")
        )

    def rotate_refresh(self, conn: sa.Connection, token: str) -> Rotation | AuthError:
        """Spend a refresh token: the new one, or the refusal to raise after the caller
        commits (a reuse revokes the family, which must persist)."""
        claims = self._decode(token, "refresh")
        row = (
            conn.execute(
                sa.select(refresh_tokens).where(
                    refresh_tokens.c.jti == claims["jti"],
                    refresh_tokens.c.tenant_id == claims["tid"],
                    refresh_tokens.c.user_id == claims["sub"],
                )
            )
            .mappings()
            .one_or_none()
        )
        if row is None or row["revoked"]:
            raise AuthError("The session has ended: sign in again.", code="token_revoked")
        if row["used"]:
            conn.execute(
                sa.update(refresh_tokens)
                .where(refresh_tokens.c.family == row["family"])
                .values(revoked=True)
            )
            return AuthError(
                "This sign-in was used twice, so it has been ended for safety: sign in again.",
                code="token_reused",
            )
        conn.execute(
            sa.update(refresh_tokens).where(refresh_tokens.c.jti == row["jti"]).values(used=True)
        )
        new = self.issue_refresh(conn, row["user_id"], row["tenant_id"], row["family"])
        return Rotation(row["user_id"], row["tenant_id"], new, row["family"])

    def session_ended(self, conn: sa.Connection, claims: AccessClaims) -> bool:
        """Whether the token's session (its refresh family, of that person in that tenant)
        was signed out, revoked after a reuse, or never existed."""
        found = conn.execute(
            sa.select(refresh_tokens.c.revoked)
            .where(
                refresh_tokens.c.family == claims.session_id,
                refresh_tokens.c.tenant_id == claims.tenant_id,
                refresh_tokens.c.user_id == claims.user_id,
            )
            .order_by(refresh_tokens.c.revoked.desc())
            .limit(1)
        ).scalar_one_or_none()
        return found is None or bool(found)

    def revoke_family_of(self, conn: sa.Connection, token: str) -> str:
        """End the session ``token`` belongs to; returns its user id. A token naming a session
        this tenant does not hold for that person is refused (and changes nothing)."""
        claims = self._decode(token, "refresh")
        ended = conn.execute(
            sa.update(refresh_tokens)
            .where(
                refresh_tokens.c.family == claims.get("fam", claims["jti"]),
                refresh_tokens.c.tenant_id == claims["tid"],
                refresh_tokens.c.user_id == claims["sub"],
            )
            .values(revoked=True)
        ).rowcount
        if not ended:
            raise AuthError("The session has ended: sign in again.", code="token_revoked")
        return str(claims["sub"])
