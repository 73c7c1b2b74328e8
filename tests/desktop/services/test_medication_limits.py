"""Limits the medicine screens rely on: a PRN or homely remedy over its limit is given only by
a senior with a reason; PRN doses wait for their follow-up; stock and the CD register never go
below nothing; the missed-doses report prints."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.medication import PrescriptionInput, PrnLimitReached
from desktop.services.medication.demo import demo_prescriptions
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer
from tests.desktop.services.test_medication import (
    NOW,
    TODAY,
    daily,
    pc,
    pdf_text,
    prn,
    resident,
    set_setting,
    witness,
)

__all__ = ["pc", "resident"]  # fixtures


def test_only_a_senior_gives_a_prn_over_its_limit(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    pid = pc.medication.prescriptions.add(resident, prn())
    set_setting(wcn_server, "medication_care_assistants_administer", True, pc)
    pc.session.sign_in(wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    pc.medication.prn.record_prn(pid, "Hip pain", when=NOW - dt.timedelta(hours=1))
    with pytest.raises(PrnLimitReached):
        pc.medication.prn.record_prn(pid, "Still sore")
    with pytest.raises(NotAllowed, match="Only a senior"):
        pc.medication.prn.record_prn(pid, "Still sore", override_reason="Asked the GP")
    pc.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    assert pc.medication.prn.record_prn(pid, "Still sore", override_reason="GP agreed by phone")


def test_prn_doses_wait_for_their_follow_up(pc: DesktopServices, resident: str) -> None:
    prn_service = pc.medication.prn
    pid = pc.medication.prescriptions.add(resident, prn())
    old = prn_service.record_prn(pid, "Headache", when=NOW - dt.timedelta(hours=30))
    recent = prn_service.record_prn(pid, "Knee pain", when=NOW - dt.timedelta(hours=1))
    waiting = prn_service.awaiting_follow_up(resident, now=NOW)
    assert [w.administration_id for w in waiting] == [recent]
    assert waiting[0].medicine == "Paracetamol 500 mg" and waiting[0].reason == "Knee pain"
    prn_service.record_follow_up(recent, "partly_effective", "Less pain, still limping")
    assert prn_service.awaiting_follow_up(resident, now=NOW) == []
    assert old


def test_stock_never_goes_below_nothing(pc: DesktopServices, resident: str) -> None:
    cd = pc.medication.controlled
    pid = pc.medication.prescriptions.add(resident, daily("Amlodipine", ["08:00"]))
    with pytest.raises(InvalidInput, match="more than 0") as raised:
        cd.record_stock(pid, "receipt", 0)
    assert raised.value.field == "quantity"
    cd.record_stock(pid, "receipt", 5)
    with pytest.raises(InvalidInput, match="Only 5 are in stock") as raised:
        cd.record_stock(pid, "waste", 6, note="Dropped")
    assert raised.value.field == "quantity"
    cd.record_stock(pid, "waste", 5, note="Dropped")
    cd.record_stock(pid, "count", 0)


def test_a_controlled_drug_disposal_cannot_exceed_the_register(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    cd = pc.medication.controlled
    spec = next(s for s in demo_prescriptions(TODAY) if s.controlled_drug)
    pid = pc.medication.prescriptions.add(resident, spec)
    with pytest.raises(InvalidInput, match="register"):
        cd.record_stock(pid, "receipt", 10)
    cd.receive(pid, 10, witness=witness(pc, wcn_server))
    with pytest.raises(InvalidInput, match="holds only 10") as raised:
        cd.dispose(pid, 11, witness=witness(pc, wcn_server), reason="Expired")
    assert raised.value.field == "quantity"
    cd.dispose(pid, 2.5, witness=witness(pc, wcn_server), reason="Expired", returned_to="Boots")
    assert cd.pages(resident)[0].balance == 7.5


def test_the_missed_doses_report_prints(pc: DesktopServices, resident: str) -> None:
    pc.medication.prescriptions.add(
        resident,
        PrescriptionInput(
            "Amlodipine", "tablet", "oral", "1 tablet", {"kind": "daily", "times": ["08:00"]},
            TODAY - dt.timedelta(days=5), strength="5 mg",
        ),
    )  # fmt: skip
    start = TODAY - dt.timedelta(days=4)
    text = pdf_text(pc.medication.reports.missed_doses_pdf(start, TODAY, now=NOW))
    assert "Missed and refused doses" in text and "Amlodipine 5 mg" in text
    assert "days running" in text and "Not recorded" in text
