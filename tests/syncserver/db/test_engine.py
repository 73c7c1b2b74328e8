"""Opening server databases: SQLite is set up for crash safety on every connection; a URL
that cannot work is refused with a sentence that names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from syncserver.db.engine import check_reachable, normalise_url, open_database, safe_url
from syncserver.errors import ConfigError


def test_sqlite_connections_are_crash_safe(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'nested' / 'server.db'}")
    try:
        assert db.is_sqlite
        for engine in (db.writer, db.reader):
            with engine.connect() as conn:
                pragma = {
                    name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
                }
            assert pragma == {
                "journal_mode": "wal",
                "synchronous": 2,  # FULL
                "foreign_keys": 1,
                "busy_timeout": 30000,
            }
    finally:
        db.dispose()


def test_sqlite_writers_take_the_write_lock_up_front(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with db.writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with db.writer.begin(), db.reader.connect() as other:
            # The writer holds RESERVED from BEGIN IMMEDIATE: a second writer cannot start.
            other.exec_driver_sql("PRAGMA busy_timeout = 0")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                other.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        db.dispose()


def test_postgres_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_passwords_never_appear_in_messages() -> None:
    assert "secret" not in safe_url("postgresql://care:secret@db.example/wcn")
    assert safe_url("::::") == "(invalid URL)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/care", "must be sqlite:///PATH or postgresql://…, not mysql"),
        ("nonsense", "is not a database URL"),
        ("sqlite:////proc/no-such-dir/server.db", "Cannot create the folder /proc/no-such-dir"),
    ],
)
def test_an_unusable_url_is_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_database(url)


def test_an_unreachable_postgres_is_named_without_its_password() -> None:
    db = open_database("postgresql://care:secret@127.0.0.1:1/wcn")
    try:
        with pytest.raises(ConfigError) as caught:
            check_reachable(db)
    finally:
        db.dispose()
    assert caught.value.message.startswith("Cannot open the database at ")
    assert "127.0.0.1:1" in caught.value.message and "secret" not in caught.value.message
