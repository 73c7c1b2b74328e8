"""Pulled pages on a PC: an app that speaks protocol 3 and one limited to an older version
store the same records, and a page the PC cannot read is refused with nothing of it kept
(neither its records nor the cursor)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import pytest

from desktop.services.app import DesktopServices
from desktop.store import meta
from desktop.store import records as records_repo
from desktop.sync.client import SyncClient
from desktop.sync.engine import SyncEngine
from desktop.sync.errors import ServerRefused
from desktop.sync.local_changes import Author
from shared.ids import new_id
from shared.pull_page import LivePage, PulledRow, PullPage, encode_live_page, encode_pull_page
from tests.desktop.conftest import InProcessServer


def _records(services: DesktopServices) -> list[tuple[Any, ...]]:
    with services.context.store.read() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT record_id, entity, home_id, resident_id, json(fields), json(versions), "
                "hlc, server_seq, user_id, device_id, occurred_at, pending FROM records "
                "ORDER BY record_id"
            )
        ]


@pytest.mark.parametrize("protocol", [1, 2])
def test_an_older_protocol_stores_the_same_records(
    enrol_pc: Callable[[str], DesktopServices], protocol: int
) -> None:
    current = enrol_pc("current-pc")
    older = enrol_pc("older-pc")
    context = older.context
    with context.store.write() as conn:
        conn.exec_driver_sql("DELETE FROM records")
        meta.put(conn, "cursor", 0)
    client = context.client()
    client.max_protocol = protocol
    assert client.hello().protocol == protocol
    pulled, repaired = SyncEngine(context.store, client, context.recorder, context.clock).pull()
    assert (pulled > 0, repaired) == (True, False)
    assert _records(older) == _records(current)
    assert any(r[10] is not None for r in _records(current)), "events carry occurred_at"


class _OnePage:
    """Stands in for the server: answers every pull with the same page."""

    def __init__(self, page: PullPage) -> None:
        self.page = page

    def pull(self, cursor: int, limit: int, *, count_scope: bool = True) -> PullPage:
        return self.page


def _note_row(seq: int, fields: str, versions: str) -> PulledRow:
    return (
        new_id(),
        "care_note",
        None,
        None,
        fields,
        versions,
        "001795694400000-00000-pc",
        seq,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("fields", "versions"),
    [
        ('{"text": "x"', '{"text": "v"}'),
        ('["text"]', '{"text": "v"}'),
        ('{"text": "x"}', '{"text": 1}'),
        ('{"text": "x"}', '"v"'),
    ],
    ids=["fields_cut_off", "fields_not_an_object", "version_not_text", "versions_not_an_object"],
)
def test_a_page_with_malformed_records_is_refused_and_nothing_of_it_kept(
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    fields: str,
    versions: str,
) -> None:
    services = enrol_pc("ward-pc")
    context = services.context
    before = _records(services)
    with context.store.read() as conn:
        cursor = meta.get(conn, "cursor")
    good = '{"text": "fine", "occurred_at": "2026-11-26T10:00:00+00:00"}'
    rows = [
        _note_row(cursor + 1, good, '{"text": "v", "occurred_at": "v"}'),
        _note_row(cursor + 2, fields, versions),
    ]
    page = PullPage(3, rows, cursor + 2, False, cursor + 2, None)
    engine = SyncEngine(
        context.store, cast(SyncClient, _OnePage(page)), context.recorder, context.clock
    )
    with pytest.raises(ServerRefused) as refused:
        engine.pull(check=False)
    assert refused.value.code == "bad_reply"
    assert _records(services) == before
    with context.store.read() as conn:
        assert meta.get(conn, "cursor") == cursor


class _NoPull:
    """Stands in for the server where nothing may be pulled."""

    def pull(self, cursor: int, limit: int, *, count_scope: bool = True) -> PullPage:
        raise AssertionError("pulled although the notification carried the changes")


def _note_fields() -> tuple[str, str]:
    fields = '{"text": "Asked for tea.", "occurred_at": "2026-11-26T10:00:00+00:00"}'
    versions = '{"text": "v", "occurred_at": "v"}'
    return fields, versions


@pytest.mark.parametrize("offset", [0, -1, 1], ids=["at_cursor", "behind", "ahead"])
def test_notified_changes_are_applied_only_where_they_follow_on(
    enrol_pc: Callable[[str], DesktopServices], offset: int
) -> None:
    services = enrol_pc("ward-pc")
    context = services.context
    with context.store.read() as conn:
        cursor = int(meta.get(conn, "cursor"))
    row = _note_row(cursor + 5, *_note_fields())
    notified = LivePage(cursor + offset, PullPage(3, [row], cursor + 5, False, cursor + 5))
    engine = SyncEngine(context.store, cast(SyncClient, _NoPull()), context.recorder, context.clock)
    applied = engine.apply_notified(notified)
    with context.store.read() as conn:
        stored = records_repo.get(conn, row[0])
        now_at = meta.get(conn, "cursor")
    if offset == 0:
        assert applied == 1
        assert stored is not None and stored.occurred_at == "2026-11-26T10:00:00+00:00"
        assert now_at == cursor + 5
    else:
        assert (applied, stored, now_at) == (None, None, cursor)


def test_a_live_notice_is_applied_or_pulled(
    enrol_pc: Callable[[str], DesktopServices],
) -> None:
    """Through the service the live listener calls: a notice carrying the next changes is
    applied; a plain one, or one from elsewhere, makes the PC pull (here: nothing new)."""
    services = enrol_pc("ward-pc")
    with services.context.store.read() as conn:
        cursor = int(meta.get(conn, "cursor"))
    row = _note_row(cursor + 1, *_note_fields())
    page = encode_pull_page(
        3, [row], cursor=cursor + 1, has_more=False, server_seq=cursor + 1, scope_count=None
    )
    assert services.sync.take_notice(encode_live_page(cursor + 1, cursor, page)).pulled == 1
    assert services.sync.take_notice(json.dumps({"server_seq": cursor + 1})).pulled == 0
    assert services.sync.take_notice(encode_live_page(cursor + 1, cursor - 1, page)).pulled == 0
    assert services.sync.take_notice('{"server_seq": 1, "from": 1, "page": []}').pulled == 0


def _note_from(services: DesktopServices, wcn_server: InProcessServer) -> str:
    """A note made on ``services``'s PC and pushed."""
    carer = wcn_server.staff("care_assistant")
    fields = {
        "resident_id": wcn_server.residents()[0].record_id,
        "category": "general",
        "text": "Asked for tea.",
        "details": None,
        "occurred_at": "2026-11-26T10:00:00+00:00",
    }
    with services.context.store.write() as conn:
        note = services.context.recorder.create(
            conn, "care_note", fields, Author(carer.user_id, carer.role)
        )
    assert services.context.sync_engine().push() == 1
    return note.record_id


