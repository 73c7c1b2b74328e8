"""What the push endpoint does with bodies that are broken, huge or compressed.

The cases of one kind run in one test (one database each), and a failure lists every case
that failed."""

from __future__ import annotations

import gzip
import struct
from collections.abc import Callable, Iterator

import zstandard
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.protocol import MAX_BODY_BYTES, PROTOCOL_VERSION, Change, ErrorBody
from syncserver.db.engine import Database
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    footprint,
    parse_pull_reply,
    push_body,
    residents_of,
    staff_of,
    stored_record,
)


def _note(provider: DemoProvider, pc: EnrolledDevice, maker: ChangeMaker) -> Change:
    carer = staff_of(provider, "care_assistant", pc.home_id).user_id
    return maker.note(residents_of(provider, pc.home_id)[0].record_id, carer)


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


def test_compressed_batches_are_accepted(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    refused: dict[str, tuple[int, dict[str, object]]] = {}
    for kind, compress in COMPRESSORS.items():
        note = _note(demo_provider, pc_a, maker)
        status, answer = _post(client, pc_a, compress(push_body([note])), kind.split("_")[0])
        stored = stored_record(seeded_db, pc_a.tenant_id, note.record_id)
        if status != 200 or answer["applied"] != 1 or stored is None:
            refused[kind] = (status, answer)
    assert refused == {}


MALFORMED = {
    "not_json": b"{not json",
    "empty": b"",
    "a_list": b"[]",
    "no_changes": b'{"protocol": 2}',
    "bad_change": b'{"protocol": 2, "changes": [{"change_id": "nope"}]}',
    "unknown_key": b'{"protocol": 2, "changes": [], "extra": 1}',
}


def test_malformed_batches_are_refused_with_a_clear_code(
    client: TestClient, seeded_db: Database, pc_a: EnrolledDevice
) -> None:
    before = footprint(seeded_db, pc_a.tenant_id)
    answers = {case: _post(client, pc_a, content) for case, content in MALFORMED.items()}
    wrong = {
        case: (status, answer)
        for case, (status, answer) in answers.items()
        if (status, answer["code"]) != (400, "malformed_batch") or not answer["message"]
    }
    assert wrong == {}
    assert footprint(seeded_db, pc_a.tenant_id) == before


def test_text_with_an_escaped_lone_surrogate_is_refused_not_stored(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    """Valid JSON can spell a lone surrogate (\\udc36); no store can hold it as UTF-8."""
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id).user_id
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    note = ChangeMaker().note(resident, carer, text="PLACEHOLDER")
    body = push_body([note]).replace(b"PLACEHOLDER", b"pasted \\udc36")
    assert b"\\udc36" in body
    before = footprint(seeded_db, pc_a.tenant_id)
    status, answer = _post(client, pc_a, body)
    assert (status, answer["code"]) == (400, "malformed_batch")
    assert "surrogate" in str(answer["message"])
    assert footprint(seeded_db, pc_a.tenant_id) == before


DAMAGED = {
    "gzip_garbage": (b"this is not gzip", "gzip"),
    "gzip_truncated": (gzip.compress(b'{"protocol": 2, "changes": []}')[:-12], "gzip"),
    "zstd_garbage": (b"this is not zstd", "zstd"),
    "zstd_truncated": (
        zstandard.ZstdCompressor().compress(b'{"protocol": 2, "changes": []}' * 50)[:-6],
        "zstd",
    ),
    # Trusting the header would allocate 100 GiB before reading a byte.
    "zstd_lying_size": (_zstd_claiming(100 * 2**30, b'{"protocol": 2, "changes": []}'), "zstd"),
    "unknown_encoding": (b'{"protocol": 2, "changes": []}', "br"),
}


def test_damaged_or_unknown_encodings_are_refused(client: TestClient, pc_a: EnrolledDevice) -> None:
    answers = {case: _post(client, pc_a, *DAMAGED[case]) for case in DAMAGED}
    wrong = {
        case: (status, answer)
        for case, (status, answer) in answers.items()
        if (status, answer["code"]) != (400, "bad_encoding")
    }
    assert wrong == {}


def test_oversized_bodies_are_refused_as_too_large(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    chunk = b" " * (1024 * 1024)

    def without_length() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
            yield chunk

    too_big = b" " * (MAX_BODY_BYTES + 1)
    answers = {
        "declared_length": _post(client, pc_a, too_big),
        "streamed_without_length": _post(client, pc_a, without_length()),
    }
    for kind, compress in COMPRESSORS.items():
        bomb = compress(too_big)
        assert len(bomb) < MAX_BODY_BYTES // 100  # small on the wire, huge unpacked
        answers[f"{kind}_bomb"] = _post(client, pc_a, bomb, kind.split("_")[0])
    wrong = {
        case: (status, answer)
        for case, (status, answer) in answers.items()
        if (status, answer["code"]) != (413, "payload_too_large")
    }
    assert wrong == {}


def _raw_pull(client: TestClient, pc: EnrolledDevice, accept: str) -> tuple[dict[str, str], bytes]:
    headers = {**pc.headers, "accept-encoding": accept}
    with client.stream(
        "POST",
        "/v1/sync/pull",
        json={"protocol": PROTOCOL_VERSION, "cursor": 0, "limit": 500},
        headers=headers,
    ) as response:
        assert response.status_code == 200
        return dict(response.headers), b"".join(response.iter_raw())


def test_pull_replies_are_compressed_as_the_client_accepts(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    plain_headers, plain = _raw_pull(client, pc_a, "identity")
    assert "content-encoding" not in plain_headers
    expected = parse_pull_reply(plain)
    assert expected.records, "the demo home has records to pull"
    decoders: dict[str, Callable[[bytes], bytes]] = {
        "zstd": zstandard.ZstdDecompressor().decompress,
        "gzip": gzip.decompress,
    }
    for accept, encoding in (("gzip, deflate, zstd", "zstd"), ("gzip", "gzip")):
        headers, packed = _raw_pull(client, pc_a, accept)
        assert headers["content-encoding"] == encoding
        assert len(packed) * 3 < len(plain), f"{encoding} should shrink a page of records"
        assert parse_pull_reply(decoders[encoding](packed)) == expected


def test_the_frameworks_own_refusals_are_error_bodies_too(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    """Found by schemathesis: FastAPI answered these with its own {"detail": ...} shape."""
    headers = {**pc_a.headers, "content-type": "application/json"}
    answers = {
        "unparsable": client.post("/v1/sync/hello", content=b"}\xc3\x28", headers=headers),
        "unknown_path": client.get("/v1/no-such-thing", headers=headers),
        "wrong_method": client.get("/v1/sync/hello", headers=headers),
    }
    codes = {
        case: (answer.status_code, ErrorBody.model_validate_json(answer.content).code)
        for case, answer in answers.items()
    }
    assert codes == {
        "unparsable": (400, "malformed_request"),
        "unknown_path": (404, "not_found"),
        "wrong_method": (405, "method_not_allowed"),
    }
    assert answers["wrong_method"].headers["allow"] == "POST"
