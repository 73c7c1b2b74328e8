"""Expected failures of the server, each with an HTTP status and a machine-readable code.

ServerError
 ├── AuthError (401)
 ├── Forbidden (403)
 ├── NotFound (404)
 ├── Conflict (409)
 ├── BadRequest (400 / 413 / 422)
 └── ConfigError (raised before the server starts)
"""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return str(self)


class BadRequest(ServerError):
    status = 400
    code = "bad_request"


class PayloadTooLarge(ServerError):
    status = 413
    code = "payload_too_large"


class AuthError(ServerError):
    status = 401
    code = "unauthenticated"


class Forbidden(ServerError):
    status = 403
    code = "forbidden"


class NotFound(ServerError):
    status = 404
    code = "not_found"


class Conflict(ServerError):
    status = 409
    code = "conflict"


class TooManyRequests(ServerError):
    status = 429
    code = "too_many_requests"


class ConfigError(ServerError):
    code = "config_error"
