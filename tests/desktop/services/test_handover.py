"""The handover service on a real enrolled PC store: the shift's notes by category, the shift
boundaries, low fluids, NEWS2 of 5 or more or a single 3, falls and incidents, PRN doses and
refusals, reviews due, entered-in-error records left out and amendments shown as they stand,
remarks with their author, and the PDF's content. The shifts themselves are pure and checked
with hypothesis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NotSignedIn
from desktop.services.handover import (
    FlagKind,
    HandoverReport,
    ResidentHandover,
    ShiftKind,
    day_shift,
    default_shift,
    handover_pdf,
    last_hours,
    night_shift,
    shift_at,
)
from desktop.services.handover.report import current_versions
from desktop.services.incidents import IncidentInput
from desktop.services.medication import PrescriptionInput
from desktop.services.residents import ResidentSummary
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from desktop.sync.local_changes import Author
from shared.demo_data import DEMO_PASSWORD
from shared.medication.scheduling import UK
from tests.desktop.conftest import InProcessServer
from tests.desktop.services.test_medication import pdf_text

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = NOW.astimezone(UK).date() - dt.timedelta(days=10)  # before the demo's notes
SHIFT = day_shift(DAY)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """A UK wall-clock time on ``day``, in UTC (as the services store it)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UK).astimezone(dt.UTC)


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return services


@pytest.fixture
def resident(pc: DesktopServices) -> ResidentSummary:
    return pc.residents.list_residents()[0]


def record(pc: DesktopServices, entity: str, fields: dict[str, Any]) -> str:
    """A record written straight through the change recorder (as another screen would)."""
    user = pc.session.require()
    with pc.context.store.write() as conn:
        made = pc.context.recorder.create(conn, entity, fields, Author(user.user_id, user.role))
    return made.record_id


def observation(
    pc: DesktopServices, resident_id: str, values: dict[str, Any], when: dt.datetime, **extra: Any
) -> str:
    fields = {"resident_id": resident_id, "values": values, "occurred_at": when.isoformat()}
    return record(pc, "observation", {**fields, **extra})


def part(report: HandoverReport, resident_id: str) -> ResidentHandover:
    return next(r for r in report.residents if r.resident_id == resident_id)


def kinds(person: ResidentHandover) -> list[FlagKind]:
    return [f.kind for f in person.flags]


NORMAL = {
    "respiration_rate": 16,
    "spo2": 97,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp": 128,
    "pulse": 72,
    "consciousness": "A",
    "temperature": 36.8,
}


# --- the shifts ---------------------------------------------------------------------------


def test_day_and_night_shifts_run_08_to_20_and_20_to_08_uk_time() -> None:
    summer = dt.date(2026, 7, 1)
    day = day_shift(summer)
    assert (day.start, day.end) == (
        dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC),  # 08:00 BST
        dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC),
    )
    assert day.label == "Day shift, Wed 1 Jul 2026, 08:00 to 20:00"
    night = night_shift(summer)
    assert night.end == day_shift(summer + dt.timedelta(days=1)).start
    assert night.label == "Night shift, Wed 1 Jul 2026 20:00 to Thu 2 Jul 2026 08:00"
    # The nights the clocks change: still 20:00 to 08:00 on the wall, 13 or 11 hours long.
    assert night_shift(dt.date(2026, 10, 24)).end - night_shift(dt.date(2026, 10, 24)).start == (
        dt.timedelta(hours=13)
    )
    assert night_shift(dt.date(2026, 3, 28)).end - night_shift(dt.date(2026, 3, 28)).start == (
        dt.timedelta(hours=11)
    )


def test_the_first_minute_of_a_shift_is_in_it_and_its_end_is_not() -> None:
    assert shift_at(at(8)) == day_shift(DAY)
    assert shift_at(at(19, 59)) == day_shift(DAY)
    assert shift_at(at(20)) == night_shift(DAY)
    assert shift_at(at(7, 59)) == night_shift(DAY - dt.timedelta(days=1))


