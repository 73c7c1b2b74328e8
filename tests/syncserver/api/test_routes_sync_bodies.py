"""What the push endpoint does with bodies that are broken, huge or compressed."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterator

import pytest
import zstandard
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.protocol import MAX_BODY_BYTES
from syncserver.db.engine import Database
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    footprint,
    push_body,
    residents_of,
    staff_of,
    stored_record,
)


@pytest.fixture
def note_body(demo_provider: DemoProvider, home_a: str) -> tuple[str, bytes]:
    carer = staff_of(demo_provider, "care_assistant", home_a).user_id
    note = ChangeMaker().note(residents_of(demo_provider, home_a)[0].record_id, carer)
    return note.record_id, push_body([note])


def _post(
    client: TestClient, pc: EnrolledDevice, content: bytes | Iterator[bytes], encoding: str = ""
) -> tuple[int, dict[str, object]]:
    headers = {**pc.headers, "content-type": "application/json"}
    if encoding:
        headers["content-encoding"] = encoding
    response = client.post("/v1/sync/push", content=content, headers=headers)
    body: dict[str, object] = response.json()
    return response.status_code, body


def _zstd_claiming(declared_size: int, data: bytes) -> bytes:
    """A zstd frame whose header claims ``declared_size`` bytes but holds only ``data``."""
    header = bytes.fromhex("28b52ffd") + bytes([0xE0]) + struct.pack("<Q", declared_size)
    raw_last_block = (1 | (len(data) << 3)).to_bytes(3, "little") + data
    return header + raw_last_block


def _zstd_without_size(data: bytes) -> bytes:
    compressor = zstandard.ZstdCompressor().compressobj()
    return compressor.compress(data) + compressor.flush()


COMPRESSORS = {
    "gzip": gzip.compress,
    "zstd": zstandard.ZstdCompressor().compress,
    "zstd_streamed": _zstd_without_size,
}


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_a_compressed_batch_is_accepted(
    client: TestClient,
    seeded_db: Database,
    pc_a: EnrolledDevice,
    note_body: tuple[str, bytes],
    kind: str,
) -> None:
    record_id, body = note_body
    status, answer = _post(client, pc_a, COMPRESSORS[kind](body), kind.split("_", maxsplit=1)[0])
    assert status == 200, answer
    assert answer["applied"] == 1
    assert stored_record(seeded_db, pc_a.tenant_id, record_id) is not None


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "malformed_batch"),
        (b"", "malformed_batch"),
        (b"[]", "malformed_batch"),
        (b'{"protocol": 2}', "malformed_batch"),
        (b'{"protocol": 2, "changes": [{"change_id": "nope"}]}', "malformed_batch"),
        (b'{"protocol": 2, "changes": [], "extra": 1}', "malformed_batch"),
    ],
)
def test_a_malformed_batch_is_refused_with_a_clear_code(
    client: TestClient,
    seeded_db: Database,
    pc_a: EnrolledDevice,
    content: bytes,
    code: str,
) -> None:
    before = footprint(seeded_db, pc_a.tenant_id)
    status, answer = _post(client, pc_a, content)
    assert (status, answer["code"]) == (400, code)
    assert isinstance(answer["message"], str) and answer["message"]
    assert footprint(seeded_db, pc_a.tenant_id) == before


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (b"this is not gzip", "gzip"),
        (gzip.compress(b'{"protocol": 2, "changes": []}')[:-12], "gzip"),
        (b"this is not zstd", "zstd"),
        (zstandard.ZstdCompressor().compress(b'{"protocol": 2, "changes": []}' * 50)[:-6], "zstd"),
        # Trusting the header would allocate 100 GiB before reading a byte.
        (_zstd_claiming(100 * 2**30, b'{"protocol": 2, "changes": []}'), "zstd"),
    ],
    ids=["gzip_garbage", "gzip_truncated", "zstd_garbage", "zstd_truncated", "zstd_lying_size"],
)
def test_a_damaged_compressed_batch_is_refused(
    client: TestClient, pc_a: EnrolledDevice, content: bytes, encoding: str
) -> None:
    status, answer = _post(client, pc_a, content, encoding)
    assert (status, answer["code"]) == (400, "bad_encoding")


def test_an_unknown_encoding_is_refused(
    client: TestClient, pc_a: EnrolledDevice, note_body: tuple[str, bytes]
) -> None:
    status, answer = _post(client, pc_a, note_body[1], "br")
    assert (status, answer["code"]) == (400, "bad_encoding")


def test_an_oversized_body_is_refused_before_it_is_read(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    status, answer = _post(client, pc_a, b" " * (MAX_BODY_BYTES + 1))
    assert (status, answer["code"]) == (413, "payload_too_large")


def test_an_oversized_body_without_a_length_is_cut_off(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    chunk = b" " * (1024 * 1024)

    def stream() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
            yield chunk

    status, answer = _post(client, pc_a, stream())
    assert (status, answer["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_a_compression_bomb_is_refused_as_too_large(
    client: TestClient, pc_a: EnrolledDevice, kind: str
) -> None:
    bomb = COMPRESSORS[kind](b" " * (MAX_BODY_BYTES + 1))
    assert len(bomb) < MAX_BODY_BYTES // 100
    status, answer = _post(client, pc_a, bomb, kind.split("_", maxsplit=1)[0])
    assert (status, answer["code"]) == (413, "payload_too_large")
