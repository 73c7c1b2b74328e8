"""The chain checked in batches, in one process or in a pool of them: every break is found,
and named, exactly as the walk in one process names it, wherever it falls among the batches."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.demo_data import DemoProvider
from syncserver import audit
from syncserver.db.engine import Database

BATCH = 10  # entries a batch here, so the seeded chain spans many batches


@pytest.fixture(params=[1, 2], ids=["one-process", "pool"])
def workers(request: pytest.FixtureRequest) -> int:
    return int(request.param)


def _verify(db: Database, tenant_id: str, workers: int) -> audit.VerifyResult:
    with db.reader.connect() as conn:
        return audit.verify(conn, tenant_id, workers=workers, batch=BATCH)


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


@pytest.mark.parametrize("victim", [BATCH + BATCH // 2, BATCH, BATCH + 1, 4 * BATCH])
def test_a_change_in_a_later_batch_is_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, victim: int
) -> None:
    _raw(
        seeded_db,
        "UPDATE audit_log SET detail = '{\"forged\": true}' WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=victim,
    )
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert (result.first_bad_seq, result.reason) == (victim, f"entry {victim} was changed")
    assert result.entries == victim


@pytest.mark.parametrize("victim", [BATCH, BATCH + 1, 2 * BATCH + 3])
def test_a_removed_entry_at_a_batch_boundary_is_named(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, victim: int
) -> None:
    _raw(
        seeded_db,
        "DELETE FROM audit_log WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=victim,
    )
    result = _verify(seeded_db, demo_provider.tenant_id, workers)
    assert (result.first_bad_seq, result.reason) == (victim, f"entry {victim} is missing")


@pytest.mark.parametrize("first", [BATCH, 2 * BATCH + 4])
def test_reordered_entries_are_named_across_and_within_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int, first: int
) -> None:
    # Entries ``first`` and the next swap places (with seq 10 and batches of 10, across a
    # boundary); each keeps its own hashes.
    tenant = demo_provider.tenant_id
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
    _raw(seeded_db, "DELETE FROM audit_log WHERE tenant_id = :t AND seq = 45", t=tenant)
    _raw(seeded_db, "UPDATE audit_log SET action = 'x' WHERE tenant_id = :t AND seq = 23", t=tenant)
    result = _verify(seeded_db, tenant, workers)
    assert (result.first_bad_seq, result.reason) == (23, "entry 23 was changed")


def test_removed_newest_entries_are_found_in_batches(
    seeded_db: Database, demo_provider: DemoProvider, workers: int
) -> None:
    tenant = demo_provider.tenant_id
    last = _verify(seeded_db, tenant, 1).entries
    keep = (last // BATCH) * BATCH  # remove back to a batch boundary
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
