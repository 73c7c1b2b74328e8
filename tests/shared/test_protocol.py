"""The sync protocol: version negotiation and the shape of every message."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared import protocol as p
from shared.hlc import HybridClock


@given(st.integers(-5, 10), st.integers(-5, 10))
def test_negotiation_picks_the_highest_version_both_sides_speak(low: int, high: int) -> None:
    client = set(range(low, high + 1))
    server = set(range(p.OLDEST_SUPPORTED_PROTOCOL, p.PROTOCOL_VERSION + 1))
    common = client & server
    assert p.negotiate(low, high) == (max(common) if common else None)


def test_the_server_keeps_speaking_the_two_versions_before_its_current_one() -> None:
    assert max(1, p.PROTOCOL_VERSION - 2) == p.OLDEST_SUPPORTED_PROTOCOL
    assert p.negotiate(p.PROTOCOL_VERSION + 1, p.PROTOCOL_VERSION + 5) is None


def change(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "change_id": str(uuid.uuid4()),
        "device_seq": 1,
        "entity": "care_note",
        "record_id": str(uuid.uuid4()),
        "op": "create",
        "fields": {"text": "Ate well."},
        "hlc": HybridClock("pc-1").now(),
        "user_id": str(uuid.uuid4()),
        "recorded_at_ms": 1_700_000_000_000,
    }
    body.update(overrides)
    return body


changes = st.builds(
    lambda change_id, seq, record_id, op, text, hlc_ms, node, user: change(
        change_id=str(change_id),
        device_seq=seq,
        record_id=str(record_id),
        op=op,
        fields={"text": text},
        hlc=f"{hlc_ms:015d}-{seq % 100_000:05d}-{node}",
        user_id=str(user),
    ),
    st.uuids(),
    st.integers(1, 10**9),
    st.uuids(),
    st.sampled_from(["create", "update"]),
    st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=50),
    st.integers(0, 10**13),
    st.from_regex(r"[0-9A-Za-z_.:-]{1,40}", fullmatch=True),
    st.uuids(),
)


@given(changes)
def test_a_change_survives_the_wire(body: dict[str, Any]) -> None:
    message = p.Change.model_validate(body)
    assert p.Change.model_validate_json(message.model_dump_json()) == message
    request = p.PushRequest(protocol=p.PROTOCOL_VERSION, changes=[message])
    assert p.PushRequest.model_validate_json(request.model_dump_json()) == request


def test_every_clock_the_app_makes_is_accepted() -> None:
    for node in ("server", "pc-1", "device:7f3a", "a" * 40):
        p.Change.model_validate(change(hlc=HybridClock(node).now()))


@pytest.mark.parametrize(
    "overrides",
    [
        {"change_id": "not-a-uuid"},
        {"change_id": str(uuid.uuid4()).upper()},
        {"record_id": ""},
        {"device_seq": 0},
        {"op": "delete"},
        {"hlc": "12:00"},
        {"hlc": "000000000000001-100000-pc"},  # a sixth logical digit would sort wrongly
        {"hlc": "000000000000001-00000-" + "a" * 41},
        {"entity": "x" * 51},
        {"surprise": True},
    ],
)
def test_a_malformed_change_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        p.Change.model_validate(change(**overrides))


def test_messages_are_immutable() -> None:
    message = p.Change.model_validate(change())
    with pytest.raises(ValidationError):
        message.device_seq = 2  # type: ignore[misc]


def test_a_change_without_base_versions_saw_nothing() -> None:
    assert p.Change.model_validate(change()).base_versions == {}


def test_a_push_is_limited_in_size() -> None:
    one = p.Change.model_validate(change())
    p.PushRequest(protocol=2, changes=[one] * p.MAX_CHANGES_PER_PUSH)
    with pytest.raises(ValidationError):
        p.PushRequest(protocol=2, changes=[one] * (p.MAX_CHANGES_PER_PUSH + 1))


def test_a_pull_asks_for_a_bounded_page() -> None:
    assert p.PullRequest(protocol=2, cursor=0).limit == 5000
    p.PullRequest(protocol=2, cursor=0, limit=p.MAX_PULL_LIMIT)
    for bad in ({"cursor": -1}, {"limit": 0}, {"limit": p.MAX_PULL_LIMIT + 1}):
        with pytest.raises(ValidationError):
            p.PullRequest.model_validate({"protocol": 2, "cursor": 0, **bad})


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (p.HelloRequest, {"min_protocol": 0, "max_protocol": 2, "app_version": "1"}),
        (p.HelloRequest, {"min_protocol": 1, "max_protocol": 2, "app_version": "x" * 51}),
        (p.EnrolRequest, {"code": "", "device_name": "PC", "app_version": "1"}),
        (p.LoginRequest, {"username": "sarah", "password": ""}),
        (p.RefreshRequest, {"refresh_token": ""}),
        (
            p.StatusResponse,
            {"status": "down", "server_version": "1", "protocol": 2, "oldest_protocol": 1},
        ),
    ],
)
def test_requests_outside_their_limits_are_refused(model: type[p.Message], body: Any) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(body)


def test_an_error_body_carries_a_code_and_a_sentence() -> None:
    body = p.ErrorBody(code="sequence_gap", message="Changes are missing from this device.")
    assert p.ErrorBody.model_validate_json(body.model_dump_json()) == body
    assert body.detail is None


def test_record_state_round_trips() -> None:
    state = p.RecordState(
        entity="resident",
        record_id=str(uuid.uuid4()),
        home_id=None,
        resident_id=None,
        fields={"room": "4"},
        versions={"room": "000000000000001-00000-pc|x"},
        hlc="000000000000001-00000-pc",
        server_seq=3,
        user_id=None,
        device_id=None,
    )
    page = p.PullResponse(protocol=2, records=[state], cursor=3, has_more=False, server_seq=3)
    assert p.PullResponse.model_validate_json(page.model_dump_json()) == page


@pytest.mark.parametrize(
    "fields",
    [{"text": "a\x00b"}, {"details": {"fluid_ml": float("nan")}}, {"values": [float("inf")]}],
)
def test_unstorable_values_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match=r"NUL|finite"):
        p.Change.model_validate(change(fields=fields))


def test_text_with_an_unpaired_surrogate_is_refused() -> None:
    with pytest.raises(ValidationError, match="surrogate"):
        p.Change.model_validate(change(fields={"text": "a\udc36"}))
