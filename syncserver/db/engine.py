"""Database engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from syncserver.db.wal_checkpoints import SAFETY_NET_PAGES, WalCheckpointer
from syncserver.errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: writers in several processes meet at SQLite's own lock
    fcntl = None  # type: ignore[assignment]


WRITER_CACHE_KIB = 64 * 1024


def normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_engine(
    url: sa.URL, *, immediate: bool, checkpointer: WalCheckpointer | None = None
) -> Engine:
    database = url.database
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create the folder {folder} for the database: {exc.strerror}."
            ) from None
    # The writer holds one connection: SQLite lets one transaction write at a time, and a
    # writer waiting in the pool's queue is woken the moment the last one commits, in the
    # order they came, where one waiting on SQLite's lock (busy_timeout) sleeps and retries
    # (up to 100 ms a time), leaving the database idle while pushes queue up. Other
    # processes (serve --workers, the CLI) meet at the OS lock below.
    pool: dict[str, int] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 30}
    if not immediate:
        pool = {"pool_size": 8, "max_overflow": 8}
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if immediate:
            # The writer's page cache holds the indexes every push inserts into (records,
            # changes, audit): with SQLite's 2 MiB default, a busy server's pushes are read
            # back from the file a page at a time (10% fewer events/s at 150,000 records).
            cursor.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        if checkpointer is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
        cursor.close()

    shared_file = bool(database) and database != ":memory:" and fcntl is not None
    writer_lock = _WriterLock(database) if immediate and shared_file else None

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # Writers take the lock up front, so a read-then-write transaction never fails to
        # upgrade its lock under concurrent pushes.
        if writer_lock is not None:
            writer_lock.acquire()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if checkpointer is not None:

        @sa.event.listens_for(engine, "commit")
        def _on_commit(_conn: sa.Connection) -> None:
            checkpointer.committed()

    if writer_lock is not None:

        @sa.event.listens_for(engine, "checkin")
        def _on_checkin(_dbapi_conn: Any, _record: Any) -> None:
            writer_lock.release()

    return engine


class _WriterLock:
    """Writers of one SQLite file in several processes (``serve --workers``, the CLI) take
    turns through an OS lock on a file beside it: a writer waiting for it is woken the moment
    the last one is done, where one waiting on SQLite's own lock sleeps in its busy handler (up
    to 100 ms at a time) while the database stands idle. Held from a transaction's BEGIN until
    its connection goes back to the pool, after the commit or rollback."""

    def __init__(self, database: str | None) -> None:
        self._path = Path(f"{database}.writer-lock")
        self._fd: int | None = None
        self._held = False

    def acquire(self) -> None:
        if self._held:
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._held = True

    def release(self) -> None:
        if self._held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._held = False


@dataclass
class Database:
    """``writer`` serialises write transactions on SQLite; on PostgreSQL both are one engine."""

    url: str
    writer: Engine
    reader: Engine
    # SQLite only: the server's own WAL checkpoints (see syncserver.db.wal_checkpoints),
    # running between start_wal_checkpoints() and dispose().
    wal_checkpointer: WalCheckpointer | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    def start_wal_checkpoints(self) -> None:
        if self.wal_checkpointer is not None:
            self.wal_checkpointer.start()

    def dispose(self) -> None:
        if self.wal_checkpointer is not None:
            self.wal_checkpointer.stop()
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def open_database(url: str) -> Database:
    try:
        parsed = make_url(normalise_url(url))
        if parsed.get_backend_name() == "sqlite":
            name = parsed.database
            checkpointer = WalCheckpointer(Path(name)) if name and name != ":memory:" else None
            return Database(
                url,
                _sqlite_engine(parsed, immediate=True, checkpointer=checkpointer),
                _sqlite_engine(parsed, immediate=False),
                checkpointer,
            )
        if parsed.get_backend_name() != "postgresql":
            raise ConfigError(
                "The database URL must be sqlite:///PATH or postgresql://…, "
                f"not {parsed.drivername}."
            )
        engine = sa.create_engine(parsed, pool_size=10, max_overflow=10, pool_pre_ping=True)
        return Database(url, engine, engine)
    except ArgumentError:
        raise ConfigError(
            f"{url!r} is not a database URL: use sqlite:///PATH or postgresql://USER@HOST/DB."
        ) from None
    except (NoSuchModuleError, ValueError) as exc:
        reason = str(exc).rstrip(".")
        raise ConfigError(f"The database URL {safe_url(url)} cannot be used: {reason}.") from None


def check_reachable(db: Database) -> None:
    try:
        with db.reader.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except DBAPIError as exc:  # not only OperationalError: "file is not a database" too
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(f"Cannot open the database at {safe_url(db.url)}: {reason}") from None


def safe_url(url: str) -> str:
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "(invalid URL)"
