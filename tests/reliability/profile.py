"""How hard each reliability test pushes: a short profile for ``make test`` and a long one for
``make reliability`` (``--reliability-long`` or ``WCN_RELIABILITY=long``)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    seed: int
    # 1. crash safety of the PC store
    store_kills: int
    store_kill_max_delay_s: float
    store_children: int  # stores crashed side by side
    # 2. crashes during sync
    sync_crash_rounds: int  # how many times every crash step is run
    server_kills: int
    # 3. a faulty network
    net_pcs: int
    net_rounds: int
    net_fault_rate: float
    # 4. clock faults
    clock_worlds: int
    clock_steps: int
    # 5. server restarts, lost database connections, a full disk
    restarts: int
    restart_pcs: int
    pg_kills: int
    # 6. load
    load_pcs: int
    load_tenants: int
    load_workers: int
    load_seconds: float
    load_clients: int  # client processes the simulated PCs are spread over
    # 7. hostile input
    fuzz_examples: int
    matrix_rounds: int


def _seed(default: int) -> int:
    configured = os.environ.get("WCN_RELIABILITY_SEED", "")
    return int(configured) if configured.isdigit() else default


SHORT = Profile(
    name="short",
    seed=_seed(20_241_126),
    store_kills=10,
    store_kill_max_delay_s=0.25,
    store_children=1,
    sync_crash_rounds=1,
    server_kills=1,
    net_pcs=3,
    net_rounds=6,
    net_fault_rate=0.35,
    clock_worlds=4,
    clock_steps=20,
    restarts=2,
    restart_pcs=3,
    pg_kills=1,
    load_pcs=20,
    load_tenants=4,
    load_workers=2,
    load_seconds=3.0,
    load_clients=1,
    fuzz_examples=60,
    matrix_rounds=1,
)

LONG = Profile(
    name="long",
    seed=_seed(int(time.time()) % 1_000_000),
    store_kills=200,
    store_kill_max_delay_s=0.4,
    store_children=2,
    sync_crash_rounds=4,
    server_kills=6,
    net_pcs=6,
    net_rounds=15,
    net_fault_rate=0.35,
    clock_worlds=20,
    clock_steps=30,
    restarts=8,
    restart_pcs=6,
    pg_kills=10,
    load_pcs=200,
    load_tenants=20,
    load_workers=4,
    load_seconds=45.0,
    load_clients=4,
    fuzz_examples=300,
    matrix_rounds=5,
)


def choose(long: bool) -> Profile:
    return LONG if long or os.environ.get("WCN_RELIABILITY", "") == "long" else SHORT