def test_the_screen_opens_on_the_shift_that_just_ended_for_an_hour() -> None:
    assert default_shift(at(19, 45)) == day_shift(DAY)  # handing over before the change
    assert default_shift(at(20, 30)) == day_shift(DAY)  # handing over just after it
    assert default_shift(at(21, 5)) == night_shift(DAY)
    assert default_shift(at(8, 40)) == night_shift(DAY - dt.timedelta(days=1))
    last = last_hours(at(15, 30))
    assert last.kind is ShiftKind.LAST_12_HOURS
    assert last.contains(at(15, 30)) and last.contains(at(3, 31))
    assert not last.contains(at(3, 30))


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)))
def test_every_moment_is_in_exactly_one_day_or_night_shift(naive: dt.datetime) -> None:
    moment = naive.replace(tzinfo=dt.UTC)
    shift = shift_at(moment)
    assert shift.contains(moment)
    local = shift.start.astimezone(UK)
    others = [day_shift(local.date()), night_shift(local.date())]
    others += [night_shift(local.date() - dt.timedelta(days=1))]
    assert [s for s in others if s.contains(moment)] == [shift]
    assert dt.timedelta(hours=11) <= shift.end - shift.start <= dt.timedelta(hours=13)


# --- what the report holds ----------------------------------------------------------------


def test_notes_of_the_shift_by_category_with_the_boundaries(
    pc: DesktopServices, resident: ResidentSummary, wcn_server: InProcessServer
) -> None:
    rid = resident.resident_id
    notes = pc.notes
    notes.record_note(rid, "general", "Before the day shift", occurred_at=at(7, 59))
    notes.record_note(rid, "personal_care", "Washed and dressed", occurred_at=at(8))
    notes.record_note(rid, "mood", "Cheerful at lunch", occurred_at=at(12, 30))
    notes.record_note(rid, "personal_care", "Bath", occurred_at=at(19, 59))
    notes.record_note(rid, "sleep", "Settled", occurred_at=at(20))
    report = pc.handover.report(SHIFT, resident.unit_id)
    assert report.unit_name == resident.unit_name
    assert report.home == pc.context.device.home_name
    person = part(report, rid)
    assert [(g.label, [e.text for e in g.entries]) for g in person.notes] == [
        ("Personal care", ["Washed and dressed", "Bath"]),
        ("Mood and wellbeing", ["Cheerful at lunch"]),
    ]
    nurse = wcn_server.staff("nurse").display_name
    assert {e.author for g in person.notes for e in g.entries} == {nurse}
    assert person.notes[0].entries[0].clock.endswith("08:00")
    night = part(pc.handover.report(night_shift(DAY), resident.unit_id), rid)
    assert [e.text for g in night.notes for e in g.entries] == ["Settled"]
    before = part(pc.handover.report(night_shift(DAY - dt.timedelta(days=1))), rid)
    assert [e.text for g in before.notes for e in g.entries] == ["Before the day shift"]


def test_only_the_units_admitted_residents_are_in_its_report(pc: DesktopServices) -> None:
    everyone = pc.residents.list_residents()
    units = pc.handover.units()
    assert {u.unit_id for u in units} == {r.unit_id for r in everyone}
    for unit in units:
        report = pc.handover.report(SHIFT, unit.unit_id)
        expected = {r.resident_id for r in everyone if r.unit_id == unit.unit_id}
        assert {r.resident_id for r in report.residents} == expected
    whole = pc.handover.report(SHIFT)
    assert whole.unit_name == "All units" and len(whole.residents) == len(everyone)
    with pytest.raises(InvalidInput, match="unit"):
        pc.handover.report(SHIFT, everyone[0].resident_id)


