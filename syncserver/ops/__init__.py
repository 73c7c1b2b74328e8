"""Operations plumbing of the server app: request ids, structured access logs and Prometheus
metrics (``/metrics``). ``install`` wires them into an app made by ``create_app``."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from syncserver.db.engine import Database
from syncserver.ops.metrics import ServerMetrics
from syncserver.ops.middleware import RequestOps

__all__ = ["ServerMetrics", "install", "metrics_of"]


def metrics_of(app: FastAPI) -> ServerMetrics:
    metrics: ServerMetrics = app.state.wcn_metrics
    return metrics


def install(app: FastAPI, db: Database) -> None:
    metrics = ServerMetrics(db)
    app.state.wcn_metrics = metrics
    app.add_middleware(RequestOps, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    def _metrics(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
