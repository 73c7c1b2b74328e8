"""7. Hostile input: fuzzed push batches and requests against the real app (never a 5xx:
either success or a 4xx with an ErrorBody code, and nothing of another provider touched or
shown), malformed bodies, and the cross-tenant matrix rerun while other PCs sync. Known
server bugs found here have their own regression tests at the end."""

from __future__ import annotations

import gzip
import json
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from desktop.services.context import AppContext
from shared.protocol import ErrorBody, PullResponse, PushResponse
from syncserver import audit
from syncserver.db.engine import Database
from syncserver.db.tables import devices
from tests.helpers.live_server import serving
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    enrol_device,
    make_app,
    open_migrated,
    push_body,
)
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.arena import Arena, Verdicts, foreign_records, leaked
from tests.reliability.hostile import INT64, TEXT, Batch, batches, encode
from tests.reliability.profile import Profile
from tests.reliability.results import Result
from tests.reliability.world import (
    RetryStats,
    enrol_pc,
    issue_code,
    record_note,
    server_state,
    sync_with_retry,
)


def _settings(profile: Profile) -> settings:
    return settings(
        max_examples=profile.fuzz_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.short_backends("sqlite")
def test_fuzzed_push_batches_never_get_a_5xx(
    arena: Arena, profile: Profile, result: Result
) -> None:
    verdicts = Verdicts()
    other_before = arena.other_footprint()
    headers = {**arena.pc.headers, "content-type": "application/json"}

    @_settings(profile)
    @hypothesis_seed(profile.seed)
    @given(batch=batches(arena.targets()), gzipped=st.booleans())
    def send(batch: Batch, gzipped: bool) -> None:
        body = batch.body
        if batch.consecutive:
            start = arena.acked() + 1
            for offset, change in enumerate(body["changes"]):
                change["device_seq"] = start + offset
        content = encode(body)
        sent = dict(headers)
        if gzipped:
            content, sent["content-encoding"] = gzip.compress(content), "gzip"
        response = arena.client.post("/v1/sync/push", content=content, headers=sent)
        verdicts.judge(response, PushResponse, arena.leaks_in(response.content))
        assert response.status_code < 500, response.text
        assert arena.other_footprint() == other_before, "the other provider's data changed"

    send()
    pulled = arena.client.post(
        "/v1/sync/pull", json={"protocol": 2, "cursor": 0, "limit": 20000}, headers=arena.pc.headers
    )
    verdicts.judge(
        pulled, PullResponse, arena.leaks_in(pulled.content) + arena.pull_leaks(pulled.content)
    )
    with arena.db.reader.begin() as conn:
        chains = [audit.verify(conn, t.tenant_id).ok for t in (arena.mine, arena.other)]
    result.trials = verdicts.requests
    result.faults = verdicts.refused
    result.written = verdicts.ok
    result.leaks = verdicts.leaks + (arena.other_footprint() != other_before)
    result.http_5xx = verdicts.five_xx
    result.details.update(
        {"refusal_codes": verdicts.codes, "audit_chains_ok": chains, "failures": verdicts.failures}
    )
    assert verdicts.bad_error_bodies == 0
    assert all(chains)
    result.check_zero()


@st.composite
def requests(draw: st.DrawFn, device_header: str) -> tuple[str, Any, dict[str, str]]:
    """Any of the PC's other requests, with plausible and implausible values and headers."""
    kind = draw(st.sampled_from(["pull", "hello", "enrol", "login", "status", "auth"]))
    headers = {"authorization": device_header}
    body: Any
    if kind == "pull":
        body = {
            "protocol": draw(st.integers(-2, 5)),
            "cursor": draw(st.integers(min_value=-5, max_value=INT64) | st.integers(min_value=0)),
            "limit": draw(st.integers(min_value=-5, max_value=10**6)),
        }
        path = "/v1/sync/pull"
    elif kind == "hello":
        body = {
            "min_protocol": draw(st.integers(-(2**70), 2**70)),
            "max_protocol": draw(st.integers(-(2**70), 2**70)),
            "app_version": draw(TEXT),
        }
        headers["x-client-time-ms"] = draw(
            st.integers(-(10**15), 10**15).map(str)
            | st.integers().map(str)
            | st.from_regex(r"\A[ -~]{0,20}\Z")
        )
        path = "/v1/sync/hello"
    elif kind == "enrol":
        body = {
            "code": draw(TEXT),
            "device_name": draw(TEXT),
            "app_version": draw(TEXT),
        }
        path = "/v1/devices/enrol"
    elif kind == "login":
        body = {"username": draw(TEXT), "password": draw(TEXT)}
        path = "/v1/auth/login"
    elif kind == "status":
        body, path = None, "/v1/status"
    else:
        raw = draw(st.from_regex(r"\A[ -~]{0,60}\Z"))
        headers["authorization"] = draw(st.sampled_from(["Device ", "Bearer ", ""])) + raw
        body, path = {"min_protocol": 1, "max_protocol": 2, "app_version": "x"}, "/v1/sync/hello"
    if body is not None and draw(st.integers(0, 9)) == 0:
        body = {**body, draw(TEXT): draw(st.integers())}
    return path, body, headers


@pytest.mark.short_backends("sqlite")
def test_fuzzed_requests_never_get_a_5xx(arena: Arena, profile: Profile, result: Result) -> None:
    verdicts = Verdicts()
    device_header = arena.pc.headers["authorization"]

    @_settings(profile)
    @hypothesis_seed(profile.seed)
    @given(request=requests(device_header))
    def send(request: tuple[str, Any, dict[str, str]]) -> None:
        path, body, headers = request
        if body is None:
            response = arena.client.get(path, headers=headers)
        else:
            response = arena.client.post(
                path, content=encode(body), headers={**headers, "content-type": "application/json"}
            )
        verdicts.judge(response, None, arena.leaks_in(response.content))
        assert response.status_code < 500, f"{path} {body} {headers}: {response.text}"

    send()
    result.trials = verdicts.requests
    result.faults = verdicts.refused
    result.written = 0
    result.leaks = verdicts.leaks
    result.http_5xx = verdicts.five_xx
    result.details.update({"refusal_codes": verdicts.codes, "failures": verdicts.failures})
    assert verdicts.bad_error_bodies == 0
    result.check_zero()


def _deep(depth: int) -> bytes:
    return b'{"protocol":2,"changes":[{"fields":' + b"[" * depth + b"]" * depth + b"}]}"


def _note_body(arena: Arena) -> bytes:
    change = ChangeMaker().note(arena.mine.residents[0], arena.mine.users["care_assistant"])
    return push_body([change])


MALFORMED: dict[str, tuple[str, Any]] = {
    "empty": ("push", b""),
    "null": ("push", b"null"),
    "array": ("push", b"[]"),
    "cut short": ("push", b'{"protocol":2,"changes":[{"change_id":'),
    "not utf-8": ("push", b"\xff\xfe\xfd"),
    "utf-8 bom": ("push", b'\xef\xbb\xbf{"protocol":2,"changes":[]}'),
    "wrong types": ("push", b'{"protocol":"two","changes":"all of them"}'),
    "no changes": ("push", b'{"protocol":2}'),
    "unknown key": ("push", b'{"protocol":2,"changes":[],"tenant_id":"someone-else"}'),
    "huge number": ("push", b'{"protocol":2,"changes":[{"device_seq":1e400}]}'),
    "lone surrogate": ("push", b'{"protocol":2,"changes":[{"entity":"\\ud800"}]}'),
    "deep nesting": ("push", _deep(20_000)),
    "too many changes": ("push", None),  # built below: 5,001 valid-looking changes
    "gzip label, plain body": ("push-gzip", b'{"protocol":2,"changes":[]}'),
    "gzip cut short": ("push-gzip", gzip.compress(b'{"protocol":2,"changes":[]}')[:-6]),
    "unknown encoding": ("push-br", b'{"protocol":2,"changes":[]}'),
    "pull negative cursor": ("pull", b'{"protocol":2,"cursor":-1}'),
    "pull limit zero": ("pull", b'{"protocol":2,"cursor":0,"limit":0}'),
    "pull as text": ("pull", b"cursor=0"),
    "hello reversed range": ("hello", b'{"min_protocol":9,"max_protocol":1,"app_version":"1"}'),
    "enrol empty code": ("enrol", b'{"code":"","device_name":"x","app_version":"1"}'),
}


def test_malformed_bodies_are_refused_with_a_code(arena: Arena, result: Result) -> None:
    verdicts = Verdicts()
    codes: dict[str, str] = {}
    paths = {"push": "/v1/sync/push", "pull": "/v1/sync/pull", "hello": "/v1/sync/hello"}
    paths["enrol"] = "/v1/devices/enrol"
    for name, (kind, given_content) in MALFORMED.items():
        content = given_content
        if content is None:
            one = json.loads(_note_body(arena))["changes"][0]
            content = json.dumps({"protocol": 2, "changes": [one] * 5001}).encode()
        endpoint, _, encoding = kind.partition("-")
        headers = {**arena.pc.headers, "content-type": "application/json"}
        if encoding:
            headers["content-encoding"] = {"gzip": "gzip", "br": "br"}[encoding]
        response = arena.client.post(paths[endpoint], content=content, headers=headers)
        verdicts.judge(response, None, arena.leaks_in(response.content))
        assert 400 <= response.status_code < 500, f"{name}: {response.status_code} {response.text}"
        codes[name] = (
            f"{response.status_code} {ErrorBody.model_validate_json(response.content).code}"
        )
    result.trials = verdicts.requests
    result.faults = verdicts.refused
    result.leaks = verdicts.leaks
    result.http_5xx = verdicts.five_xx
    result.details["answers"] = codes
    result.check_zero()


# --- the cross-tenant matrix, with other PCs syncing meanwhile ----------------------------


def _matrix(maker: ChangeMaker, mine: Tenant, other: Tenant, other_note: str) -> dict[str, Any]:
    carer, senior = mine.users["care_assistant"], mine.users["senior_carer"]
    return {
        "note for their resident": (403, "not_found", maker.note(other.residents[0], carer)),
        "edit their resident": (
            403,
            "not_found",
            maker.update("resident", other.residents[0], senior, {"room": "9"}, {}),
        ),
        "note signed by their carer": (
            403,
            "unknown_user",
            maker.note(mine.residents[0], other.users["care_assistant"]),
        ),
        "change their note": (
            403,
            "not_found",
            maker.update("care_note", other_note, carer, {"text": "changed"}, {}),
        ),
        "reuse their note's id": (
            200,
            None,
            maker.change(
                "care_note",
                other_note,
                "create",
                {
                    "resident_id": mine.residents[0],
                    "category": "general",
                    "text": "Mine, with their id",
                    "occurred_at": "2024-03-31T14:05:00+00:00",
                },
                carer,
            ),
        ),
        "amend their note": (
            200,
            None,
            maker.note(
                mine.residents[0],
                carer,
                "An amendment of theirs",
                amends_id=other_note,
                amend_kind="amendment",
            ),
        ),
    }


@pytest.mark.short_backends("sqlite")
def test_cross_tenant_matrix_under_light_load(
    server_url: str, tmp_path: Path, profile: Profile, rng: random.Random, result: Result
) -> None:
    db = open_migrated(server_url)
    mine, other = make_tenant(db, residents=2), make_tenant(db, residents=2)
    stop = threading.Event()
    stats = RetryStats()
    attempts = leaks = wrong = 0
    answers: dict[str, str] = {}
    try:
        with serving(make_app(db)) as url, httpx.Client(timeout=10.0) as http:
            busy = [
                enrol_pc(db, url, tenant, tmp_path / f"busy{i}", tmp_path / "keys", http=http)
                for i, tenant in enumerate((mine, other, other))
            ]
            tenants = (mine, other, other)

            def background(pc: AppContext, tenant: Tenant, seed: int) -> None:
                local = random.Random(seed)
                while not stop.is_set():
                    record_note(pc, tenant, local.randrange(2), "Routine")
                    sync_with_retry(pc, local, stats=stats)

            workers = [
                threading.Thread(target=background, args=(pc, t, rng.randrange(1 << 30)))
                for pc, t in zip(busy, tenants, strict=True)
            ]
            for worker in workers:
                worker.start()
            try:
                attacker = enrol_device_over(http, url, db, mine)
                victim = enrol_device_over(http, url, db, other)
                victim_maker = ChangeMaker("victim")
                texts = ["Their private note"]
                for _ in range(profile.matrix_rounds):
                    # A fresh note of theirs each round: an earlier round stored one of ours
                    # under the previous one's id.
                    their_note = victim_maker.note(
                        other.residents[0], other.users["care_assistant"], "Their private note"
                    )
                    _post(http, url, victim, "/v1/sync/push", push_body([their_note]))
                    before = server_state(db, other.tenant_id, other.home_id)
                    maker = ChangeMaker("attacker")
                    for name, (status, code, attack) in _matrix(
                        maker, mine, other, their_note.record_id
                    ).items():
                        attempts += 1
                        seq = _acked(db, attacker.device_id) + 1
                        change = attack.model_copy(update={"device_seq": seq})
                        response = _post(http, url, attacker, "/v1/sync/push", push_body([change]))
                        got = response.json().get("code") if response.status_code != 200 else None
                        answers[name] = f"{response.status_code} {got or ''}".strip()
                        if (response.status_code, got) != (status, code):
                            wrong += 1
                        leaks += leaked(response.text, other, texts)
                    pulled = _post(
                        http,
                        url,
                        attacker,
                        "/v1/sync/pull",
                        b'{"protocol":2,"cursor":0,"limit":20000}',
                    )
                    attempts += 1
                    leaks += leaked(pulled.text, other, texts)
                    leaks += foreign_records(db, mine, pulled.content)
                    bogus = EnrolledDevice(victim.device_id, attacker.secret, other.tenant_id, "")
                    forged = _post(http, url, bogus, "/v1/sync/pull", b'{"protocol":2,"cursor":0}')
                    attempts += 1
                    answers["their device id, my secret"] = str(forged.status_code)
                    wrong += forged.status_code != 401
                    leaks += leaked(forged.text, other, texts)
                    after = server_state(db, other.tenant_id, other.home_id)
                    # Their PCs only add notes meanwhile; nothing they had may change.
                    leaks += sum(1 for rid, value in before.items() if after.get(rid) != value)
            finally:
                stop.set()
                for worker in workers:
                    worker.join(timeout=120)
                for pc in busy:
                    pc.close()
    finally:
        db.dispose()
    result.trials = attempts
    result.faults = attempts
    result.leaks = leaks
    result.http_5xx = stats.http_5xx
    result.details.update(
        {"answers": answers, "unexpected_answers": wrong, "background_syncs": stats.attempts}
    )
    assert wrong == 0, answers
    result.check_zero()


def enrol_device_over(http: httpx.Client, url: str, db: Database, tenant: Tenant) -> EnrolledDevice:
    code = issue_code(db, tenant.tenant_id, tenant.home_id)
    body = http.post(
        url + "/v1/devices/enrol", json={"code": code, "device_name": "probe", "app_version": "1"}
    ).json()
    return EnrolledDevice(
        body["device_id"], body["device_secret"], tenant.tenant_id, tenant.home_id
    )


def _post(
    http: httpx.Client, url: str, device: EnrolledDevice, path: str, body: bytes
) -> httpx.Response:
    return http.post(
        url + path, content=body, headers={**device.headers, "content-type": "application/json"}
    )


def _acked(db: Database, device_id: str) -> int:
    with db.reader.connect() as conn:
        return int(
            conn.execute(
                sa.select(devices.c.acked_seq).where(devices.c.id == device_id)
            ).scalar_one()
        )


# --- server bugs found by the fuzzing: regression tests, and strict xfails until fixed -----


def test_a_pull_cursor_past_64_bits_is_refused(arena: Arena) -> None:
    response = arena.client.post(
        "/v1/sync/pull", json={"protocol": 2, "cursor": 2**70}, headers=arena.pc.headers
    )
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("value", ["--5", "9" * 30, "-" + "9" * 30])
def test_an_odd_client_clock_header_is_not_a_server_error(arena: Arena, value: str) -> None:
    response = arena.client.post(
        "/v1/sync/hello",
        json={"min_protocol": 1, "max_protocol": 2, "app_version": "1"},
        headers={**arena.pc.headers, "x-client-time-ms": value},
    )
    assert response.status_code < 500, response.text


def test_non_finite_numbers_are_refused(arena: Arena) -> None:
    change = ChangeMaker().note(arena.mine.residents[0], arena.mine.users["care_assistant"])
    body = push_body([change]).replace(b'"text":"Settled well."', b'"details":{"ml":NaN}')
    assert b"NaN" in body
    response = arena.client.post(
        "/v1/sync/push",
        content=body,
        headers={**arena.pc.headers, "content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


NUL_REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "hello app_version": (
        "/v1/sync/hello",
        {"min_protocol": 1, "max_protocol": 2, "app_version": "1\u0000"},
    ),
    "login username": ("/v1/auth/login", {"username": "a\u0000b", "password": "whatever-1"}),
    "enrol device_name": (
        "/v1/devices/enrol",
        {"code": "", "device_name": "PC\u0000", "app_version": "1"},
    ),
}


@pytest.mark.parametrize("case", sorted(NUL_REQUESTS))
def test_a_nul_character_is_refused_on_postgres(
    pg_database: Any, tmp_path: Path, case: str
) -> None:
    db = open_migrated(pg_database.url)
    tenant = make_tenant(db, residents=1)
    try:
        with TestClient(make_app(db), raise_server_exceptions=False) as client:
            pc = enrol_device(client, db, tenant.tenant_id, tenant.home_id)
            path, body = NUL_REQUESTS[case]
            if path.endswith("enrol"):
                body = {**body, "code": issue_code(db, tenant.tenant_id, tenant.home_id)}
            response = client.post(path, json=body, headers=pc.headers)
            assert 400 <= response.status_code < 500, response.text
    finally:
        db.dispose()
