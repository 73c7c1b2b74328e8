"""Where a PC keeps its store: one data directory per PC (``WCN_DATA_DIR`` or the platform's
per-machine data location), holding the encrypted database and a small non-secret info file.
The key lives elsewhere (see ``keys``)."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from platformdirs import site_data_dir, user_data_dir

from desktop.store.database import Store, open_store
from desktop.store.errors import StoreError, WrongKey
from desktop.store.keys import KeyStore, new_key

STORE_FILE = "store.db"
INFO_FILE = "store.json"


def default_data_dir() -> Path:
    configured = os.environ.get("WCN_DATA_DIR")
    if configured:
        return Path(configured)
    shared = Path(site_data_dir("WriteCareNotes", "WriteCareNotes"))
    if os.access(shared, os.W_OK):
        return shared
    return Path(user_data_dir("WriteCareNotes", "WriteCareNotes"))


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    key_storage: str


def read_info(data_dir: Path) -> StoreInfo | None:
    path = data_dir / INFO_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return StoreInfo(data["store_id"], data.get("key_storage", ""))


def exists(data_dir: Path) -> bool:
    return (data_dir / STORE_FILE).exists() and read_info(data_dir) is not None


def create(data_dir: Path, keys: KeyStore) -> Store:
    if exists(data_dir):
        raise StoreError(f"This PC already has a care record store in {data_dir}.")
    data_dir.mkdir(parents=True, exist_ok=True)
    # A database without its info file is left by a create() that crashed half-way: it holds
    # nothing yet, and without the info file its key cannot be found, so start again.
    for suffix in ("", "-wal", "-shm"):
        orphan = data_dir / (STORE_FILE + suffix)
        if orphan.exists():
            orphan.unlink()
    info = StoreInfo(str(uuid.uuid4()), keys.description)
    key = new_key()
    keys.save(info.store_id, key)
    store = open_store(data_dir / STORE_FILE, key, create=True)
    temporary = data_dir / (INFO_FILE + ".tmp")
    temporary.write_text(
        json.dumps({"store_id": info.store_id, "key_storage": info.key_storage}), encoding="utf-8"
    )
    os.replace(temporary, data_dir / INFO_FILE)
    return store


def open_existing(data_dir: Path, keys: KeyStore) -> Store:
    info = read_info(data_dir)
    if info is None or not (data_dir / STORE_FILE).exists():
        raise StoreError(f"This PC is not enrolled yet (no store in {data_dir}).")
    key = keys.load(info.store_id)
    if key is None:
        raise WrongKey(
            f"The key for the care record store in {data_dir} is missing from "
            f"{keys.description}. The data cannot be read without it: contact IT."
        )
    return open_store(data_dir / STORE_FILE, key)


def wipe(data_dir: Path, keys: KeyStore) -> None:
    """Destroy the key first (which makes the data unreadable), then the files."""
    info = read_info(data_dir)
    if info is not None:
        keys.delete(info.store_id)
    for path in data_dir.glob("*"):
        if path.is_file():
            path.unlink()
