"""Opening the encrypted store: key first, then the durability settings, checked on every
connection; schema migrations with an encrypted backup taken before each upgrade."""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlcipher3
from sqlalchemy.pool import QueuePool

from desktop.store import driver
from desktop.store.errors import DiskFull, StoreError, StoreTooNew, WrongKey
from desktop.store.schema import MIGRATIONS, SCHEMA_VERSION

PAGE_CACHE_KIB = 64 * 1024
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "temp_store": 2}


def _raw_connect(path: Path, key: bytes) -> Any:
    conn = sqlcipher3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    try:
        # Wrong keys are reported to the user by WrongKey; SQLCipher's own log would only
        # print a second, technical copy on the console.
        conn.execute("PRAGMA cipher_log_level = NONE")
        # PRAGMA key cannot take a bound parameter; the key is 32 random bytes in hex.
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA temp_store=MEMORY")
        # Up to 64 MiB of decrypted pages per connection (SQLite's default is 2 MiB): a pull
        # writes rows into four indexes at scattered places, and each page missed must be
        # read and decrypted again. Only pages actually used take memory.
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        for name, wanted in REQUIRED_PRAGMAS.items():
            value = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if (value.lower() if isinstance(value, str) else value) != wanted:
                raise StoreError(f"The store refused the setting {name}={wanted} (got {value}).")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise WrongKey(
                f"The care record store at {path} cannot be opened: its key is wrong or the "
                "file is damaged. Nothing was changed. Contact IT."
            ) from None
        raise
    return conn


class Store:
    """An open store. ``write()`` gives a connection in an immediate transaction that commits
    when the block ends; ``read()`` a consistent snapshot. Callers own their transactions."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key
        self.engine = self._engine(immediate=True)
        self.reader = self._engine(immediate=False)

    def _engine(self, *, immediate: bool) -> sa.Engine:
        path, key = self.path, self._key
        engine = sa.create_engine(
            "sqlite://",
            module=sqlcipher3,
            creator=lambda: _raw_connect(path, key),
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
        )

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            driver.execute(conn, begin)

        return engine

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            if "full" in str(exc.orig).lower():
                raise DiskFull(
                    "The disk is full, so this was NOT saved. Everything saved before is safe. "
                    "Tell IT the PC's disk is full."
                ) from None
            raise

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.reader.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
        self.reader.dispose()

    def integrity_problems(self) -> list[str]:
        """What is wrong with the file (empty when nothing is). SQLCipher's per-page HMAC check
        runs first: a page altered on disk is named there, before SQLite reads it."""
        problems: list[str] = []
        for pragma in ("cipher_integrity_check", "integrity_check"):
            try:
                with self.read() as conn:
                    problems += [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}")]
            except sa.exc.DatabaseError as exc:
                problems.append(f"{pragma}: {str(exc.orig).strip()}")
        return [p for p in problems if p != "ok"]

    def reopen(self) -> Store:
        """The store at this path opened afresh (after its file was swapped)."""
        return open_store(self.path, self._key)

    def sibling(self, path: Path) -> Store:
        """A new, empty store at ``path`` under the same key (for a rebuild)."""
        for suffix in ("", "-wal", "-shm"):
            stale = Path(str(path) + suffix)
            if stale.exists():
                stale.unlink()
        return open_store(path, self._key, create=True)

    def backup_to(self, target: Path) -> None:
        """An encrypted copy (same key) made with SQLite's online backup."""
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        source = _raw_connect(self.path, self._key)
        try:
            dest = sqlcipher3.connect(str(target), isolation_level=None)
            dest.execute(f"PRAGMA key = \"x'{self._key.hex()}'\"")
            source.backup(dest)
            dest.close()
        finally:
            source.close()


def schema_version(store: Store) -> int:
    with store.read() as conn:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(store: Store, *, backup_dir: Path | None = None) -> int:
    """Bring the store to SCHEMA_VERSION; refuse a newer one. Returns the version found."""
    found = schema_version(store)
    if found > SCHEMA_VERSION:
        raise StoreTooNew(
            f"This care record store was written by a newer version of WriteCareNotes "
            f"(store version {found}, this app knows {SCHEMA_VERSION}). Install the newer "
            "app; nothing was changed."
        )
    if found < SCHEMA_VERSION and found > 0 and backup_dir is not None:
        store.backup_to(backup_dir / f"before-upgrade-v{found}.db")
    for version in range(found, SCHEMA_VERSION):
        with store.write() as conn:
            MIGRATIONS[version](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version + 1}")
    return found


def open_store(path: Path, key: bytes, *, create: bool = False) -> Store:
    if not create and not path.exists():
        raise StoreError(f"There is no care record store at {path}: enrol this PC first.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = Store(path, key)
        migrate(store, backup_dir=path.parent / "backups")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFull("The disk is full: the care record store cannot be opened.") from None
        raise
    return store


def replace_store_file(new_path: Path, live_path: Path) -> None:
    """Swap a rebuilt store into place (the old one is kept as a backup, never deleted)."""
    backup = live_path.with_suffix(".previous.db")
    for suffix in ("", "-wal", "-shm"):
        stale = Path(str(backup) + suffix)
        if stale.exists():
            stale.unlink()
    for suffix in ("", "-wal", "-shm"):
        old = Path(str(live_path) + suffix)
        if old.exists():
            shutil.move(str(old), str(backup) + suffix)
    for suffix in ("", "-wal", "-shm"):
        new = Path(str(new_path) + suffix)
        if new.exists():
            shutil.move(str(new), str(live_path) + suffix)