def test_entered_in_error_is_left_out_and_an_amendment_shows_as_it_stands(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    rid = resident.resident_id
    notes = pc.notes
    kept = notes.record_note(rid, "general", "Visited by GP", occurred_at=at(10))
    notes.amend(kept, "Visited by GP: antibiotics started", "Added the outcome")
    wrong = notes.record_note(rid, "general", "Fell in the lounge", occurred_at=at(11))
    notes.mark_entered_in_error(wrong, "Wrong resident")
    drink = notes.record_note(rid, "food_fluid", details={"fluid_ml": 900}, occurred_at=at(12))
    notes.mark_entered_in_error(drink, "Recorded twice")
    scare = observation(pc, rid, {**NORMAL, "pulse": 150}, at(13), news2=9)
    record(
        pc,
        "observation",
        {
            "resident_id": rid,
            "values": {**NORMAL, "pulse": 150},
            "news2": 9,
            "occurred_at": at(13).isoformat(),
            "amends_id": scare,
            "amend_kind": "entered_in_error",
            "amend_reason": "Wrong resident",
        },
    )
    person = part(pc.handover.report(SHIFT), rid)
    entries = [e for g in person.notes for e in g.entries]
    assert [(e.text, e.amended) for e in entries] == [("Visited by GP: antibiotics started", True)]
    assert person.observations == ()
    assert FlagKind.NEWS2 not in kinds(person)
    assert person.fluid is not None and person.fluid.in_shift_ml == 0


def test_low_fluids_are_flagged_against_the_target(
    pc: DesktopServices, wcn_server: InProcessServer
) -> None:
    low, enough = pc.residents.list_residents()[:2]
    pc.notes.record_note(
        low.resident_id, "food_fluid", "Tea", details={"fluid_ml": 300}, occurred_at=at(10)
    )
    for hour in (9, 13):
        pc.notes.record_note(
            enough.resident_id,
            "food_fluid",
            "Water",
            details={"fluid_ml": 900},
            occurred_at=at(hour),
        )
    pc.notes.record_note(
        enough.resident_id, "food_fluid", "Juice", details={"fluid_ml": 200}, occurred_at=at(7)
    )
    report = pc.handover.report(SHIFT)
    thirsty = part(report, low.resident_id)
    assert thirsty.fluid is not None
    target = thirsty.fluid.last_24h.target_ml
    assert target is not None and target >= 1500
    assert thirsty.fluid.in_shift_ml == 300 and thirsty.fluid.last_24h.low
    flag = next(f for f in thirsty.flags if f.kind is FlagKind.LOW_FLUIDS)
    assert flag.text == f"Low fluids: 300 of {target:,} ml in 24 hours" and flag.urgent
    fine = part(report, enough.resident_id)
    assert fine.fluid is not None
    assert (fine.fluid.in_shift_ml, fine.fluid.last_24h.total_ml) == (1800, 2000)
    assert FlagKind.LOW_FLUIDS not in kinds(fine)


def test_news2_of_five_or_more_and_any_single_three_are_flagged(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    rid = resident.resident_id
    observation(pc, rid, NORMAL, at(9), news2=0)
    observation(pc, rid, {**NORMAL, "respiration_rate": 26}, at(11))  # scores 3, total 3
    observation(pc, rid, {**NORMAL, "pulse": 118, "temperature": 38.6, "spo2": 94}, at(14), news2=5)
    observation(pc, rid, {"pulse": 80}, at(16), news2=4)  # stored score, nothing at 3
    person = part(pc.handover.report(SHIFT), rid)
    assert [e.flagged for e in person.observations] == [False, True, True, False]
    assert person.observations[0].text.startswith("NEWS2 0: respiration rate 16")
    assert person.observations[1].text.startswith("NEWS2 3 (respiration rate scored 3)")
    flags = [f.text for f in person.flags if f.kind is FlagKind.NEWS2]
    assert flags == [
        f"Respiration rate scored 3 at {person.observations[1].clock}",
        f"NEWS2 5 at {person.observations[2].clock}",
    ]


def test_falls_prn_doses_and_refused_medicines_are_flagged(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    rid = resident.resident_id
    pc.incidents.record(
        rid,
        IncidentInput(
            "fall",
            "Found on the floor by her bed",
            at(6, 10) + dt.timedelta(hours=4),
            location="Bedroom",
            witnessed=False,
            severity="minor",
        ),
    )
    paracetamol = pc.medication.prescriptions.add(
        rid,
        PrescriptionInput(
            "Paracetamol",
            "tablet",
            "oral",
            "2 tablets",
            {"kind": "prn", "times": []},
            DAY - dt.timedelta(days=1),
            strength="500 mg",
            dose_quantity=2,
            prn_min_interval_minutes=240,
            prn_max_per_24h=8,
        ),
    )
    amlodipine = pc.medication.prescriptions.add(
        rid,
        PrescriptionInput(
            "Amlodipine",
            "tablet",
            "oral",
            "1 tablet",
            {"kind": "daily", "times": ["08:00"]},
            DAY - dt.timedelta(days=1),
            strength="5 mg",
            dose_quantity=1,
        ),
    )
    pc.medication.prn.record_prn(paracetamol, "Pain in left wrist, 6/10", when=at(10, 40))
    pc.medication.prn.record_prn(paracetamol, "Pain again", when=at(21))  # the night shift
    record(
        pc,
        "medication_administration",
        {
            "resident_id": rid,
            "prescription_id": amlodipine,
            "outcome": "refused",
            "reason_code": "refused",
            "note": "Said she had taken it",
            "occurred_at": at(8, 5).isoformat(),
        },
    )
    person = part(pc.handover.report(SHIFT), rid)
    assert [e.text for e in person.incidents] == [
        "Fall (minor) in Bedroom: Found on the floor by her bed"
    ]
    assert [e.text for e in person.prn_doses] == [
        "Paracetamol 500 mg x 2, given for: Pain in left wrist, 6/10"
    ]
    assert [e.text for e in person.refusals] == ["Amlodipine 5 mg refused: Said she had taken it"]
    texts = {f.kind: f.text for f in person.flags}
    assert texts[FlagKind.INCIDENT] == f"Fall at {person.incidents[0].clock}"
    assert texts[FlagKind.PRN] == f"PRN Paracetamol 500 mg at {person.prn_doses[0].clock}"
    assert texts[FlagKind.REFUSAL] == f"Refused Amlodipine 5 mg at {person.refusals[0].clock}"


def test_reviews_due_are_in_a_current_handover_but_not_an_old_one(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    rid = resident.resident_id
    current = part(pc.handover.report(default_shift(NOW)), rid)
    assert any("MUST screening" in e.text for e in current.reviews_due)
    assert FlagKind.REVIEW_DUE in kinds(current)
    old = part(pc.handover.report(SHIFT), rid)
    assert old.reviews_due == ()


def test_a_quiet_shift_says_nothing_happened(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    report = pc.handover.report(SHIFT)
    assert report.nothing_happened
    assert all(not r.happened for r in report.residents)
    pc.notes.record_note(resident.resident_id, "general", "Quiet day", occurred_at=at(9))
    assert not pc.handover.report(SHIFT).nothing_happened


# --- remarks ------------------------------------------------------------------------------


def test_remarks_show_with_their_author_and_only_in_their_shift(
    pc: DesktopServices,
    resident: ResidentSummary,
    wcn_server: InProcessServer,
) -> None:
    handover = pc.handover
    with pytest.raises(InvalidInput) as error:
        handover.add_remark(SHIFT, "   ", unit_id=resident.unit_id)
    assert error.value.field == "text"
    with pytest.raises(InvalidInput, match="2,000"):
        handover.add_remark(SHIFT, "x" * 2001, unit_id=resident.unit_id)
    handover.add_remark(SHIFT, "Lift out of order until Monday.", unit_id=resident.unit_id)
    handover.add_remark(
        SHIFT,
        "Daughter visiting at 7 pm.",
        unit_id=resident.unit_id,
        resident_id=resident.resident_id,
    )
    wrong = handover.add_remark(SHIFT, "Wrong person", resident_id=resident.resident_id)
    handover.withdraw_remark(wrong, "Meant for someone else")
    handover.add_remark(night_shift(DAY), "Night only", unit_id=resident.unit_id)
    others = [u for u in handover.units() if u.unit_id != resident.unit_id]
    for other in others:
        handover.add_remark(SHIFT, "Other unit's news", unit_id=other.unit_id)

    report = handover.report(SHIFT, resident.unit_id)
    nurse = wcn_server.staff("nurse").display_name
    assert [(r.text, r.author) for r in report.general_remarks] == [
        ("Lift out of order until Monday.", nurse)
    ]
    person = part(report, resident.resident_id)
    assert [r.text for r in person.remarks] == ["Daughter visiting at 7 pm."]
    assert person.happened and not report.nothing_happened
    assert abs(dt.datetime.fromisoformat(person.remarks[0].at) - NOW) < dt.timedelta(minutes=5)
    # A rolling 12 hours overlapping both shifts shows both shifts' remarks.
    rolling = last_hours(at(23))
    texts = [r.text for r in handover.report(rolling, resident.unit_id).general_remarks]
    assert texts == ["Lift out of order until Monday.", "Night only"]


def test_a_care_assistant_may_add_a_remark(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    pc = enrol_pc("carer-pc")
    carer = wcn_server.staff("care_assistant")
    pc.session.sign_in(carer.username, DEMO_PASSWORD)
    pc.handover.add_remark(SHIFT, "Short-staffed: one carer off sick.")
    remarks = pc.handover.report(SHIFT).general_remarks
    assert [(r.text, r.author) for r in remarks] == [
        ("Short-staffed: one carer off sick.", carer.display_name)
    ]
    pc.session.sign_out()
    with pytest.raises(NotSignedIn):
        pc.handover.report(SHIFT)


# --- the PDF ------------------------------------------------------------------------------


def test_the_pdf_has_the_home_unit_shift_flags_remarks_and_page_numbers(
    pc: DesktopServices, resident: ResidentSummary, wcn_server: InProcessServer
) -> None:
    rid = resident.resident_id
    observation(pc, rid, {**NORMAL, "pulse": 135, "temperature": 39.2}, at(14), news2=6)
    pc.notes.record_note(rid, "mood", "Tearful after the phone call", occurred_at=at(15))
    pc.handover.add_remark(SHIFT, "New admission tomorrow in room 9.", unit_id=resident.unit_id)
    report = pc.handover.report(SHIFT, resident.unit_id, now=at(20, 5))
    text = " ".join(pdf_text(handover_pdf(report)).split())
    assert f"Handover - {pc.context.device.home_name}" in text
    assert f"Unit: {resident.unit_name}" in text
    assert SHIFT.label in text
    assert "Generated " in text and wcn_server.staff("nurse").display_name in text
    assert "Page 1 of 1" in text
    assert resident.display_name in text
    assert "! NEWS2 6 at" in text
    assert "Tearful after the phone call" in text
    assert "New admission tomorrow in room 9." in text
    # Nobody recorded a drink in this old shift: each resident is listed with the flag.
    assert text.count("! Low fluids: 0 of") == len(report.residents) > 1


def test_a_long_handover_runs_over_pages_with_numbers(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    for minute in range(0, 600, 10):
        pc.notes.record_note(
            resident.resident_id,
            "general",
            f"Check number {minute}",
            occurred_at=at(8) + dt.timedelta(minutes=minute),
        )
    text = " ".join(pdf_text(handover_pdf(pc.handover.report(SHIFT))).split())
    assert "Page 1 of 2" in text and "Page 2 of 2" in text
    assert text.count(f"Handover - {pc.context.device.home_name}") == 2
    assert "Check number 590" in text


def test_remarks_reach_the_other_pcs_through_the_server(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    ward, office = enrol_pc("ward-pc"), enrol_pc("office-pc")
    nurse = wcn_server.staff("nurse")
    for services in (ward, office):
        services.session.sign_in(nurse.username, DEMO_PASSWORD)
    resident = ward.residents.list_residents()[0]
    ward.handover.add_remark(SHIFT, "Call the GP about the rash.", resident_id=resident.resident_id)
    ward.handover.add_remark(SHIFT, "Fire drill at 14:00.", unit_id=resident.unit_id)
    withdrawn = ward.handover.add_remark(SHIFT, "Typed on the wrong shift")
    ward.handover.withdraw_remark(withdrawn, "Wrong shift")
    ward.sync.sync_now()
    office.sync.sync_now()
    report = office.handover.report(SHIFT, resident.unit_id)
    assert [(r.text, r.author) for r in report.general_remarks] == [
        ("Fire drill at 14:00.", nurse.display_name)
    ]
    assert [r.text for r in part(report, resident.resident_id).remarks] == [
        "Call the GP about the rash."
    ]
    assert ward.sync.status().waiting == 0  # the server took every remark


def test_an_incident_or_a_dose_entered_in_error_is_not_handed_over(
    pc: DesktopServices, resident: ResidentSummary
) -> None:
    rid = resident.resident_id
    saved = pc.incidents.record(
        rid, IncidentInput("fall", "Slid from the chair", at(9), witnessed=True, severity="none")
    )
    dose = record(
        pc,
        "medication_administration",
        {
            "resident_id": rid,
            "outcome": "given",
            "quantity": 1.0,
            "prn_reason": "Pain",
            "occurred_at": at(9, 30).isoformat(),
        },
    )
    withdrawn = {"amend_kind": "entered_in_error", "amend_reason": "Wrong resident"}
    for entity, original in (
        ("incident", saved.incident.record_id),
        ("medication_administration", dose),
    ):
        with pc.context.store.read() as conn:
            stored = records_repo.get(conn, original)
        assert stored is not None
        record(pc, entity, {**stored.fields, "amends_id": original, **withdrawn})
    person = part(pc.handover.report(SHIFT), rid)
    assert person.incidents == () and person.prn_doses == ()
    assert not {FlagKind.INCIDENT, FlagKind.PRN} & set(kinds(person))


# --- corrections, as a rule ---------------------------------------------------------------


def _stored(record_id: str, hlc: str, fields: dict[str, Any]) -> StoredRecord:
    occurred = "2026-01-01T10:00:00+00:00"
    return StoredRecord(
        "care_note", record_id, None, "r", fields, {}, hlc, None, None, None, occurred, False
    )


corrections = st.lists(st.sampled_from(["amendment", "entered_in_error"]), max_size=4)


@given(st.lists(corrections, min_size=1, max_size=6))
def test_each_chain_shows_its_latest_version_unless_that_withdraws_it(
    chains: list[list[str]],
) -> None:
    events, expected = [], {}
    clock = 0
    for index, chain in enumerate(chains):
        root = f"{index:08d}-0000-7000-8000-000000000000"
        clock += 1
        events.append(_stored(root, f"{clock:012d}", {"text": f"{index}:original"}))
        for step, kind in enumerate(chain):
            clock += 1
            fields = {"text": f"{index}:{step}", "amends_id": root, "amend_kind": kind}
            record_id = f"{index:08d}-{step + 1:04d}-7000-8000-000000000000"
            events.append(_stored(record_id, f"{clock:012d}", fields))
        if not chain:
            expected[root] = (f"{index}:original", False)
        elif chain[-1] != "entered_in_error":
            expected[root] = (f"{index}:{len(chain) - 1}", True)
    shown = current_versions(list(reversed(events)))  # arrival order must not matter
    assert {c.root_id: (c.fields["text"], c.amended) for c in shown} == expected
