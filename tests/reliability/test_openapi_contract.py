"""7. Hostile input, from the API description: schemathesis generates requests from the
server's own OpenAPI document (valid ones and deliberately invalid ones, with and without
credentials) and checks every answer against it: no 5xx, only documented statuses, every
body and header as described, invalid data refused, and no endpoint that needs a credential
answering without one.

One check is left out: ``positive_data_acceptance`` expects every schema-valid request to
succeed, but the server refuses some by rules no schema can state (an unknown enrolment code,
a protocol version it does not speak, a gap in a PC's sequence), with a 400 and a code.

The pytest plugin of schemathesis is not used (pyproject disables it for every run); its
hypothesis strategies are driven here directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.failures import FailureGroup

from shared.protocol import DEVICE_AUTH_SCHEME
from syncserver.api.openapi import DEVICE, OPERATIONS, PERSON
from tests.helpers.security import sign_in
from tests.helpers.sync_world import PASSWORD
from tests.reliability.arena import Arena
from tests.reliability.profile import Profile
from tests.reliability.results import Result

STREAMS = {"/v1/sync/live"}  # never ends when the credential is good; checked without one


def _credentials(arena: Arena, role: str) -> dict[str, dict[str, str]]:
    username = f"{role}.{arena.mine.tenant_id[-6:]}"
    login = sign_in(arena.client, arena.pc, username, role, password=PASSWORD)
    return {
        DEVICE: arena.pc.headers,
        PERSON: {"authorization": f"Bearer {login['access_token']}"},
    }


def _run(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    examples: int,
    found: Callable[[str], None],
) -> int:
    calls = [0]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        calls[0] += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, headers=headers, excluded_checks=[positive_data_acceptance]
            )
        except FailureGroup as failures:
            for failure in failures.exceptions:
                found(f"{case.method} {case.path} [{mode.value}] {failure.title}: {failure}")

    try:
        check()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        # Nothing to get wrong: the operation takes no parameters and no body.
    return calls[0]


@pytest.mark.short_backends("sqlite")
def test_every_answer_matches_the_openapi_description(
    arena: Arena, backend: str, profile: Profile, result: Result
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", arena.client.app)
    credentials = _credentials(arena, "home_manager")
    problems: dict[str, str] = {}

    def found(text: str) -> None:
        problems.setdefault(text.split(":", maxsplit=1)[0], text[:600])

    examples = max(5, profile.fuzz_examples // 12)
    requests = 0
    described: set[tuple[str, str]] = set()
    for found_operation in schema.get_all_operations():
        operation = found_operation.ok()  # type: ignore[union-attr]  # an Err fails loudly
        described.add((operation.method.lower(), operation.path))
        credential, _refusals = OPERATIONS[(operation.method.lower(), operation.path)]
        with_credential = credentials[credential] if credential else {}
        runs: list[tuple[dict[str, str], GenerationMode]] = [({}, GenerationMode.NEGATIVE)]
        if operation.path not in STREAMS:
            runs += [(with_credential, GenerationMode.POSITIVE)]
            runs += [(with_credential, GenerationMode.NEGATIVE)]
        for headers, mode in runs:
            requests += _run(operation, mode, headers, examples, found)
    result.trials = requests
    result.details.update({"operations": len(described), "problems": len(problems)})
    assert described == {key for key in OPERATIONS if key[1] != "/metrics"}
    assert problems == {}, "\n\n".join(problems.values())


@pytest.mark.short_backends("sqlite")
def test_the_description_names_the_credential_of_each_endpoint(arena: Arena) -> None:
    spec = arena.client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert DEVICE_AUTH_SCHEME in schemes[DEVICE]["description"]
    assert spec["paths"]["/v1/sync/push"]["post"]["security"] == [{DEVICE: []}]
    assert spec["paths"]["/v1/admin/devices"]["get"]["security"] == [{PERSON: []}]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    push = spec["paths"]["/v1/sync/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PushRequest"
    }
    assert push["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
