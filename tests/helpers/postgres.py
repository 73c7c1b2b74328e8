"""Throw-away PostgreSQL databases for tests: one fresh database per test, dropped after it."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SKIP_REASON_PREFIX = "PostgreSQL not reachable at"


def admin_url() -> str:
    """The server tests create and drop their databases through (``WCN_TEST_POSTGRES_URL``)."""
    return os.environ.get("WCN_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


def postgres_required() -> bool:
    return os.environ.get("WCN_REQUIRE_POSTGRES", "") == "1"


def _libpq(url: str) -> str:
    """psycopg speaks libpq URLs: drop any SQLAlchemy driver suffix."""
    scheme, sep, rest = url.partition("://")
    return ("postgresql" + sep + rest) if scheme.startswith("postgres") else url


def safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def unreachable_reason(url: str) -> str | None:
    """None when PostgreSQL answers at ``url``; otherwise why not, in one line."""
    try:
        with psycopg.connect(_libpq(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        lines = str(exc).strip().splitlines()
        return lines[0] if lines else exc.__class__.__name__
    return None


@dataclass(frozen=True)
class ScratchDatabase:
    """A database created for one test; ``url`` is what the server is given."""

    admin_url: str
    name: str

    @property
    def url(self) -> str:
        return (
            make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)
        )


def create_database(admin: str, prefix: str = "wcn_test_") -> ScratchDatabase:
    name = prefix + secrets.token_hex(6)
    with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return ScratchDatabase(admin, name)


def drop_database(database: ScratchDatabase) -> None:
    """Drop the database, first ending every other session still connected to it (a CLI
    command under test, a pool nobody disposed)."""
    with psycopg.connect(_libpq(database.admin_url), autocommit=True, connect_timeout=3) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database.name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database.name)))
