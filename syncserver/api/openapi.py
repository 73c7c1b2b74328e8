"""The server's OpenAPI description, made to say what the server really does: the bodies of
push and pull (read by hand, so FastAPI cannot see them), every refusal as an ``ErrorBody``
with the statuses each endpoint can answer, and which credential each endpoint needs.
Schemathesis checks every answer against it (tests/reliability/test_openapi_contract.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from shared.protocol import DEVICE_AUTH_SCHEME, ErrorBody, PullRequest, PullResponse, PushRequest
from shared.pull_page import ArrayPullResponse

DEVICE = "enrolledPc"
PERSON = "signedInPerson"
SECURITY_SCHEMES = {
    DEVICE: {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": f"`{DEVICE_AUTH_SCHEME} <device id>.<device secret>` from enrolment.",
    },
    PERSON: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
}

REASONS = {
    400: "The request was refused: the body says why",
    401: "No valid credential",
    403: "The credential may not do this",
    404: "Not found",
    409: "In conflict with what the server holds",
    413: "The body is too large",
    422: "The request does not fit the schema",
    429: "Too many attempts: wait (Retry-After)",
    503: "The database cannot be reached just now: retry (Retry-After)",
}
ALWAYS = (422, 503)
# (method, path): (credential or None, the statuses of refusals besides ALWAYS)
OPERATIONS: dict[tuple[str, str], tuple[str | None, tuple[int, ...]]] = {
    ("get", "/healthz"): (None, ()),
    ("get", "/readyz"): (None, ()),
    ("get", "/v1/status"): (None, ()),
    ("get", "/metrics"): (None, ()),
    ("post", "/v1/devices/enrol"): (None, (400, 401, 409, 429)),
    ("post", "/v1/sync/hello"): (DEVICE, (400, 401, 403)),
    ("post", "/v1/sync/push"): (DEVICE, (400, 401, 403, 409, 413)),
    ("post", "/v1/sync/pull"): (DEVICE, (400, 401, 403, 413)),
    ("get", "/v1/sync/live"): (DEVICE, (401, 403)),
    ("post", "/v1/auth/login"): (DEVICE, (400, 401, 403, 429)),
    ("post", "/v1/auth/refresh"): (None, (400, 401, 403, 429)),
    ("post", "/v1/auth/logout"): (None, (400, 401)),
    ("post", "/v1/auth/mfa"): (None, (400, 401, 403, 429)),
    ("post", "/v1/auth/mfa/enrol"): (None, (400, 401, 403, 409, 429)),
    ("get", "/v1/admin/devices"): (PERSON, (401, 403)),
}
READ_BY_HAND: dict[str, type[BaseModel]] = {
    "/v1/sync/push": PushRequest,
    "/v1/sync/pull": PullRequest,
}
# A reply in one of several forms: the pull page of protocols 1 and 2, or of protocol 3.
REPLIES: dict[str, tuple[type[BaseModel], ...]] = {
    "/v1/sync/pull": (PullResponse, ArrayPullResponse)
}
STORABLE_TEXT = "^[^\x00]*$"  # a pattern served as UTF-8 cannot name lone surrogates
READINESS = {
    "type": "object",
    "properties": {"status": {"type": "string"}, "reason": {"type": "string"}},
    "required": ["status"],
}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    """A reference to ``model``'s schema, adding it (and the models it uses) to ``schemas``."""
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(generated.pop("$defs", {}))
    schemas[model.__name__] = generated
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _storable_text_only(schema: Any) -> None:
    """Say in every string schema what ``shared.storable`` refuses: NUL and lone surrogates."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema:
            schema["pattern"] = STORABLE_TEXT
        for value in schema.values():
            _storable_text_only(value)
    elif isinstance(schema, list):
        for item in schema:
            _storable_text_only(item)


def describe(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = spec.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    error = _ref(ErrorBody, schemas)
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            credential, refusals = OPERATIONS[(method, path)]
            operation["security"] = [{credential: []}] if credential else []
            responses = operation["responses"]
            responses.pop("422", None)
            for status in sorted({*refusals, *ALWAYS}):
                responses[str(status)] = {"description": REASONS[status], "content": _json(error)}
            if path in READ_BY_HAND:
                body = _ref(READ_BY_HAND[path], schemas)
                operation["requestBody"] = {"required": True, "content": _json(body)}
            if path in REPLIES:
                forms = [_ref(model, schemas) for model in REPLIES[path]]
                responses["200"]["content"] = _json({"anyOf": forms})
            if path == "/readyz":
                responses["503"] = {"description": "Not ready", "content": _json(READINESS)}
    _storable_text_only(schemas)
    return spec


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
