"""Pulling: a PC receives its home's records after its cursor, page by page, each exactly
once, even while other PCs push at the same time."""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver.db.engine import Database
from syncserver.db.tables import records
from tests.helpers.server import (
    ChangeMaker,
    Enrol,
    EnrolledDevice,
    pull,
    pull_all,
    push_ok,
    residents_of,
    staff_of,
    stored_record,
)


def _scope_ids(db: Database, tenant_id: str, home_id: str) -> set[str]:
    with db.reader.connect() as conn:
        return set(
            conn.execute(
                sa.select(records.c.record_id).where(
                    records.c.tenant_id == tenant_id,
                    sa.or_(records.c.home_id == home_id, records.c.home_id.is_(None)),
                )
            ).scalars()
        )


def test_a_note_from_one_pc_reaches_the_other_pcs_of_its_home_only(
    client: TestClient,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
    pc_b: EnrolledDevice,
) -> None:
    home_a = pc_a.home_id
    _, cursor_a2 = pull_all(client, pc_a2.headers)
    _, cursor_b = pull_all(client, pc_b.headers)
    carer = staff_of(demo_provider, "care_assistant", home_a)
    note = ChangeMaker().note(residents_of(demo_provider, home_a)[0].record_id, carer.user_id)
    pushed = push_ok(client, pc_a.headers, [note])

    records_a2, new_cursor = pull_all(client, pc_a2.headers, cursor_a2)
    assert [(r.entity, r.record_id) for r in records_a2] == [("care_note", note.record_id)]
    got = records_a2[0]
    assert got.fields == note.fields
    assert (got.home_id, got.user_id, got.device_id) == (home_a, carer.user_id, pc_a.device_id)
    assert got.versions == {name: f"{note.hlc}|{note.change_id}" for name in note.fields}
    assert new_cursor == pushed.server_seq

    records_b, _ = pull_all(client, pc_b.headers, cursor_b)
    assert records_b == []


def test_a_pc_pulls_exactly_its_home_and_the_providers_staff(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    home_a, home_b = (h.record_id for h in demo_provider.homes)
    pulled, _ = pull_all(client, pc_a.headers)
    ids = [r.record_id for r in pulled]
    assert len(ids) == len(set(ids))
    assert set(ids) == _scope_ids(seeded_db, demo_provider.tenant_id, home_a)
    assert {r.home_id for r in pulled} == {home_a, None}
    by_entity = Counter(r.entity for r in pulled)
    assert by_entity["home"] == 1
    assert by_entity["resident"] == len(residents_of(demo_provider, home_a))
    assert by_entity["staff_user"] == len(demo_provider.staff)  # staff are provider-wide
    assert not {r.record_id for r in residents_of(demo_provider, home_b)} & set(ids)
    assert not {r.record_id for r in other_provider.residents} & set(ids)


def test_paging_returns_every_record_once_in_sequence_order(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    everything, _ = pull_all(client, pc_a.headers)
    pages = 0
    cursor = 0
    seen = []
    while True:
        page = pull(client, pc_a.headers, cursor, limit=7)
        pages += 1
        assert page.cursor >= cursor
        seen.extend(page.records)
        cursor = page.cursor
        if not page.has_more:
            assert page.scope_count == len(everything)
            break
        assert len(page.records) == 7 and page.scope_count is None
    assert pages == len(everything) // 7 + 1
    assert [r.record_id for r in seen] == [r.record_id for r in everything]
    seqs = [r.server_seq for r in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    again = pull(client, pc_a.headers, cursor)
    assert (again.records, again.has_more, again.cursor) == ([], False, cursor)


def test_a_changed_record_comes_again_after_the_cursor(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    _, cursor = pull_all(client, pc_a.headers)
    resident = residents_of(demo_provider, home_a)[1].record_id
    stored = stored_record(seeded_db, demo_provider.tenant_id, resident)
    assert stored is not None
    carer = staff_of(demo_provider, "care_assistant", home_a).user_id
    push_ok(
        client,
        pc_a.headers,
        [
            ChangeMaker().update(
                "resident", resident, carer, {"diet": "Pureed"}, {"diet": stored.versions["diet"]}
            )
        ],
    )
    changed, _ = pull_all(client, pc_a.headers, cursor)
    assert [(r.record_id, r.fields["diet"]) for r in changed] == [(resident, "Pureed")]


def test_a_cursor_ahead_of_the_server_is_kept(client: TestClient, pc_a: EnrolledDevice) -> None:
    page = pull(client, pc_a.headers, cursor=10**9)
    assert (page.records, page.has_more, page.cursor) == ([], False, 10**9)


def test_concurrent_pushes_never_make_a_puller_skip_a_record(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    enrol: Enrol,
    home_a: str,
) -> None:
    """Several PCs push while another pulls with its cursor: the puller must see each record
    exactly once. (On PostgreSQL, sequence numbers committed out of order would make the
    puller jump past one for ever.)"""
    pushers, batches, per_batch = 4, 6, 5
    puller = enrol(home_a, "Puller")
    pcs = [enrol(home_a, f"Pusher {i}") for i in range(pushers)]
    carers = [s.user_id for s in demo_provider.staff if home_a in s.home_ids]
    residents = [r.record_id for r in residents_of(demo_provider, home_a)]
    _, start_cursor = pull_all(client, puller.headers)
    start = threading.Barrier(pushers + 1)
    pushing_done = threading.Event()
    failures: list[BaseException] = []
    pushed: list[str] = []
    seen: list[tuple[int, str]] = []

    def push_batches(index: int, pc: EnrolledDevice) -> None:
        try:
            maker = ChangeMaker(f"pusher{index}")
            start.wait()
            for b in range(batches):
                batch = [
                    maker.note(residents[(b + n) % len(residents)], carers[index % len(carers)])
                    for n in range(per_batch)
                ]
                push_ok(client, pc.headers, batch)
                pushed.extend(c.record_id for c in batch)
        except BaseException as exc:  # reported after the join
            failures.append(exc)
            start.abort()

    def pull_repeatedly() -> None:
        try:
            cursor = start_cursor
            start.wait()
            while True:
                finished = pushing_done.is_set()  # read before the pull, so none is missed
                page = pull(client, puller.headers, cursor, limit=4)
                seen.extend((r.server_seq, r.record_id) for r in page.records)
                assert page.cursor >= cursor
                cursor = page.cursor
                if finished and not page.has_more:
                    return
        except BaseException as exc:
            failures.append(exc)
            start.abort()

    threads = [threading.Thread(target=push_batches, args=(i, pc)) for i, pc in enumerate(pcs)]
    reader = threading.Thread(target=pull_repeatedly)
    for thread in [*threads, reader]:
        thread.start()
    for thread in threads:
        thread.join()
    pushing_done.set()
    reader.join()

    assert failures == []
    assert len(pushed) == pushers * batches * per_batch
    seen_ids = [record_id for _, record_id in seen]
    assert sorted(seen_ids) == sorted(pushed)  # every pushed note, each exactly once
    seqs = [seq for seq, _ in seen]
    assert seqs == sorted(seqs)  # never backwards, so never a lower number after a higher
