"""The medication services on a real enrolled PC store: the medicines list with allergies, the
round and recording a dose in two calls, "already recorded", PRN limits with an audited
override, witnesses, the CD register and stock, the pharmacy import (all or nothing, with a
second checker), and the reports (the MAR chart PDF is checked for its content)."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable

import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NotAllowed, SignInFailed
from desktop.services.medication import AlreadyRecorded, PrescriptionInput, PrnLimitReached
from desktop.services.medication.demo import demo_prescriptions, record_history
from desktop.services.medication.pharmacy_import import ImportRejected
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from shared.demo_data import DEMO_PASSWORD, SeedRecord
from shared.ids import new_id
from shared.medication.scheduling import UK
from syncserver import tenancy
from tests.desktop.conftest import InProcessServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
TODAY = NOW.astimezone(UK).date()


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    # Witnesses sign in on this PC once, so they can confirm here later.
    for role in ("senior_carer", "care_assistant"):
        services.session.sign_in(wcn_server.staff(role).username, DEMO_PASSWORD)
    services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return services


@pytest.fixture
def resident(pc: DesktopServices) -> str:
    return pc.residents.list_residents()[0].resident_id


def witness(
    pc: DesktopServices, server: InProcessServer, role: str = "senior_carer"
) -> VerifiedWitness:
    return pc.session.verify_witness(server.staff(role).username, DEMO_PASSWORD)


def daily(medicine: str, times: list[str], **extra: object) -> PrescriptionInput:
    return PrescriptionInput(
        medicine, "tablet", "oral", "1 tablet", {"kind": "daily", "times": times},
        TODAY - dt.timedelta(days=1), strength="5 mg", dose_quantity=1, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def prn(medicine: str = "Paracetamol", **extra: object) -> PrescriptionInput:
    return PrescriptionInput(
        medicine, "tablet", "oral", "2 tablets", {"kind": "prn", "times": []},
        TODAY - dt.timedelta(days=1), strength="500 mg", dose_quantity=2,
        prn_min_interval_minutes=240, prn_max_per_24h=8, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def set_setting(server: InProcessServer, key: str, value: object, pc: DesktopServices) -> None:
    with server.db.writer.begin() as conn:
        tenancy.write_server_records(
            conn,
            server.provider.tenant_id,
            [SeedRecord("setting", new_id(), None, None, {"key": key, "value": value}, 0)],
        )
    pc.sync.sync_now()


def pdf_text(data: bytes) -> str:
    """The text drawn on a PDF's pages (fpdf2 compresses page streams with Flate)."""
    assert data.startswith(b"%PDF")
    shown = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        # A stream whose compressed bytes end in CR loses that byte to the pattern (it cannot
        # tell it from a CR LF line end): decompressobj still gives back all of the text, as
        # only the checksum is cut short, where zlib.decompress would refuse the stream.
        try:
            content = zlib.decompressobj().decompress(raw)
        except zlib.error:
            content = raw
        shown += [m.decode("latin-1") for m in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", content)]
    return "\n".join(shown)


# --- the medicines list and changes -----------------------------------------------------


def test_medicines_list_shows_allergies_beside_every_medicine(
    pc: DesktopServices, resident: str
) -> None:
    meds = pc.medication
    for spec in demo_prescriptions(TODAY):
        meds.prescriptions.add(resident, spec)
    listing = meds.prescriptions.medication_list(resident)
    assert len(listing.lines) == 5
    assert all(line.allergies == listing.resident.allergies for line in listing.lines)
    assert listing.resident.allergies.startswith(("Allergy:", "No known", "Allergies not"))
    paracetamol = next(line for line in listing.lines if line.medicine.startswith("Paracetamol"))
    assert paracetamol.prn and "at least 4 h apart" in paracetamol.schedule


def test_change_and_discontinue_keep_history_and_need_a_reason(
    pc: DesktopServices, resident: str
) -> None:
    meds = pc.medication.prescriptions
    pid = meds.add(resident, daily("Amlodipine", ["08:00"]))
    with pytest.raises(InvalidInput, match="Say why"):
        meds.change(pid, {"dose": "2 tablets"}, "")
    meds.change(pid, {"dose": "2 tablets", "dose_quantity": 2.0}, "BP still high: GP letter")
    meds.discontinue(pid, "Stopped by GP: dizzy")
    history = meds.history(pid)
    assert [h.action for h in history] == ["started", "changed", "discontinued"]
    assert history[1].changes["dose"] == ["1 tablet", "2 tablets"]
    assert meds.medication_list(resident).lines == []
    stopped = meds.medication_list(resident, include_discontinued=True).lines[0]
    assert (stopped.status, stopped.change_reason) == ("discontinued", "Stopped by GP: dizzy")


def test_a_care_assistant_cannot_prescribe_or_administer_unless_allowed(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    due = NOW.astimezone(UK).strftime("%H:%M")  # on the round whatever the time of day
    pc.medication.prescriptions.add(resident, daily("Amlodipine", [due]))
    pc.session.sign_in(wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    with pytest.raises(NotAllowed):
        pc.medication.prescriptions.add(resident, daily("Ramipril", ["08:00"]))
    item = pc.medication.round.round(now=NOW)[0]
    with pytest.raises(NotAllowed, match="competent"):
        pc.medication.round.record_dose(item)
    set_setting(wcn_server, "medication_care_assistants_administer", True, pc)
    assert pc.medication.round.record_dose(item)


# --- the round ---------------------------------------------------------------------------


def test_round_in_two_calls_and_already_recorded_is_refused(
    pc: DesktopServices, resident: str
) -> None:
    due = (NOW + dt.timedelta(minutes=10)).astimezone(UK).strftime("%H:%M")
    pc.medication.prescriptions.add(resident, daily("Amlodipine", [due]))
    items = pc.medication.round.round(now=NOW)
    item = next(i for i in items if i.medicine.startswith("Amlodipine") and i.status == "due")
    assert item.resident.name and item.resident.initials and item.resident.allergies
    pc.medication.round.record_dose(item)
    done = next(i for i in pc.medication.round.round(now=NOW) if i.slot_id == item.slot_id)
    assert done.status == "done" and done.recorded.startswith("Given by")
    with pytest.raises(AlreadyRecorded, match="Already recorded"):
        pc.medication.round.record_dose(item)


def test_not_given_needs_a_reason_and_other_needs_words(pc: DesktopServices, resident: str) -> None:
    due = NOW.astimezone(UK).strftime("%H:%M")
    pc.medication.prescriptions.add(resident, daily("Amlodipine", [due]))
    item = next(i for i in pc.medication.round.round(now=NOW) if i.status == "due")
    with pytest.raises(InvalidInput, match="Choose why"):
        pc.medication.round.record_dose(item, "omitted")
    with pytest.raises(InvalidInput, match="Say why"):
        pc.medication.round.record_dose(item, "omitted", reason_code="other")
    pc.medication.round.record_dose(item, "omitted", reason_code="asleep")


# --- PRN ---------------------------------------------------------------------------------


def test_prn_too_soon_needs_an_override_reason_which_is_kept(
    pc: DesktopServices, resident: str
) -> None:
    pid = pc.medication.prescriptions.add(resident, prn())
    first = pc.medication.prn.record_prn(pid, "Pain in left hip", when=NOW - dt.timedelta(hours=1))
    with pytest.raises(PrnLimitReached) as raised:
        pc.medication.prn.record_prn(pid, "Still in pain")
    assert "Too soon" in raised.value.message
    second = pc.medication.prn.record_prn(
        pid, "Still in pain", override_reason="GP agreed by phone"
    )
    with pc.context.store.read() as conn:
        kept = records_repo.get(conn, second)
    assert kept is not None and kept.fields["override_reason"] == "GP agreed by phone"
    assert pc.medication.prn.record_follow_up(first, "effective", "Settled")
    option = pc.medication.prn.options(resident)[0]
    assert option.given_24h == 4 and option.next_allowed is not None


def test_prn_over_the_24_hour_maximum(pc: DesktopServices, resident: str) -> None:
    pid = pc.medication.prescriptions.add(resident, prn())
    for hours in (20, 15, 10, 5):
        pc.medication.prn.record_prn(pid, "Pain", when=NOW - dt.timedelta(hours=hours))
    with pytest.raises(PrnLimitReached, match="24-hour maximum"):
        pc.medication.prn.record_prn(pid, "Pain")


# --- witnesses, controlled drugs and stock -----------------------------------------------


def test_verify_witness_checks_without_switching_and_refuses_the_same_person(
    pc: DesktopServices, wcn_server: InProcessServer
) -> None:
    nurse = pc.session.require()
    seen = witness(pc, wcn_server)
    assert seen.role == "senior_carer" and pc.session.require() == nurse
    with pytest.raises(InvalidInput, match="someone else"):
        pc.session.verify_witness(nurse.username, DEMO_PASSWORD)
    with pytest.raises(SignInFailed, match="not right"):
        pc.session.verify_witness(wcn_server.staff("senior_carer").username, "wrong")


def test_controlled_drug_register_balance_check_and_discrepancy(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    cd = pc.medication.controlled
    spec = next(s for s in demo_prescriptions(TODAY) if s.controlled_drug)
    pid = pc.medication.prescriptions.add(resident, spec)
    with pytest.raises(InvalidInput, match="witness"):
        cd.receive(pid, 100, witness=None)
    cd.receive(pid, 100, witness=witness(pc, wcn_server), supplier="Boots")
    pc.medication.prn.record_prn(
        pid, "Breakthrough pain", quantity=5, witness=witness(pc, wcn_server)
    )
    page = cd.pages(resident)[0]
    assert (page.balance, page.discrepancies) == (95, 0)
    check = cd.check(pid, 94, witness=witness(pc, wcn_server))
    assert (check.expected, check.discrepancy) == (95, -1)
    lines = cd.register(resident, page.key)
    assert [line.kind for line in lines] == ["receipt", "administration", "check"]
    assert lines[-1].mismatch and cd.pages(resident)[0].balance == 94
    pdf = pdf_text(pc.medication.reports.cd_register_pdf(resident, page.key))
    assert "Controlled drug register" in pdf and "Morphine" in pdf


def test_stock_receipts_counts_and_low_stock(pc: DesktopServices, resident: str) -> None:
    pid = pc.medication.prescriptions.add(resident, daily("Amlodipine", ["08:00", "20:00"]))
    cd = pc.medication.controlled
    cd.record_stock(pid, "receipt", 10)
    with pytest.raises(InvalidInput, match="Say why"):
        cd.record_stock(pid, "waste", 1)
    cd.record_stock(pid, "waste", 1, note="Dropped")
    low = cd.low_stock()
    assert [(s.prescription_id, s.level) for s in low] == [(pid, 9)]
    assert low[0].days_left == pytest.approx(4.5)


def test_homely_remedy_needs_gp_sign_off_and_stops_after_max_days(
    pc: DesktopServices, resident: str
) -> None:
    cd, prn_service = pc.medication.controlled, pc.medication.prn
    remedy = cd.add_homely_remedy("Simple linctus", "liquid", "5 ml", "Cough", max_days=2)
    with pytest.raises(NotAllowed, match="sign-off"):
        prn_service.give_homely_remedy(remedy, resident, "Tickly cough")
    cd.sign_off_homely_remedy(remedy, "Dr A. Shah", TODAY)
    for days in (2, 1):
        prn_service.give_homely_remedy(
            remedy, resident, "Cough", when=NOW - dt.timedelta(days=days)
        )
    with pytest.raises(NotAllowed, match="GP must review"):
        prn_service.give_homely_remedy(remedy, resident, "Cough")


# --- pharmacy import ---------------------------------------------------------------------

HEADER = (
    "nhs_number,medicine,strength,form,route,dose,times,frequency,start_date,controlled_drug,"
    "quantity_received\n"
)


def test_pharmacy_import_is_all_or_nothing_and_needs_a_second_checker(
    pc: DesktopServices, wcn_server: InProcessServer
) -> None:
    people = pc.residents.list_residents()
    nhs = [p.nhs_number for p in people[:2]]
    bad = (
        HEADER
        + f"{nhs[0]},Amlodipine,5 mg,tablet,oral,1 tablet,08:00,daily,{TODAY},N,28\n"
        + f"{nhs[1]},Mystery,1 mg,lozenge,oral,1,08:00,daily,{TODAY},N,\n"
        + f"{nhs[1]},Ramipril,2.5 mg,capsule,oral,1 capsule,08:00,daily,31/02/2025,N,\n"
        + "9999999999,Aspirin,75 mg,tablet,oral,1 tablet,08:00,daily,2025-01-01,N,\n"
    )
    imports = pc.medication.imports
    preview = imports.preview(bad)
    assert [r.line_no for r in preview.rejected] == [3, 4, 5]
    assert "unknown medicine form 'lozenge'" in preview.report
    assert "not a date" in preview.rejected[1].reason
    with pytest.raises(ImportRejected, match="3 line"):
        imports.apply(bad, "Boots", witness(pc, wcn_server))
    assert pc.medication.prescriptions.medication_list(people[0].resident_id).lines == []
    missing = imports.preview("nhs_number,medicine\n1,2\n")
    assert "missing column(s): form, route, dose, times, start_date" in missing.report

    good = (
        HEADER
        + f"{nhs[0]},Amlodipine,5 mg,tablet,oral,1 tablet,08:00,daily,{TODAY},N,28\n"
        + f"{nhs[1]},Alendronic acid,70 mg,tablet,oral,1 tablet,07:00,weekly:Mon,{TODAY},N,\n"
    )
    with pytest.raises(InvalidInput, match="senior"):
        imports.apply(good, "Boots", witness(pc, wcn_server, "care_assistant"))
    result = imports.apply(good, "Boots", witness(pc, wcn_server))
    assert len(result.prescription_ids) == 2
    line = pc.medication.prescriptions.medication_list(people[0].resident_id).lines[0]
    assert (line.medicine, line.stock) == ("Amlodipine 5 mg", 28)


# --- reports -------------------------------------------------------------------------------


def test_mar_chart_pdf_has_the_resident_medicines_and_codes(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    for spec in demo_prescriptions(TODAY - dt.timedelta(days=5)):
        pc.medication.prescriptions.add(resident, spec)
    recorded = record_history(pc.medication.round, resident, days=4, now=NOW)
    assert recorded > 10
    cycle = TODAY - dt.timedelta(days=5)
    chart = pc.medication.reports.mar_chart(resident, cycle)
    assert len(chart.days) == 28 and len(chart.rows) >= 8
    text = pdf_text(pc.medication.reports.mar_chart_pdf(resident, cycle))
    name = pc.residents.refresh(resident).display_name
    assert "Medication administration record" in text
    assert name in text and "Amlodipine 5 mg" in text and "Co-careldopa" in text
    assert chart.resident.allergies.upper() in text
    assert "R = Refused" in text
    nurse_initials = "".join(p[0] for p in wcn_server.staff("nurse").display_name.split())
    assert nurse_initials in text


def test_missed_doses_flag_three_days_running(pc: DesktopServices, resident: str) -> None:
    pc.medication.prescriptions.add(
        resident,
        PrescriptionInput(
            "Amlodipine", "tablet", "oral", "1 tablet", {"kind": "daily", "times": ["08:00"]},
            TODAY - dt.timedelta(days=5), strength="5 mg",
        ),
    )  # fmt: skip
    report = pc.medication.reports.missed_doses(TODAY - dt.timedelta(days=4), TODAY, now=NOW)
    assert len(report.lines) >= 4 and report.lines[0].what == "Not recorded"
    assert any("not given" in f and "days running" in f for f in report.flagged)
