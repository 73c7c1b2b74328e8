"""A ward PC's records at rest: the store, its write-ahead log and every copy the app makes
(backups, the copy taken before an upgrade) are SQLCipher-encrypted, so a byte search finds
no resident's name or NHS number; a wrong key is refused with a sentence; a flipped byte is
detected by SQLCipher's per-page HMAC."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from desktop.services.app import DesktopServices
from desktop.store import database, files
from desktop.store.errors import WrongKey
from desktop.store.keys import FileKeyStore, choose_key_store
from tests.desktop.conftest import InProcessServer

PAGE = 4096


def _identifiers(server: InProcessServer) -> list[bytes]:
    found = []
    for r in server.residents():
        found.append(f"{r.fields['first_name']} {r.fields['last_name']}".encode())
        found.append(r.fields["nhs_number"].encode())
    return found


def _key(data_dir: Path) -> bytes:
    info = files.read_info(data_dir)
    assert info is not None
    key = choose_key_store().load(info.store_id)
    assert key is not None
    return key


def _plain_copy(encrypted: Path, key: bytes, target: Path) -> bytes:
    """Decrypt a copy with its key (sqlcipher_export): the positive control showing that
    the byte search would find the identifiers if they were there in clear."""
    conn = sqlcipher3.connect(str(encrypted))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    return target.read_bytes()


def test_the_store_its_wal_and_every_copy_hold_no_identifier_in_clear(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer, tmp_path: Path
) -> None:
    pc = enrol_pc("ward-pc")
    resident = wcn_server.residents()[0]
    full_name = f"{resident.fields['first_name']} {resident.fields['last_name']}"
    carer = wcn_server.staff("care_assistant")
    pc.session.sign_in(carer.username, carer.password)
    pc.notes.record_note(resident.record_id, "general", f"{full_name} enjoyed the garden.")
    listed = {r.nhs_number for r in pc.residents.list_residents()}
    assert resident.fields["nhs_number"] in listed  # the PC holds them, for its users

    data_dir = tmp_path / "ward-pc"
    copy = tmp_path / "copies" / "backup.db"
    pc.context.store.backup_to(copy)
    wal = data_dir / "store.db-wal"
    assert wal.exists() and wal.stat().st_size > 0  # the store is open: its WAL holds pages
    made = [data_dir / "store.db", wal, copy, *sorted((data_dir / "backups").glob("*"))]
    secrets = _identifiers(wcn_server)
    leaks = {
        str(path.relative_to(tmp_path)): [s.decode() for s in secrets if s in path.read_bytes()]
        for path in made
    }
    assert leaks == {str(p.relative_to(tmp_path)): [] for p in made}

    plain = _plain_copy(copy, _key(data_dir), tmp_path / "plain.db")
    assert full_name.encode() in plain and resident.fields["nhs_number"].encode() in plain


def test_the_key_and_the_info_file_name_no_one(pc_data_dir: Path, key_dir: Path) -> None:
    info = json.loads((pc_data_dir / "store.json").read_text())
    assert set(info) == {"store_id", "key_storage"}
    assert not list(pc_data_dir.glob("*.key"))  # the key lives outside the data folder
    assert list(key_dir.glob("*.key"))


def test_a_wrong_key_is_refused_with_a_clear_message(pc_data_dir: Path) -> None:
    with pytest.raises(WrongKey) as refused:
        database.open_store(pc_data_dir / "store.db", b"\x00" * 32)
    assert "its key is wrong or the file is damaged" in refused.value.message
    assert "Nothing was changed" in refused.value.message


def test_a_missing_key_is_refused_with_a_clear_message(pc_data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongKey, match="is missing from key file in"):
        files.open_existing(pc_data_dir, FileKeyStore(tmp_path / "empty-key-folder"))


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_flipped_byte_in_a_page_is_detected(pc_data_dir: Path) -> None:
    path = pc_data_dir / "store.db"
    assert path.stat().st_size > 4 * PAGE
    key = _key(pc_data_dir)
    _flip(path, 2 * PAGE + 1000)  # inside page 3
    try:
        store = database.open_store(path, key)
    except (WrongKey, sqlcipher3.DatabaseError):
        return  # refused outright: detected
    try:
        problems = store.integrity_problems()
    except sqlcipher3.DatabaseError:
        problems = ["reading the page failed its HMAC check"]
    finally:
        store.close()
    assert any("page 3" in p for p in problems), problems


def test_a_flipped_byte_in_the_first_page_stops_the_store_opening(pc_data_dir: Path) -> None:
    path = pc_data_dir / "store.db"
    key = _key(pc_data_dir)
    _flip(path, 200)
    with pytest.raises(WrongKey, match="cannot be opened"):
        database.open_store(path, key)
