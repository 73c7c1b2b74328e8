"""Where the store's 256-bit key lives: the operating system's credential store (keyring:
Windows Credential Manager, macOS Keychain, Secret Service), or, where there is none (a
headless kiosk, CI), a key file in a directory named by the ``WCN_KEY_DIR`` setting, never
in the data directory beside the database."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Protocol

from desktop.store.errors import KeyUnavailable

SERVICE = "WriteCareNotes"
KEY_BYTES = 32


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class KeyStore(Protocol):
    description: str

    def load(self, store_id: str) -> bytes | None: ...

    def save(self, store_id: str, key: bytes) -> None: ...

    def delete(self, store_id: str) -> None: ...


class FileKeyStore:
    """One file per store, readable by its owner only."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"key file in {directory}"

    def _path(self, store_id: str) -> Path:
        return self.directory / f"{store_id}.key"

    def load(self, store_id: str) -> bytes | None:
        path = self._path(store_id)
        if not path.exists():
            return None
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise KeyUnavailable(f"The key file {path} is damaged.") from None
        if len(key) != KEY_BYTES:
            raise KeyUnavailable(f"The key file {path} is damaged.")
        return key

    def save(self, store_id: str, key: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(store_id)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def delete(self, store_id: str) -> None:
        path = self._path(store_id)
        if path.exists():
            # Overwrite before unlinking so the key is not left in the file's old blocks.
            path.write_text("0" * KEY_BYTES * 2, encoding="ascii")
            path.unlink()


class KeyringKeyStore:
    description = "the operating system's credential store"

    def load(self, store_id: str) -> bytes | None:
        import keyring

        value = keyring.get_password(SERVICE, store_id)
        return bytes.fromhex(value) if value else None

    def save(self, store_id: str, key: bytes) -> None:
        import keyring

        keyring.set_password(SERVICE, store_id, key.hex())

    def delete(self, store_id: str) -> None:
        import keyring
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, store_id)


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install is the same as none
        return False
    # keyrings.alt's file backends keep secrets in plain or weakly protected files.
    return not isinstance(backend, fail.Keyring) and not type(backend).__module__.startswith(
        "keyrings.alt"
    )


def choose_key_store(key_dir: str | None = None) -> KeyStore:
    """The key file directory when configured, else the OS credential store, else a clear error."""
    directory = key_dir or os.environ.get("WCN_KEY_DIR")
    if directory:
        return FileKeyStore(Path(directory))
    if _keyring_usable():
        return KeyringKeyStore()
    raise KeyUnavailable(
        "This PC has no credential store to protect the database key. Set WCN_KEY_DIR to a "
        "protected folder outside the data folder (see the admin guide, 'Key storage')."
    )