def _lose_one_record(services: DesktopServices) -> str:
    with services.context.store.write() as conn:
        lost = str(
            conn.exec_driver_sql(
                "SELECT record_id FROM records WHERE entity = 'resident' LIMIT 1"
            ).scalar_one()
        )
        conn.exec_driver_sql("DELETE FROM records WHERE record_id = ?", (lost,))
    return lost


@pytest.mark.parametrize(
    ("lose", "news"),
    [(True, False), (True, True), (False, True)],
    ids=["lost_nothing_new", "lost_a_note_meanwhile", "a_note_meanwhile"],
)
def test_a_record_lost_on_the_pc_is_found_and_pulled_again(
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    lose: bool,
    news: bool,
) -> None:
    """The integrity count after a full pull, whether it was counted at the end or carried
    forward through a short catch-up (which must not see a loss where there is none); a live
    pull does not check."""
    ward = enrol_pc("ward-pc")
    office = enrol_pc("office-pc")
    lost = _lose_one_record(ward) if lose else None
    engine = ward.context.sync_engine()
    assert engine.pull(check=False) == (0, False)
    note = _note_from(office, wcn_server) if news else None
    pulled, repaired = engine.pull()
    assert repaired == lose
    assert pulled >= (1 if news else 0)
    with ward.context.store.read() as conn:
        assert lost is None or records_repo.get(conn, lost) is not None
        assert note is None or records_repo.get(conn, note) is not None
    assert engine.pull() == (0, False)


def test_what_a_page_adds_to_the_count_of_synced_records(
    enrol_pc: Callable[[str], DesktopServices],
) -> None:
    ward = enrol_pc("ward-pc")
    with ward.context.store.read() as conn:
        held = str(conn.exec_driver_sql("SELECT record_id FROM records LIMIT 1").scalar_one())
        fresh = new_id()
        assert records_repo.count_not_synced(conn, [held, fresh, fresh, new_id()]) == 2
        assert records_repo.count_not_synced(conn, []) == 0
