"""Prometheus metrics of one server process, served at ``/metrics``.

Counters and histograms are per process (scrape every process); the device gauges are read
from the database at scrape time, so every process reports the same, whole-server figures.
Labels carry route templates, methods and status codes only: never ids or names.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from syncserver import __version__
from syncserver.db.engine import Database
from syncserver.db.tables import devices

log = logging.getLogger(__name__)

ACTIVE_WINDOW = dt.timedelta(minutes=15)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _DeviceCollector(Collector):
    """PCs enrolled (by status) and PCs seen in the last 15 minutes, from the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterable[Metric]:
        since = dt.datetime.now(dt.UTC) - ACTIVE_WINDOW
        try:
            with self._db.reader.connect() as conn:
                by_status = conn.execute(
                    sa.select(devices.c.status, sa.func.count()).group_by(devices.c.status)
                ).all()
                active = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(devices)
                    .where(devices.c.status == "active", devices.c.last_seen_at >= since)
                ).scalar_one()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("metrics: the device counts could not be read (%s)", type(exc).__name__)
            return
        enrolled = GaugeMetricFamily(
            "wcn_devices_enrolled", "PCs enrolled, by status", labels=["status"]
        )
        for status, count in by_status:
            enrolled.add_metric([str(status)], float(count))
        yield enrolled
        yield GaugeMetricFamily(
            "wcn_devices_active",
            "Active PCs that reached the server in the last 15 minutes",
            value=float(active),
        )


class ServerMetrics:
    """The metrics one app instance keeps, in a registry of its own (so several apps in one
    process, as in tests, never collide)."""

    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "wcn_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "wcn_http_request_duration_seconds",
            "Time to answer an HTTP request (live-update streams excluded)",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sync_batches = Counter(
            "wcn_sync_push_batches", "Push batches accepted from PCs", registry=r
        )
        self.changes_ingested = Counter(
            "wcn_sync_changes_ingested", "Changes from PCs merged into the records", registry=r
        )
        self.duplicates = Counter(
            "wcn_sync_changes_duplicate",
            "Changes a PC sent again (a retried batch) and the server already had",
            registry=r,
        )
        self.review_items = Counter(
            "wcn_review_items_raised",
            "Review items raised: same-field conflicts and safety rules",
            registry=r,
        )
        self.pulls = Counter("wcn_sync_pulls", "Pull requests answered", registry=r)
        self.live_streams = Gauge(
            "wcn_live_streams", "Live-update streams open on this process", registry=r
        )
        info = Gauge("wcn_build_info", "Server version", ["version"], registry=r)
        info.labels(__version__).set(1)
        r.register(_DeviceCollector(db))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        if route != "/v1/sync/live":
            self.latency.labels(method, route).observe(seconds)

    def observe_push(self, applied: int, duplicates: int, review_items: int) -> None:
        self.sync_batches.inc()
        self.changes_ingested.inc(applied)
        self.duplicates.inc(duplicates)
        self.review_items.inc(review_items)
