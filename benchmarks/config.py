"""The sizes of a full run (``make bench``) and a quick one (``make bench-quick``)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    mode: str
    residents: int  # the main home
    days: int  # its history
    per_day: int  # events per resident per day (notes and observations)
    local_writes: int
    push_reps: int
    propagation_reps: int
    open_reps: int
    history_residents: int  # the long-history PC store for resident_open_ms
    history_days: int
    ingest_tenants: int
    ingest_homes: int  # per tenant
    ingest_pcs_per_home: int
    ingest_batches: int  # pushes per PC
    ingest_batch_size: int  # changes per push
    ingest_seed_days: int  # history already on the server before the ingest
    ingest_seconds: float  # no PC starts a new push after this
    cold_start_reps: int
    scaling_residents: tuple[int, ...]
    scaling_days: tuple[int, ...]
    budget_s: float  # the whole run; the scaling series fills what is left

    @property
    def main_events(self) -> int:
        return self.residents * self.days * self.per_day

    @property
    def ingest_pcs(self) -> int:
        return self.ingest_tenants * self.ingest_homes * self.ingest_pcs_per_home


FULL = Sizes(
    mode="full",
    residents=60,
    days=365,
    per_day=23,
    local_writes=1000,
    push_reps=3,
    propagation_reps=40,
    open_reps=20,
    history_residents=6,
    history_days=5 * 365,
    ingest_tenants=5,
    ingest_homes=2,
    ingest_pcs_per_home=5,
    ingest_batches=60,
    ingest_batch_size=50,
    ingest_seed_days=2,
    ingest_seconds=20,
    cold_start_reps=3,
    scaling_residents=(30, 60, 120),
    scaling_days=(365, 2 * 365, 5 * 365),
    budget_s=540,
)

QUICK = Sizes(
    mode="quick",
    residents=6,
    days=7,
    per_day=23,
    local_writes=100,
    push_reps=2,
    propagation_reps=5,
    open_reps=5,
    history_residents=2,
    history_days=60,
    ingest_tenants=2,
    ingest_homes=1,
    ingest_pcs_per_home=5,
    ingest_batches=2,
    ingest_batch_size=10,
    ingest_seed_days=1,
    ingest_seconds=10,
    cold_start_reps=1,
    scaling_residents=(3, 6),
    scaling_days=(7,),
    budget_s=50,
)

# ``make bench-scaling``: only the scaling series, every cell, with a budget of its own (the
# 120-resident, 5-year home alone takes about half an hour on 2 cores). ``make bench`` fills
# the cells it has no time for from this run's file, saying so in the cell's details.
SCALING_BUDGET_S = 2 * 3600


def scaling_only(sizes: Sizes) -> Sizes:
    """``--scaling``: the scaling series of these sizes alone (a quick run keeps its budget)."""
    budget = sizes.budget_s if sizes.mode == "quick" else SCALING_BUDGET_S
    return replace(sizes, mode="scaling", budget_s=budget)


PUSH_RECORDS = 1000  # push_1000_ms: the size of one push batch on a PC
