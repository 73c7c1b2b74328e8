"""The FastAPI application: routes, error handling and lifecycle."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.protocol import ErrorBody
from syncserver.api import openapi, routes_admin, routes_auth, routes_mfa, routes_ops, routes_sync
from syncserver.api.deps import ServerState
from syncserver.api.security_setup import security_parts
from syncserver.config import Settings
from syncserver.db.engine import Database, open_database
from syncserver.errors import ServerError
from syncserver.live import LiveHub
from syncserver.ops import install as install_operations
from syncserver.security.tokens import TokenService

log = logging.getLogger(__name__)


HTTP_CODES = {
    400: "malformed_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _error(
    status: int, code: str, message: str, detail: dict[str, object] | None = None
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, detail=detail)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    database = db or open_database(settings.database_url)
    secret = settings.jwt_secret or secrets.token_urlsafe(48)
    state = ServerState(
        settings=settings,
        db=database,
        tokens=TokenService(secret, settings.access_token_minutes, settings.refresh_token_days),
        live=LiveHub(settings.redis_url),
        **security_parts(settings, database),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.live.start()
        database.start_wal_checkpoints()
        try:
            yield
        finally:
            state.live.stop()
            state.stop_db_threads()
            if database.wal_checkpointer is not None:
                database.wal_checkpointer.stop()
            if db is None:
                database.dispose()

    app = FastAPI(title="WriteCareNotes sync server", version="0.1.0", lifespan=lifespan)
    app.state.wcn = state

    @app.exception_handler(ServerError)
    async def _server_error(_request: Request, exc: ServerError) -> JSONResponse:
        response = _error(exc.status, exc.code, exc.message, exc.detail)
        if exc.status == 429 and exc.detail and "retry_after_s" in exc.detail:
            response.headers["retry-after"] = str(exc.detail["retry_after_s"])
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body")
        return _error(422, "invalid_request", f"{where or 'request'}: {first['msg']}")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals (a body that is not JSON, an unknown path or method) in the
        # same shape as every other refusal.
        code = HTTP_CODES.get(exc.status_code, "bad_request")
        message = str(exc.detail)
        if code == "malformed_request":
            message = "The request body could not be read: send JSON text in UTF-8."
        response = _error(exc.status_code, code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(sa_exc.OperationalError)
    async def _database_unavailable(
        _request: Request, exc: sa_exc.OperationalError
    ) -> JSONResponse:
        # A lost or refused database connection is an outage, not a bug: say so, and that a
        # retry will work (every write is all-or-nothing, so nothing was half-done).
        log.warning("database unavailable (%s)", type(exc.orig).__name__)
        response = _error(
            503,
            "database_unavailable",
            "The server cannot reach its database just now: try again in a moment.",
        )
        response.headers["retry-after"] = "5"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _error(500, "internal_error", "Something went wrong on the server; it was logged.")

    app.include_router(routes_ops.router)
    app.include_router(routes_sync.router)
    app.include_router(routes_auth.router)
    app.include_router(routes_mfa.router)
    app.include_router(routes_admin.router)
    install_operations(app, database)
    openapi.install(app)
    return app
