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


def _user(r: Any) -> LocalUser:
    return LocalUser(
        r.user_id,
        r.username,
        r.password_verifier,
        r.pin_verifier,
        r.failed_attempts,
        r.locked_until_ms,
        r.last_signin_ms,
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


def delete_all(conn: sa.Connection) -> None:
    conn.execute(sa.delete(local_users))
