"""The server copies SQLite's write-ahead log back into the database on a thread of its own,
so the log stays small without a writer's commit doing it."""

from __future__ import annotations

from pathlib import Path

from syncserver.db.engine import open_database
from syncserver.db.wal_checkpoints import SAFETY_NET_PAGES

WAIT_S = 30


def test_writers_leave_the_log_to_the_checkpoint_thread(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    db = open_database(f"sqlite:///{path}")
    assert db.wal_checkpointer is not None
    try:
        with db.writer.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == SAFETY_NET_PAGES
        db.start_wal_checkpoints()
        with db.writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        for n in range(50):
            with db.writer.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (?)", ("x" * 4000 + str(n),))
        db.wal_checkpointer.checkpointed.clear()
        with db.writer.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES ('last')")
        assert db.wal_checkpointer.checkpointed.wait(WAIT_S)
    finally:
        db.dispose()
