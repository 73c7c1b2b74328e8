"""6. Load: N simulated PCs (real encrypted stores, the real sync engine) across M tenants
syncing for a bounded time against one server running several uvicorn worker processes, on
SQLite and on PostgreSQL. No errors, no 5xx, nothing lost or duplicated, no record of one
tenant on another tenant's PC; request latencies recorded (p50/p95/p99)."""

from __future__ import annotations

import json
import random
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa

from desktop.services.context import AppContext
from syncserver.db.tables import devices, records
from tests.helpers.server import open_migrated
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.app_factory import count_logged
from tests.reliability.processes import (
    LAUNCH,
    ROOT,
    child_env,
    uvicorn_server,
    wait_until,
)
from tests.reliability.profile import Profile
from tests.reliability.results import Result, percentile
from tests.reliability.world import (
    RetryStats,
    Tally,
    check_tenant,
    issue_code,
    replica,
    sync_with_retry,
    tenant_of_records,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return ""
    return REDIS_URL


@pytest.mark.short_backends("postgres")
def test_many_pcs_many_tenants_under_load(
    server_url: str, tmp_path: Path, profile: Profile, rng: random.Random, result: Result
) -> None:
    db = open_migrated(server_url)
    tenants = [make_tenant(db, residents=3) for _ in range(profile.load_tenants)]
    key_dir = tmp_path / "keys"
    five_xx = tmp_path / "5xx.log"
    server = uvicorn_server(
        server_url,
        tmp_path / "server.log",
        profile.load_workers,
        five_xx,
        WCN_REDIS_URL=_redis_url(),
        # Every simulated PC enrols from 127.0.0.1 within seconds; a real provider's PCs
        # enrol over days. The per-address sign-in limit would refuse most of them.
        WCN_SIGNIN_ATTEMPTS_PER_IP_PER_MINUTE="100000",
    )
    specs: list[dict[str, Any]] = []
    for index in range(profile.load_pcs):
        tenant = tenants[index % len(tenants)]
        specs.append(
            {
                "name": f"pc{index}",
                "data_dir": str(tmp_path / f"pc{index}"),
                "code": issue_code(db, tenant.tenant_id, tenant.home_id),
                "tenant_id": tenant.tenant_id,
                "home_id": tenant.home_id,
                "users": tenant.users,
                "residents": tenant.residents,
            }
        )
    clients = []
    go = tmp_path / "go"
    outputs: list[dict[str, Any]] = []
    server.start()
    try:
        for index in range(profile.load_clients):
            plan = {
                "server_url": server.url,
                "key_dir": str(key_dir),
                "seconds": profile.load_seconds,
                "seed": rng.randrange(1 << 30),
                "threads": 4,
                "go_file": str(go),
                "ready_file": str(tmp_path / f"ready{index}"),
                "out_file": str(tmp_path / f"out{index}.json"),
                "pcs": specs[index :: profile.load_clients],
            }
            plan_path = tmp_path / f"plan{index}.json"
            plan_path.write_text(json.dumps(plan), "utf-8")
            log = (tmp_path / f"client{index}.log").open("wb")
            clients.append(
                (
                    subprocess.Popen(
                        [*LAUNCH, "-m", "tests.reliability.load_client", str(plan_path)],
                        cwd=ROOT,
                        env=child_env(),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                )
            )
        ready = [tmp_path / f"ready{i}" for i in range(profile.load_clients)]
        wait_until(
            lambda: all(r.exists() for r in ready) or any(p.poll() is not None for p, _ in clients),
            600,
            "the load clients to enrol their PCs",
        )
        go.write_text("go", "utf-8")
        for proc, log in clients:
            proc.wait(timeout=profile.load_seconds + 600)
            log.close()
        for index, (proc, _log) in enumerate(clients):
            assert proc.returncode == 0, (tmp_path / f"client{index}.log").read_text()[-3000:]
            outputs.append(json.loads((tmp_path / f"out{index}.json").read_text("utf-8")))

        # Everyone has pushed; every PC now catches up, then each is compared with the server.
        tally = Tally()
        stats = RetryStats()
        leaks = 0
        owner = tenant_of_records(db)
        by_tenant: dict[str, list[dict[str, Any]]] = {}
        for out in outputs:
            for pc in out["pcs"]:
                by_tenant.setdefault(pc["tenant_id"], []).append(pc)
        with httpx.Client(timeout=60.0) as http:
            for tenant in tenants:
                replicas = []
                saved: list[str] = []
                for pc in by_tenant.get(tenant.tenant_id, []):
                    saved += pc["notes"]
                    context = AppContext.open(Path(pc["data_dir"]), key_dir=str(key_dir), http=http)
                    try:
                        sync_with_retry(context, rng, stats=stats)
                        state = replica(context)
                    finally:
                        context.close()
                    leaks += sum(1 for rid in state if owner.get(rid) != tenant.tenant_id)
                    replicas.append((pc["name"], tenant.home_id, state))
                tally.add(check_tenant(db, tenant, saved, replicas))
        leaks += _server_side_leaks(db, tenants)
    finally:
        for proc, log in clients:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            log.close()
        server.terminate()
        db.dispose()

    latencies = [ms for out in outputs for values in out["latencies_ms"].values() for ms in values]
    statuses: Counter[str] = Counter()
    for out in outputs:
        statuses.update(out["statuses"])
    errors = [e for out in outputs for pc in out["pcs"] for e in pc["errors"]]
    elapsed = max(out["elapsed_s"] for out in outputs)
    per_endpoint = {}
    for path in sorted({p for out in outputs for p in out["latencies_ms"]}):
        values = [ms for out in outputs for ms in out["latencies_ms"].get(path, [])]
        per_endpoint[path] = {
            "requests": len(values),
            "p50_ms": percentile(values, 0.50),
            "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99),
        }
    result.trials = sum(pc["syncs"] for out in outputs for pc in out["pcs"])
    result.written = tally.written
    result.lost, result.duplicates, result.divergent = tally.lost, tally.duplicates, tally.divergent
    result.leaks = leaks
    result.http_5xx = count_logged(five_xx) + sum(
        n for status, n in statuses.items() if int(status) >= 500
    )
    result.p99_ms = percentile(latencies, 0.99)
    result.details.update(
        {
            "pcs": profile.load_pcs,
            "tenants": profile.load_tenants,
            "workers": profile.load_workers,
            "seconds": round(elapsed, 1),
            "requests": len(latencies),
            "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
            "p50_ms": percentile(latencies, 0.50),
            "p95_ms": percentile(latencies, 0.95),
            "per_endpoint": per_endpoint,
            "statuses": dict(statuses),
            "sync_errors": errors[:10],
            "sync_error_count": len(errors),
            "problems": tally.problems[:10],
        }
    )
    assert not errors, errors[:5]
    result.check_zero()


def _server_side_leaks(db: Any, tenants: list[Tenant]) -> int:
    """Records stored under one tenant but written by a device of another."""
    with db.reader.connect() as conn:
        device_tenant = {
            r.id: r.tenant_id for r in conn.execute(sa.select(devices.c.id, devices.c.tenant_id))
        }
        rows = conn.execute(
            sa.select(records.c.tenant_id, records.c.device_id).where(
                records.c.device_id.is_not(None)
            )
        ).all()
    return sum(1 for r in rows if device_tenant.get(r.device_id) not in (None, r.tenant_id))
