"""The encrypted backup file: a small clear header, then the compressed dump in chunks, each
sealed with AES-256-GCM.

Layout::

    MAGIC | u32 header length | header (JSON) | { u32 length | sealed chunk }*

The header says how the key is made (a key file, or scrypt over a passphrase with the salt
and cost stored there) and holds a key check value, so a file sealed with another key is
told apart from a damaged one before anything is decrypted. It is bound to every chunk as
associated data, so changing it breaks the file. Chunk *i* uses the nonce
``prefix(7) | i (u32) | last (1 byte)`` (the STREAM construction), so chunks cannot be
reordered, dropped, repeated or cut off at the end without failing authentication. The
AES key and the check value come from the master key through HKDF-SHA256 with separate
labels.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from syncserver.errors import ServerError

MAGIC = b"WCN-BACKUP-1\n"
KEY_FILE_PREFIX = "wcn-backup-key-1:"
CHUNK_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
SCRYPT_N = 2**17  # 128 MiB and about a second per derivation: cheap once, costly to guess
MAX_SCRYPT_N = 2**20
MIN_PASSPHRASE_CHARS = 12
_TAG = 16


class BackupError(ServerError):
    """A backup or restore that cannot go ahead; nothing was changed."""

    code = "backup_error"


@dataclass(frozen=True)
class KeySource:
    """Where the master key comes from: 32 bytes from a key file, or a passphrase."""

    key: bytes | None = None
    passphrase: str | None = None
    scrypt_n: int = SCRYPT_N

    @property
    def kind(self) -> str:
        return "key-file" if self.key is not None else "passphrase"


def new_key_file(path: Path) -> None:
    """Write a new random backup key, readable only by its owner; never overwrite one."""
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name (a key is never replaced).")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = KEY_FILE_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)


def read_key_file(path: Path) -> KeySource:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise BackupError(f"The backup key file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"The backup key file {path} cannot be read: {exc}.") from None
    try:
        if not text.startswith(KEY_FILE_PREFIX):
            raise ValueError
        key = base64.urlsafe_b64decode(text[len(KEY_FILE_PREFIX) :])
        if len(key) != 32:
            raise ValueError
    except ValueError:
        raise BackupError(
            f"{path} is not a WriteCareNotes backup key file "
            "(make one with 'writecarenotes-server backup-key --to FILE')."
        ) from None
    return KeySource(key=key)


def passphrase_source(passphrase: str, *, scrypt_n: int = SCRYPT_N) -> KeySource:
    passphrase = passphrase.strip("\r\n")
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise BackupError(
            f"The backup passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters."
        )
    return KeySource(passphrase=passphrase, scrypt_n=scrypt_n)


@functools.lru_cache(maxsize=4)  # a restore reads the file twice: derive the key once
def _scrypt(passphrase: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode())


def _subkey(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class ArchiveWriter:
    """Compresses, chunks and seals what is written to it; ``close`` seals the last chunk."""

    def __init__(self, out: BinaryIO, source: KeySource, info: dict[str, Any]) -> None:
        kdf: dict[str, Any] = {"kind": source.kind}
        if source.key is not None:
            master = source.key
        else:
            assert source.passphrase is not None
            salt = secrets.token_bytes(16)
            kdf.update(salt=base64.b64encode(salt).decode(), n=source.scrypt_n, r=8, p=1)
            master = _scrypt(source.passphrase, salt, source.scrypt_n)
        self._prefix = secrets.token_bytes(7)
        header = {
            "format": 1,
            "kdf": kdf,
            "key_check": _subkey(master, b"wcn-backup key check")[:16].hex(),
            "nonce_prefix": base64.b64encode(self._prefix).decode(),
            **info,
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._aad = MAGIC + self._header
        self._aead = AESGCM(_subkey(master, b"wcn-backup aes-256-gcm"))
        self._out = out
        self._index = 0
        self._pending = bytearray()
        self._zstd = zstandard.ZstdCompressor(level=6).compressobj()
        out.write(MAGIC + struct.pack(">I", len(self._header)) + self._header)

    def write(self, data: bytes) -> None:
        self._pending += self._zstd.compress(data)
        while len(self._pending) > CHUNK_BYTES:
            self._seal(bytes(self._pending[:CHUNK_BYTES]), last=False)
            del self._pending[:CHUNK_BYTES]

    def close(self) -> None:
        self._pending += self._zstd.flush()
        while len(self._pending) > CHUNK_BYTES:
            self._seal(bytes(self._pending[:CHUNK_BYTES]), last=False)
            del self._pending[:CHUNK_BYTES]
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), plain, self._aad)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


def read_header(path: Path) -> tuple[dict[str, Any], bytes, int]:
    """The clear header and where the chunks begin; refuses what is not a backup."""
    try:
        with path.open("rb") as f:
            start = f.read(len(MAGIC) + 4)
            if len(start) < len(MAGIC) + 4 or not start.startswith(MAGIC):
                raise BackupError(
                    f"{path} is not a WriteCareNotes backup (or its start is damaged)."
                )
            (length,) = struct.unpack(">I", start[len(MAGIC) :])
            raw = f.read(length) if length <= MAX_HEADER_BYTES else b""
    except FileNotFoundError:
        raise BackupError(f"The backup file {path} does not exist.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file.") from None
    try:
        header: dict[str, Any] = json.loads(raw)
        if header.get("format") != 1 or len(raw) != length:
            raise ValueError
    except ValueError:
        raise BackupError(
            f"The backup file {path} is damaged: its header cannot be read."
        ) from None
    return header, raw, len(MAGIC) + 4 + length


def _master_key(path: Path, header: dict[str, Any], source: KeySource) -> bytes:
    kdf = header.get("kdf", {})
    if kdf.get("kind") == "key-file":
        if source.key is None:
            raise BackupError(
                f"The backup {path} was made with a key file: give it with --key-file."
            )
        return source.key
    if kdf.get("kind") != "passphrase":
        raise BackupError(f"The backup file {path} is damaged: its key method is unknown.")
    if source.passphrase is None:
        raise BackupError(
            f"The backup {path} was made with a passphrase: give it with --passphrase-file "
            "or WCN_BACKUP_PASSPHRASE."
        )
    try:
        salt = base64.b64decode(kdf["salt"])
        n = int(kdf["n"])
        if not (2**10 <= n <= MAX_SCRYPT_N) or n & (n - 1) or kdf.get("r") != 8:
            raise ValueError
    except (KeyError, ValueError, TypeError):
        raise BackupError(
            f"The backup file {path} is damaged: its key settings are wrong."
        ) from None
    return _scrypt(source.passphrase, salt, n)


def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(f"The backup file {path} is damaged ({why}): nothing was restored.")


def open_archive(path: Path, source: KeySource) -> Iterator[bytes]:
    """Check the key, then yield the decrypted, decompressed content in pieces. Raises
    BackupError for another key or for any damage, including a cut-off end."""
    header, raw_header, offset = read_header(path)
    master = _master_key(path, header, source)
    check = _subkey(master, b"wcn-backup key check")[:16].hex()
    if not secrets.compare_digest(check, str(header.get("key_check", ""))):
        raise BackupError(
            f"The backup {path} was encrypted with a different key or passphrase: nothing was "
            "restored. Use the key file or passphrase it was made with."
        )
    return _chunks(path, offset, MAGIC + raw_header, master, header)


def _chunks(
    path: Path, offset: int, aad: bytes, master: bytes, header: dict[str, Any]
) -> Iterator[bytes]:
    aead = AESGCM(_subkey(master, b"wcn-backup aes-256-gcm"))
    try:
        prefix = base64.b64decode(header["nonce_prefix"])
        if len(prefix) != 7:
            raise ValueError
    except (KeyError, ValueError, TypeError):
        raise _damaged(path, "its header is wrong") from None
    inflate = zstandard.ZstdDecompressor().decompressobj()
    with path.open("rb") as f:
        f.seek(offset)
        index = 0
        pending = _read_chunk(f, path)
        if pending is None:
            raise _damaged(path, "it ends too early")
        while pending is not None:
            following = _read_chunk(f, path)
            last = following is None
            try:
                plain = aead.decrypt(_nonce(prefix, index, last), pending, aad)
            except InvalidTag:
                raise _damaged(path, f"part {index + 1} fails its check") from None
            try:
                yield inflate.decompress(plain)
            except zstandard.ZstdError:
                raise _damaged(path, "it cannot be decompressed") from None
            pending, index = following, index + 1
    if not inflate.eof:
        raise _damaged(path, "it ends too early")


def _read_chunk(f: io.BufferedReader | BinaryIO, path: Path) -> bytes | None:
    start = f.read(4)
    if not start:
        return None
    if len(start) < 4:
        raise _damaged(path, "it ends too early")
    (length,) = struct.unpack(">I", start)
    if length > CHUNK_BYTES + _TAG or length < _TAG:
        raise _damaged(path, "a part has an impossible length")
    data = f.read(length)
    if len(data) < length:
        raise _damaged(path, "it ends too early")
    return data
