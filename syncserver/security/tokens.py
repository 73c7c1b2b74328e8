"""Access and refresh tokens (JWT, HS256 only). Refresh tokens rotate on every use; using one
twice revokes its whole family, which ends a session whose token was stolen."""

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


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    tenant_id: str
    role: str
    device_id: str | None


class TokenService:
    def __init__(self, secret: str, access_minutes: int, refresh_days: int) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self._access = dt.timedelta(minutes=access_minutes)
        self._refresh = dt.timedelta(days=refresh_days)

    def _encode(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def issue_access(self, user_id: str, tenant_id: str, role: str, device_id: str | None) -> str:
        now = dt.datetime.now(dt.UTC)
        return self._encode(
            {
                "sub": user_id,
                "tid": tenant_id,
                "role": role,
                "dev": device_id,
                "typ": "access",
                "aud": AUDIENCE,
                "iss": ISSUER,
                "iat": now,
                "exp": now + self._access,
                "jti": new_id(),
            }
        )

    def issue_refresh(
        self, conn: sa.Connection, user_id: str, tenant_id: str, family: str | None = None
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        jti = new_id()
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
        return AccessClaims(claims["sub"], claims["tid"], claims["role"], claims.get("dev"))

    def rotate_refresh(self, conn: sa.Connection, token: str) -> tuple[str, str, str] | AuthError:
        """Spend a refresh token: (user_id, tenant_id, new refresh token), or the refusal to
        raise after the caller commits (a reuse revokes the family, which must persist)."""
        claims = self._decode(token, "refresh")
        row = (
            conn.execute(sa.select(refresh_tokens).where(refresh_tokens.c.jti == claims["jti"]))
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
        return row["user_id"], row["tenant_id"], new

    def revoke_family_of(self, conn: sa.Connection, token: str) -> None:
        claims = self._decode(token, "refresh")
        conn.execute(
            sa.update(refresh_tokens)
            .where(refresh_tokens.c.family == claims.get("fam", claims["jti"]))
            .values(revoked=True)
        )
