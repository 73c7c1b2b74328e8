"""Repository of staff who have signed in on this PC: their offline verifiers and lock-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store.schema import local_users


@dataclass(frozen=True)
class LocalUser:
    user_id: str
    username: str
    password_verifier: str
    pin_verifier: str | None
    failed_attempts: int
    locked_until_ms: int | None
    last_signin_ms: int | None
    totp_secret: str | None = None
    totp_last_step: int | None = None

    @property
    def needs_code(self) -> bool:
        """A manager or admin who proved an authenticator code online here: every sign-in on
        this PC asks for a code too."""
        return bool(self.totp_secret)


def _user(r: Any) -> LocalUser:
    return LocalUser(
        r.user_id,
        r.username,
        r.password_verifier,
        r.pin_verifier,
        r.failed_attempts,
        r.locked_until_ms,
        r.last_signin_ms,
        r.totp_secret,
        r.totp_last_step,
    )


def by_username(conn: sa.Connection, username: str) -> LocalUser | None:
    row = conn.execute(
        sa.select(local_users).where(local_users.c.username == username)
    ).one_or_none()
    return _user(row) if row else None


def by_id(conn: sa.Connection, user_id: str) -> LocalUser | None:
    row = conn.execute(sa.select(local_users).where(local_users.c.user_id == user_id)).one_or_none()
    return _user(row) if row else None


def all_users(conn: sa.Connection) -> list[LocalUser]:
    return [_user(r) for r in conn.execute(sa.select(local_users).order_by(local_users.c.username))]


def newest_signin_ms(conn: sa.Connection) -> int | None:
    """When anyone last signed in on this PC (by this PC's clock at the time)."""
    value = conn.execute(sa.select(sa.func.max(local_users.c.last_signin_ms))).scalar_one()
    return int(value) if value is not None else None


def save(
    conn: sa.Connection, user_id: str, username: str, password_verifier: str, now_ms: int
) -> None:
    conn.exec_driver_sql(
        "INSERT INTO local_users (user_id, username, password_verifier, failed_attempts, "
        "last_signin_ms) VALUES (?, ?, ?, 0, ?) ON CONFLICT(user_id) DO UPDATE SET "
        "username = excluded.username, password_verifier = excluded.password_verifier, "
        "failed_attempts = 0, locked_until_ms = NULL, last_signin_ms = excluded.last_signin_ms",
        (user_id, username, password_verifier, now_ms),
    )


def set_pin(conn: sa.Connection, user_id: str, pin_verifier: str) -> None:
    conn.execute(
        sa.update(local_users)
        .where(local_users.c.user_id == user_id)
        .values(pin_verifier=pin_verifier)
    )


def record_failure(conn: sa.Connection, user_id: str, locked_until_ms: int | None) -> int:
    conn.execute(
        sa.update(local_users)
        .where(local_users.c.user_id == user_id)
        .values(failed_attempts=local_users.c.failed_attempts + 1, locked_until_ms=locked_until_ms)
    )
    return int(
        conn.execute(
            sa.select(local_users.c.failed_attempts).where(local_users.c.user_id == user_id)
        ).scalar_one()
    )


def record_success(conn: sa.Connection, user_id: str, now_ms: int) -> None:
    conn.execute(
        sa.update(local_users)
        .where(local_users.c.user_id == user_id)
        .values(failed_attempts=0, locked_until_ms=None, last_signin_ms=now_ms)
    )


def set_second_factor(
    conn: sa.Connection, user_id: str, secret: str | None, last_step: int | None
) -> None:
    """Keep (or, with None, forget) the person's authenticator secret on this PC."""
    conn.execute(
        sa.update(local_users)
        .where(local_users.c.user_id == user_id)
        .values(totp_secret=secret, totp_last_step=last_step if secret else None)
    )


def claim_totp_step(conn: sa.Connection, user_id: str, step: int) -> bool:
    """Record ``step`` as used if it is newer than the last one: False when it is not (the
    same code, or an older one, used again)."""
    last = local_users.c.totp_last_step
    return bool(
        conn.execute(
            sa.update(local_users)
            .where(local_users.c.user_id == user_id, sa.or_(last.is_(None), last < step))
            .values(totp_last_step=step)
        ).rowcount
    )


def forget(conn: sa.Connection, user_ids: list[str]) -> None:
    """Everything this PC keeps about these people (disabled on the server)."""
    if user_ids:
        conn.execute(sa.delete(local_users).where(local_users.c.user_id.in_(user_ids)))


def delete_all(conn: sa.Connection) -> None:
    conn.execute(sa.delete(local_users))
