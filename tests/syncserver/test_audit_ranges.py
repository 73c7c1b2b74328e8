"""The chain checked in batches in one process, or in seq ranges each in a process of its own:
every break is found, and named exactly as the walk in one process names it, wherever it falls
among the batches or ranges (at a boundary, or in the middle of a later one)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from shared.demo_data import DemoProvider
from syncserver import audit, audit_chain, audit_ranges
from syncserver.db.engine import Database

BATCH = 10  # entries a batch here, so the seeded chain spans many batches


@pytest.fixture(params=[1, 2, 3], ids=["one-process", "two-ranges", "three-ranges"])
def workers(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _verify(db: Database, tenant_id: str, workers: int) -> audit.VerifyResult:
    with db.reader.connect() as conn:
        return audit.verify(conn, tenant_id, workers=workers, batch=BATCH, parallel_from=0)


def _first_boundary(db: Database, tenant_id: str, workers: int) -> int:
    """The last entry of the first batch (one process) or of the first range (a pool)."""
    if workers == 1:
        return BATCH
    entries = _verify(db, tenant_id, 1).entries
    return -(-entries // workers)


def _raw(db: Database, statement: str, **params: object) -> None:
    with db.writer.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_an_untouched_chain_verifies_in_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    whole = _verify(seeded_db, demo_provider.tenant_id, 1)
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert result.ok, result.reason
    assert result == whole and result.entries > 5 * BATCH


@pytest.mark.parametrize("offset", [0, 1, 4, -3])
def test_a_change_in_a_later_batch_or_range_is_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, offset: int
) -> None:
    # At the first boundary (its last entry, the next one's first), inside the second batch or
    # range, and inside the first.
    victim = _first_boundary(seeded_db, demo_provider.tenant_id, workers) + offset
    _raw(
        seeded_db,
        "UPDATE audit_log SET detail = '{\"forged\": true}' WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=victim,
    )
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert (result.first_bad_seq, result.reason) == (victim, f"entry {victim} was changed")
    assert result.entries == victim


@pytest.mark.parametrize("offset", [0, 1, 3])
def test_a_removed_entry_at_a_boundary_is_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, offset: int
) -> None:
    victim = _first_boundary(seeded_db, demo_provider.tenant_id, workers) + offset
    _raw(
        seeded_db,
        "DELETE FROM audit_log WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=victim,
    )
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert (result.first_bad_seq, result.reason) == (victim, f"entry {victim} is missing")


@pytest.mark.parametrize("offset", [0, 4])
def test_reordered_entries_are_named_across_and_within_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, offset: int
) -> None:
    # Entries ``first`` and the next swap places (at offset 0, across the first boundary);
    # each keeps its own hashes.
    tenant = demo_provider.tenant_id
    first = _first_boundary(seeded_db, tenant, workers) + offset
    swap = "UPDATE audit_log SET seq = :new WHERE tenant_id = :t AND seq = :old"
    _raw(seeded_db, swap, t=tenant, old=first, new=-1)
    _raw(seeded_db, swap, t=tenant, old=first + 1, new=first)
    _raw(seeded_db, swap, t=tenant, old=-1, new=first + 1)
    result = _verify(seeded_db, tenant, workers)
    assert (result.first_bad_seq, result.reason) == (
        first,
        f"entry {first} does not follow entry {first - 1}",
    )


def test_only_the_first_of_several_breaks_is_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    tenant = demo_provider.tenant_id
    boundary = _first_boundary(seeded_db, tenant, workers)
    later, earlier = boundary + 5, boundary - 2
    _raw(seeded_db, "DELETE FROM audit_log WHERE tenant_id = :t AND seq = :s", t=tenant, s=later)
    _raw(
        seeded_db,
        "UPDATE audit_log SET action = 'x' WHERE tenant_id = :t AND seq = :s",
        t=tenant,
        s=earlier,
    )
    result = _verify(seeded_db, tenant, workers)
    assert (result.first_bad_seq, result.reason) == (earlier, f"entry {earlier} was changed")
    assert result.entries == earlier


def test_removed_newest_entries_are_found_in_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    tenant = demo_provider.tenant_id
    last = _verify(seeded_db, tenant, 1).entries
    keep = last - 7 if workers > 1 else (last // BATCH) * BATCH  # back to a boundary
    _raw(seeded_db, "DELETE FROM audit_log WHERE tenant_id = :t AND seq > :s", t=tenant, s=keep)
    result = _verify(seeded_db, tenant, workers)
    assert (result.entries, result.first_bad_seq) == (keep, keep + 1)
    assert result.reason == f"entries after {keep} were removed"


def test_a_changed_time_is_named_in_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    at = "at - INTERVAL '1' DAY" if not seeded_db.is_sqlite else "'2001-01-01 00:00:00.000000'"
    _raw(
        seeded_db,
        f"UPDATE audit_log SET at = {at} WHERE tenant_id = :t AND seq = 33",
        t=demo_provider.tenant_id,
    )
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert (result.first_bad_seq, result.reason) == (33, "entry 33 was changed")


def test_entries_moved_before_the_first_are_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    tenant = demo_provider.tenant_id
    _raw(seeded_db, "UPDATE audit_log SET seq = -1 WHERE tenant_id = :t AND seq = 1", t=tenant)
    result = _verify(seeded_db, tenant, workers)
    assert (result.entries, result.first_bad_seq, result.reason) == (1, 1, "entry 1 is missing")


def test_a_range_that_ends_short_names_the_next_entry_missing(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    # The last entries of the first range (or batch) are gone, and the second range's first.
    tenant = demo_provider.tenant_id
    boundary = _first_boundary(seeded_db, tenant, workers)
    _raw(
        seeded_db,
        "DELETE FROM audit_log WHERE tenant_id = :t AND seq BETWEEN :a AND :b",
        t=tenant,
        a=boundary - 2,
        b=boundary + 1,
    )
    result = _verify(seeded_db, tenant, workers)
    assert (result.entries, result.first_bad_seq) == (boundary - 2, boundary - 2)
    assert result.reason == f"entry {boundary - 2} is missing"


def test_a_pool_reads_the_chain_in_ranges(
    seeded_db: Database, demo_provider: DemoProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked: list[audit_chain.Walked] = []
    original = audit_ranges.walk_ranges

    def spy(*args: Any) -> audit_chain.Walked:
        walked.append(original(*args))
        return walked[-1]

    monkeypatch.setattr(audit_ranges, "walk_ranges", spy)
    result = _verify(seeded_db, demo_provider.tenant_id, 2)
    assert result.ok and len(walked) == 1 and walked[0].entries == result.entries
