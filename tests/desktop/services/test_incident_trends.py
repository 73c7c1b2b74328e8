"""Incident trends on a real enrolled PC store: counts per month and kind for a resident, a unit
and the home, incidents entered in error left out, an amended incident counted once, the falls
summaries, and who may see the home's trends; the counting rule checked with hypothesis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.services.app import DesktopServices
from desktop.services.errors import NotAllowed
from desktop.services.incident_trends import (
    DAY_BANDS,
    build_trends,
    day_band,
    month_starts,
)
from desktop.services.incidents import IncidentInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from desktop.sync.local_changes import Author
from shared import incidents as inc
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def signed_in(services: DesktopServices, server: InProcessServer, role: str) -> DesktopServices:
    services.session.sign_in(server.staff(role).username, DEMO_PASSWORD)
    return services


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    return signed_in(enrol_pc("ward-pc"), wcn_server, "senior_carer")


def report(pc: DesktopServices, resident_id: str, kind: str, ago: dt.timedelta) -> str:
    data = IncidentInput(
        kind=kind,
        description=f"A {kind} for the trends.",
        occurred_at=NOW - ago,
        witnessed=False if kind == "fall" else None,
    )
    return pc.incidents.record(resident_id, data).incident.record_id


def correct(pc: DesktopServices, incident_id: str, how: str, **changes: Any) -> None:
    """An amendment or entered-in-error record of the incident, as a sync would bring it."""
    user = pc.session.require()
    with pc.context.store.write() as conn:
        original = records_repo.get(conn, incident_id)
        assert original is not None
        fields = {**original.fields, **changes, "amends_id": incident_id, "amend_kind": how}
        fields["amend_reason"] = "Recorded against the wrong details."
        pc.context.recorder.create(conn, "incident", fields, Author(user.user_id, user.role))


def month_of(moment: dt.datetime) -> dt.date:
    local = moment.astimezone().date()
    return dt.date(local.year, local.month, 1)


def counts_by_month(trends: Any) -> dict[dt.date, dict[str, int]]:
    return {m.month: {k: n for k, n in m.counts.items() if n} for m in trends.months}


def test_resident_counts_per_month_and_kind(pc: DesktopServices) -> None:
    resident = pc.residents.list_residents()[0].resident_id
    report(pc, resident, "fall", dt.timedelta(days=2))
    report(pc, resident, "fall", dt.timedelta(days=3))
    report(pc, resident, "medication_error", dt.timedelta(days=2))
    report(pc, resident, "skin_damage", dt.timedelta(days=100))
    report(pc, resident, "behaviour", dt.timedelta(days=400))  # older than 12 months

    trends = pc.incident_trends.for_resident(resident, now=NOW)

    assert trends.scope == "resident"
    assert len(trends.months) == 12
    assert trends.months[-1].month == month_of(NOW)
    expected: dict[dt.date, dict[str, int]] = {}
    for kind, days in (("fall", 2), ("fall", 3), ("medication_error", 2), ("skin_damage", 100)):
        month = expected.setdefault(month_of(NOW - dt.timedelta(days=days)), {})
        month[kind] = month.get(kind, 0) + 1
    assert {m: c for m, c in counts_by_month(trends).items() if c} == expected
    assert trends.total == 4
    assert trends.falls_last_30_days == 2
    assert trends.falls_previous_30_days == 0
    assert trends.kinds == tuple(inc.KINDS)
    assert not trends.empty


def test_entered_in_error_left_out_and_amended_counted_once(pc: DesktopServices) -> None:
    resident = pc.residents.list_residents()[0].resident_id
    wrong = report(pc, resident, "fall", dt.timedelta(days=1))
    amended = report(pc, resident, "injury", dt.timedelta(days=1))
    correct(pc, wrong, "entered_in_error")
    correct(pc, amended, "amendment", kind="skin_damage")

    trends = pc.incident_trends.for_resident(resident, now=NOW)

    assert trends.total == 1
    assert sum(m.counts["skin_damage"] for m in trends.months) == 1  # the amended kind
    assert sum(m.counts["injury"] for m in trends.months) == 0
    assert trends.falls_last_30_days == 0


def test_home_and_unit_trends_with_falls_summaries(pc: DesktopServices) -> None:
    residents = pc.residents.list_residents()
    first, second = residents[0], next(r for r in residents if r.unit_id != residents[0].unit_id)
    for days in (1, 10, 80):
        report(pc, first.resident_id, "fall", dt.timedelta(days=days))
    report(pc, first.resident_id, "fall", dt.timedelta(days=45))
    report(pc, second.resident_id, "fall", dt.timedelta(days=5))
    report(pc, second.resident_id, "near_miss", dt.timedelta(days=5))

    home = pc.incident_trends.for_home(now=NOW)
    unit = pc.incident_trends.for_home(first.unit_id, now=NOW)
    mine = pc.incident_trends.for_resident(second.resident_id, now=NOW)

    assert home.scope == "home" and home.total == 6
    assert home.falls_last_30_days == 3  # 1, 10 and 5 days ago
    assert home.falls_previous_30_days == 1  # 45 days ago
    assert [(r.resident_id, r.falls) for r in home.repeat_fallers] == [(first.resident_id, 4)]
    assert sum(n for _, n in home.fall_times) == 5
    assert unit.scope == "unit" and unit.title == first.unit_name and unit.total == 4
    assert mine.total == 2 and mine.falls_last_30_days == 1
    lines = home.summary_lines()
    assert lines[0] == "Falls in the last 30 days: 3, up from 1 in the 30 days before."
    name = home.repeat_fallers[0].name
    assert name.split()[-1] in first.full_name
    assert lines[1] == f"Residents with 2 or more falls in 90 days: {name} (4)."
    assert lines[2].startswith("When falls happened (last 12 months): Night (00:00 to 06:00): ")
    assert (first.unit_id, first.unit_name) in pc.incident_trends.units()


def test_nothing_recorded_is_empty(pc: DesktopServices) -> None:
    trends = pc.incident_trends.for_home(now=NOW)
    assert trends.empty and trends.total == 0
    assert trends.summary_lines()[1] == "No resident has fallen twice or more in the last 90 days."


def test_home_trends_are_for_seniors(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    carer = signed_in(enrol_pc("carer-pc"), wcn_server, "care_assistant")
    resident = carer.residents.list_residents()[0].resident_id
    assert carer.incident_trends.for_resident(resident).total == 0
    assert not carer.incident_trends.may_see_home()
    with pytest.raises(NotAllowed):
        carer.incident_trends.for_home()
    with pytest.raises(NotAllowed):
        carer.incident_trends.units()


def test_month_starts_cross_the_year() -> None:
    starts = month_starts(dt.date(2026, 3, 15))
    assert starts[0] == dt.date(2025, 4, 1) and starts[-1] == dt.date(2026, 3, 1)
    assert len(set(starts)) == 12


# --- the counting rule, on records made here -------------------------------------------------

FIXED_NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def record(number: int, kind: str, hours_ago: int, amends: str | None = None) -> StoredRecord:
    fields: dict[str, Any] = {
        "resident_id": f"r{number % 3}",
        "kind": kind,
        "occurred_at": (FIXED_NOW - dt.timedelta(hours=hours_ago)).isoformat(),
    }
    if amends is not None:
        fields |= {"amends_id": amends, "amend_kind": "amendment"}
    return StoredRecord(
        "incident", f"i{number}", "h", f"r{number % 3}", fields, {}, f"{number:08d}", None,
        None, None, fields["occurred_at"], False,
    )  # fmt: skip


incident_lists = st.lists(
    st.tuples(st.sampled_from(tuple(inc.KINDS)), st.integers(0, 24 * 500), st.booleans()),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(incident_lists)
def test_kind_counts_sum_to_the_total(items: list[tuple[str, int, bool]]) -> None:
    records: list[StoredRecord] = []
    for number, (kind, hours, amend_previous) in enumerate(items):
        amends = (
            f"i{number - 1}"
            if amend_previous and number and not records[-1].fields.get("amends_id")
            else None
        )
        records.append(record(number, kind, hours, amends))
    trends = build_trends("home", "Home", records, {}, FIXED_NOW)

    assert all(sum(m.counts.values()) == m.total for m in trends.months)
    assert trends.total == sum(m.total for m in trends.months)
    originals = [r for r in records if not r.fields.get("amends_id")]
    assert trends.total <= len(originals)
    assert sum(n for _, n in trends.fall_times) == sum(m.counts["fall"] for m in trends.months)
    assert trends.falls_last_30_days + trends.falls_previous_30_days <= len(originals)


def test_day_bands_cover_every_hour() -> None:
    labels = {label for label, _, _ in DAY_BANDS}
    for hour in range(24):
        assert day_band(FIXED_NOW.replace(hour=hour)) in labels
