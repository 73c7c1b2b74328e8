"""Opening server databases: SQLite is set up for crash safety on every connection; a URL
that cannot work is refused with a sentence that names the problem."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from syncserver.db.engine import (
    WRITER_CACHE_KIB,
    check_reachable,
    normalise_url,
    open_database,
    safe_url,
)
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


def test_writers_of_one_file_in_two_processes_take_turns_through_the_os_lock(
    tmp_path: Path,
) -> None:
    """Two engines on one file (as two server processes have) each open the lock file, so
    the OS lock is taken between them as between processes: the second writer waits for the
    first to be done and is then let in, never refused as "database is locked"."""
    path = tmp_path / "server.db"
    first, second = open_database(f"sqlite:///{path}"), open_database(f"sqlite:///{path}")
    order: list[str] = []
    second_waiting = threading.Event()
    second_done = threading.Event()

    def second_writer() -> None:
        second_waiting.set()
        with second.writer.begin() as conn:
            order.append("second in")
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        second_done.set()

    @sa.event.listens_for(second.writer, "connect")
    def _no_busy_wait(dbapi_conn: Any, _record: Any) -> None:
        # Without the OS lock the second writer would meet SQLite's lock and fail at once.
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    try:
        with first.writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with first.writer.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            worker = threading.Thread(target=second_writer)
            worker.start()
            assert second_waiting.wait(30)
            # Time for the second writer to reach the lock (and, without it, to fail).
            assert not second_done.wait(0.2)
            order.append("first commits")
        assert second_done.wait(30)
        worker.join(30)
        assert order == ["first commits", "second in"]
        assert (tmp_path / "server.db.writer-lock").exists()
        with first.reader.connect() as conn:
            assert sorted(conn.exec_driver_sql("SELECT x FROM t").scalars()) == [1, 2]
    finally:
        first.dispose()
        second.dispose()


def test_the_writer_keeps_a_large_page_cache(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with db.writer.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -WRITER_CACHE_KIB
        with db.reader.connect() as conn:  # readers are many: SQLite's default each
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
    finally:
        db.dispose()
