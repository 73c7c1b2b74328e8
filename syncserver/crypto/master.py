"""The master key: it wraps (encrypts) each tenant's data keys and never touches a record.

Where it comes from, first match wins: a provider factory (``master_key_provider``,
``"package.module:factory"``, for a KMS or Vault), a key file (``WCN_MASTER_KEY_FILE``), the
``WCN_MASTER_KEY`` variable, or, for development only and only when
``WCN_DEV_EPHEMERAL_MASTER_KEY`` says so, a random key that lives as long as the process.
Without one the server refuses to start.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import importlib
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from syncserver.errors import ConfigError

if TYPE_CHECKING:
    from syncserver.config import Settings

log = logging.getLogger(__name__)
KEY_BYTES = 32
NONCE_BYTES = 12


@runtime_checkable
class MasterKeyProvider(Protocol):
    """What a KMS or Vault integration implements. ``context`` is bound to the wrapped key
    (AES-GCM associated data, or a KMS encryption context)."""

    @property
    def key_id(self) -> str: ...

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...


class UnwrapFailed(ConfigError):
    code = "master_key_mismatch"


class LocalMasterKey:
    """A 256-bit master key held in this process; wraps with AES-256-GCM."""

    def __init__(self, key: bytes, source: str = "a key") -> None:
        if len(key) != KEY_BYTES:
            raise ConfigError(f"The master key from {source} must be 32 bytes (256 bits).")
        self._aead = AESGCM(key)
        self.source = source
        # Names the key without revealing it: stored beside every data key it wraps.
        self._id = hashlib.sha256(b"wcn-master-key-id\x00" + key).hexdigest()[:32]

    @property
    def key_id(self) -> str:
        return self._id

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
        except InvalidTag:
            raise UnwrapFailed(
                "A tenant data key cannot be unwrapped with this master key: it is the wrong "
                "key, or the wrapped key was altered."
            ) from None


def parse_key(raw: bytes | str, source: str) -> bytes:
    """32 bytes from 64 hex digits, base64 (standard or URL-safe), or 32 raw bytes."""
    if isinstance(raw, bytes) and len(raw) == KEY_BYTES:
        return raw
    text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    candidates: list[bytes] = []
    with contextlib.suppress(ValueError):
        candidates.append(bytes.fromhex(text))
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        with contextlib.suppress(binascii.Error, ValueError):
            candidates.append(decode(text + "=" * (-len(text) % 4)))
    for key in candidates:
        if len(key) == KEY_BYTES:
            return key
    raise ConfigError(
        f"The master key from {source} is not 32 bytes written as 64 hex digits or base64: "
        "make one with 'writecarenotes-server keys generate-master --out FILE'."
    )


def new_master_key_text() -> str:
    return secrets.token_bytes(KEY_BYTES).hex()


def read_key_file(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"The master key file {path} does not exist.") from None
    except OSError as exc:
        raise ConfigError(f"The master key file {path} cannot be read: {exc.strerror}.") from None
    return parse_key(raw, f"the file {path}")


_ephemeral: LocalMasterKey | None = None
_ephemeral_lock = threading.Lock()


def ephemeral_master_key() -> LocalMasterKey:
    """One random key per process: data sealed with it is unreadable after a restart."""
    global _ephemeral
    with _ephemeral_lock:
        if _ephemeral is None:
            _ephemeral = LocalMasterKey(secrets.token_bytes(KEY_BYTES), "an ephemeral dev key")
        return _ephemeral


def load_master_key(settings: Settings) -> MasterKeyProvider:
    if settings.master_key_provider:
        return _from_factory(settings.master_key_provider, settings)
    if settings.master_key_file:
        path = Path(settings.master_key_file)
        _warn_if_readable_by_others(path)
        return LocalMasterKey(read_key_file(path), f"the file {path}")
    if settings.master_key:
        return LocalMasterKey(parse_key(settings.master_key, "WCN_MASTER_KEY"), "WCN_MASTER_KEY")
    if settings.dev_ephemeral_master_key:
        log.warning(
            "using an EPHEMERAL master key (WCN_DEV_EPHEMERAL_MASTER_KEY): personal fields "
            "written now cannot be read after this process ends. Never use this in production."
        )
        return ephemeral_master_key()
    raise ConfigError(
        "No master key is configured, so personal details cannot be encrypted and the server "
        "will not start. Set WCN_MASTER_KEY_FILE to a file holding a 256-bit key (make one "
        "with 'writecarenotes-server keys generate-master --out FILE'), or set "
        "master_key_provider for a KMS or Vault. For development only, "
        "WCN_DEV_EPHEMERAL_MASTER_KEY=true uses a throw-away key."
    )


def _from_factory(spec: str, settings: Settings) -> MasterKeyProvider:
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
        provider = factory(settings)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"The master key provider {spec!r} cannot be loaded: {exc}.") from None
    if not isinstance(provider, MasterKeyProvider):
        raise ConfigError(
            f"The master key provider {spec!r} did not return an object with key_id, wrap and "
            "unwrap."
        )
    return provider


def _warn_if_readable_by_others(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # read_key_file reports it
    if os.name == "posix" and mode & 0o077:
        log.warning("the master key file %s can be read by other accounts: chmod 600 it", path)
