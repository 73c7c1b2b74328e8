"""Operations: every response carries a request id (the caller's, or a new one), every
request leaves one structured log line with that id and no personal data, and ``/metrics``
counts requests, latencies, sync batches, changes, review items and active PCs."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver.db.engine import Database
from syncserver.logging_setup import JsonFormatter
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    hlc_at,
    make_app,
    push_ok,
    residents_of,
    staff_of,
    stored_record,
)

SECRET_TEXT = "Mrs Example felt low and asked for her daughter"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the server logs, as ``configure_logging`` formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _metric(text: str, name: str) -> float:
    """The value of one sample line of the Prometheus text format, e.g. ``wcn_x_total``."""
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            if name + "{" in line and "{" not in name:
                continue
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/healthz", headers={"x-request-id": "lb-7f3a9c21"})
    assert given.headers["x-request-id"] == "lb-7f3a9c21"
    made = client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    junk = client.get("/healthz", headers={"x-request-id": "<script>" + "x" * 100})
    assert junk.headers["x-request-id"] != "<script>" + "x" * 100
    refused = client.post("/v1/sync/hello", json={}, headers={"x-request-id": "abc12345"})
    assert refused.status_code == 401
    assert refused.headers["x-request-id"] == "abc12345"


def test_access_lines_name_the_route_and_the_request_not_the_person(
    client: TestClient,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    json_log: io.StringIO,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    note = ChangeMaker("pc-a").note(resident, carer.user_id, text=SECRET_TEXT)
    push_ok(client, {**pc_a.headers, "x-request-id": "push-req-0001"}, [note])
    client.get(f"/no/such/page?resident={resident}")

    # Everything the server logged (the test's own HTTP client logs its URLs too).
    server = [line for line in _lines(json_log) if str(line["logger"]).startswith("syncserver")]
    raw = json.dumps(server)
    assert SECRET_TEXT not in raw
    assert resident not in raw and carer.username not in raw and pc_a.secret not in raw
    access = [line for line in server if line["logger"] == "syncserver.access"]
    push_line = next(line for line in access if line["request_id"] == "push-req-0001")
    assert push_line["route"] == "/v1/sync/push"
    assert (push_line["method"], push_line["status"]) == ("POST", 200)
    assert isinstance(push_line["ms"], float)
    assert any(line["route"] == "unmatched" and line["status"] == 404 for line in access)


def test_an_unexpected_error_is_logged_without_its_message_and_answered_with_the_id(
    seeded_db: Database, json_log: io.StringIO
) -> None:
    app = make_app(seeded_db)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(SECRET_TEXT)

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"x-request-id": "boom-0001"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-0001"
    assert response.json() == {
        "code": "internal_error",
        "message": "Something went wrong on the server; it was logged.",
        "detail": {"request_id": "boom-0001"},
    }
    assert SECRET_TEXT not in json_log.getvalue()
    error = next(line for line in _lines(json_log) if line["level"] == "error")
    assert error["request_id"] == "boom-0001"
    assert error["exc_type"] == "builtins.RuntimeError"
    stack = error["stack"]
    assert isinstance(stack, list) and any("in boom" in frame for frame in stack)


def test_metrics_count_requests_sync_batches_changes_reviews_and_devices(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, pc_b: EnrolledDevice
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    maker = ChangeMaker("pc-a")
    batch = [maker.note(resident, carer.user_id) for _ in range(3)]
    push_ok(client, pc_a.headers, batch)
    push_ok(client, pc_a.headers, batch)  # a retried batch: three duplicates
    client.post("/v1/sync/pull", json={"protocol": 2, "cursor": 0}, headers=pc_b.headers)

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert _metric(text, "wcn_sync_push_batches_total") == 2
    assert _metric(text, "wcn_sync_changes_ingested_total") == 3
    assert _metric(text, "wcn_sync_changes_duplicate_total") == 3
    assert _metric(text, "wcn_review_items_raised_total") == 0
    assert _metric(text, "wcn_sync_pulls_total") == 1
    assert _metric(text, "wcn_devices_active") == 2  # both PCs were seen just now
    assert 'wcn_devices_enrolled{status="active"} 2.0' in text
    assert 'wcn_http_requests_total{method="POST",route="/v1/sync/push",status="200"} 2.0' in text
    assert (
        'wcn_http_request_duration_seconds_count{method="POST",route="/v1/sync/push"} 2.0' in text
    )
    assert 'wcn_build_info{version="' in text
    assert carer.user_id not in text and resident not in text


def test_a_review_item_raised_is_counted(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id).user_id
    senior = staff_of(demo_provider, "senior_carer", pc_a.home_id).user_id
    stored = stored_record(seeded_db, demo_provider.tenant_id, resident)
    assert stored is not None
    base = {"diet": stored.versions["diet"]}
    now_ms = int(time.time() * 1000)
    later = ChangeMaker("pc-a").update(
        "resident", resident, carer, {"diet": "Soft"}, base, hlc=hlc_at(now_ms + 2000)
    )
    earlier = ChangeMaker("pc-a2").update(
        "resident", resident, senior, {"diet": "Diabetic"}, base, hlc=hlc_at(now_ms + 1000)
    )
    push_ok(client, pc_a.headers, [later])
    assert push_ok(client, pc_a2.headers, [earlier]).review_items == 1
    assert _metric(client.get("/metrics").text, "wcn_review_items_raised_total") == 1
