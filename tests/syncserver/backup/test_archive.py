"""The encrypted backup container on its own: what goes in comes out, and every kind of
damage (a changed byte, a dropped, repeated or reordered part, a cut-off end, a changed
header) is refused as damage, told apart from another key."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from syncserver.backup import archive
from syncserver.backup.archive import (
    MAGIC,
    ArchiveWriter,
    BackupError,
    KeySource,
    new_key_file,
    open_archive,
    read_key_file,
)

CONTENT = b"".join(f'["row {i}", {i}, "{os.urandom(24).hex()}"]\n'.encode() for i in range(4000))


def _write(path: Path, key: KeySource, content: bytes = CONTENT) -> None:
    with path.open("wb") as out:
        writer = ArchiveWriter(out, key, {"taken_at": "2026-01-01T00:00:00+00:00"})
        writer.write(content)
        writer.close()


def _parts(path: Path) -> tuple[bytes, list[bytes]]:
    """The file's start (magic and header) and its sealed parts, each with its length."""
    data = path.read_bytes()
    (length,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    offset = len(MAGIC) + 4 + length
    head, parts = data[:offset], []
    while offset < len(data):
        (size,) = struct.unpack(">I", data[offset : offset + 4])
        parts.append(data[offset : offset + 4 + size])
        offset += 4 + size
    return head, parts


@pytest.fixture
def key(tmp_path: Path) -> KeySource:
    new_key_file(tmp_path / "backup.key")
    return read_key_file(tmp_path / "backup.key")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "CHUNK_BYTES", 4096)


def test_what_goes_in_comes_out_in_several_parts(
    tmp_path: Path, key: KeySource, small_parts: None
) -> None:
    path = tmp_path / "b.wcnbak"
    _write(path, key)
    assert len(_parts(path)[1]) > 3
    assert b"row 17" not in path.read_bytes()  # compressed and encrypted
    assert b"".join(open_archive(path, key)) == CONTENT


@pytest.mark.parametrize("damage", ["drop", "repeat", "swap", "cut_last", "flip", "append"])
def test_damage_is_refused_as_damage(
    tmp_path: Path, key: KeySource, small_parts: None, damage: str
) -> None:
    path = tmp_path / "b.wcnbak"
    _write(path, key)
    head, parts = _parts(path)
    if damage == "drop":
        del parts[1]
    elif damage == "repeat":
        parts.insert(1, parts[1])
    elif damage == "swap":
        parts[1], parts[2] = parts[2], parts[1]
    elif damage == "cut_last":
        del parts[-1]
    elif damage == "flip":
        middle = bytearray(parts[2])
        middle[40] ^= 0x80
        parts[2] = bytes(middle)
    else:
        parts.append(parts[-1])
    path.write_bytes(head + b"".join(parts))
    with pytest.raises(BackupError, match=r"is damaged \(.*\): nothing was restored\."):
        b"".join(open_archive(path, key))


def test_a_changed_header_breaks_every_part(tmp_path: Path, key: KeySource) -> None:
    path = tmp_path / "b.wcnbak"
    _write(path, key)
    data = path.read_bytes().replace(b"2026-01-01", b"2025-01-01", 1)
    path.write_bytes(data)
    with pytest.raises(BackupError, match="is damaged"):
        b"".join(open_archive(path, key))


def test_a_file_cut_short_is_damaged(tmp_path: Path, key: KeySource) -> None:
    path = tmp_path / "b.wcnbak"
    _write(path, key)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 7])
    with pytest.raises(BackupError, match="ends too early"):
        b"".join(open_archive(path, key))


def test_another_key_is_told_apart_from_damage(tmp_path: Path, key: KeySource) -> None:
    path = tmp_path / "b.wcnbak"
    _write(path, key)
    new_key_file(tmp_path / "other.key")
    with pytest.raises(BackupError, match="encrypted with a different key or passphrase"):
        open_archive(path, read_key_file(tmp_path / "other.key"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is not a WriteCareNotes backup"),
        (b"PK\x03\x04 a zip file, not a backup" * 10, "is not a WriteCareNotes backup"),
        (MAGIC + struct.pack(">I", 9) + b"not json!", "its header cannot be read"),
        (MAGIC + struct.pack(">I", 10**6), "its header cannot be read"),
    ],
    ids=["empty", "other_file", "bad_header", "huge_header"],
)
def test_what_is_not_a_backup_is_one_sentence(
    tmp_path: Path, key: KeySource, content: bytes, expected: str
) -> None:
    path = tmp_path / "b.wcnbak"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=expected):
        open_archive(path, key)


def test_key_files(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "backup.key"
    new_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_bytes()
    with pytest.raises(BackupError, match="already exists"):
        new_key_file(path)
    assert path.read_bytes() == first
    (tmp_path / "bad.key").write_text("not a key\n")
    with pytest.raises(BackupError, match="is not a WriteCareNotes backup key file"):
        read_key_file(tmp_path / "bad.key")
    with pytest.raises(BackupError, match="does not exist"):
        read_key_file(tmp_path / "missing.key")
