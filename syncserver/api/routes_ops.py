"""Operations endpoints for load balancers and monitoring."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shared.protocol import OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION, StatusResponse
from syncserver import __version__
from syncserver.api.deps import state_of
from syncserver.db import migrate
from syncserver.db.engine import check_reachable
from syncserver.errors import ConfigError

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(request: Request) -> JSONResponse | dict[str, str]:
    db = state_of(request).db
    try:
        check_reachable(db)
        migrate.check_current(db)
    except ConfigError as exc:
        return JSONResponse({"status": "not_ready", "reason": exc.message}, status_code=503)
    return {"status": "ready"}


@router.get("/v1/status")
def status() -> StatusResponse:
    return StatusResponse(
        status="ok",
        server_version=__version__,
        protocol=PROTOCOL_VERSION,
        oldest_protocol=OLDEST_SUPPORTED_PROTOCOL,
    )
