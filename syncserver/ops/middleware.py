"""One ASGI middleware for operations: a request id on every request and response
(``x-request-id``, the caller's if sane, otherwise new), one structured access line, the
request metrics, and the push metrics read from the protocol's own reply.

It is a plain ASGI middleware, not ``BaseHTTPMiddleware``, so the live-update stream passes
through untouched, and it answers an unexpected exception itself so the 500 still carries
the request id that the log line names.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.protocol import ErrorBody
from syncserver.logging_setup import (
    REQUEST_ID_HEADER,
    request_id_from,
    reset_request_id,
    set_request_id,
)
from syncserver.ops.metrics import ServerMetrics

log = logging.getLogger("syncserver.access")
errors = logging.getLogger("syncserver.errors")

PUSH_ROUTE = "/v1/sync/push"
LIVE_ROUTE = "/v1/sync/live"
PULL_ROUTE = "/v1/sync/pull"
MAX_CAPTURED_REPLY = 64 * 1024  # a push reply is a few numbers


def route_of(scope: Scope) -> str:
    """The matched route's template, never the raw path (which a probe can fill with junk)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestOps:
    def __init__(self, app: ASGIApp, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        reply = bytearray()
        is_live = scope.get("path") == LIVE_ROUTE
        if is_live:
            self.metrics.live_streams.inc()

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_started = True
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                headers["x-request-ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
            elif (
                message["type"] == "http.response.body"
                and scope.get("path") == PUSH_ROUTE
                and len(reply) < MAX_CAPTURED_REPLY
            ):
                reply.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            errors.exception("unexpected error", extra={"route": route_of(scope)})
            if response_started:
                raise
            status = 500
            await _internal_error(send, request_id)
        finally:
            if is_live:
                self.metrics.live_streams.dec()
            route = route_of(scope)
            seconds = time.perf_counter() - started
            self.metrics.observe_request(scope["method"], route, status, seconds)
            if route == PUSH_ROUTE and status == 200:
                self._observe_push(bytes(reply))
            elif route == PULL_ROUTE and status == 200:
                self.metrics.pulls.inc()
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )
            reset_request_id(token)

    def _observe_push(self, reply: bytes) -> None:
        try:
            body = json.loads(reply)
            self.metrics.observe_push(
                int(body["applied"]), int(body["duplicates"]), int(body["review_items"])
            )
        except (ValueError, KeyError, TypeError):
            log.warning("metrics: a push reply could not be read")


async def _internal_error(send: Send, request_id: str) -> None:
    body = ErrorBody(
        code="internal_error",
        message="Something went wrong on the server; it was logged.",
        detail={"request_id": request_id},
    )
    content = body.model_dump_json(exclude_none=True).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (REQUEST_ID_HEADER.encode(), request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
