"""The demo medicines on a ward PC, as ``make demo`` shows them: a round to give, controlled
drugs with a register balance, a low-stock warning and the homely remedies; every demo
prescription passes the checks a nurse's own entry must pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from desktop.services.app import DesktopServices
from desktop.services.medication.prescriptions import check_fields
from shared.demo_data import DEMO_PASSWORD, DemoProvider, generate_provider
from tests.desktop.conftest import InProcessServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def demo_provider() -> DemoProvider:
    """Overrides the session's provider (which has no medicines) for this module."""
    return generate_provider(
        tenant_name="Demo Medicines Care", residents_per_home=6, days=1, seed=11, now=NOW
    )


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return services


def test_the_demo_round_has_every_resident_and_a_controlled_drug(pc: DesktopServices) -> None:
    residents = pc.residents.list_residents()
    meds = pc.medication
    # Twelve hours on, the round looks back over every dose since the cycle started: the
    # oxycodone (08:00 and 20:00) is always among them.
    items = meds.round.round(now=NOW + dt.timedelta(hours=12))
    assert items
    assert {i.resident.resident_id for i in items} <= {r.resident_id for r in residents}
    assert any(i.controlled_drug for i in items)
    for resident in residents:
        listing = meds.prescriptions.medication_list(resident.resident_id)
        assert len([line for line in listing.lines if not line.prn]) >= 2
        for line in listing.lines:
            check_fields(line.fields)


def test_the_demo_has_cd_stock_low_stock_and_homely_remedies(pc: DesktopServices) -> None:
    residents = pc.residents.list_residents()
    meds = pc.medication
    pages = [p for r in residents for p in meds.controlled.pages(r.resident_id)]
    assert len(pages) == 2
    assert all(p.balance > 0 and p.discrepancies == 0 for p in pages)
    low = meds.controlled.low_stock()
    assert len(low) == 1 and low[0].days_left is not None and low[0].days_left < 7
    remedies = meds.controlled.homely_remedies()
    assert {str(r.fields["medicine"]) for r in remedies} == {
        "Paracetamol",
        "Gaviscon Advance",
        "Senna",
    }


def test_a_demo_prn_shows_its_limits_and_can_be_given(pc: DesktopServices) -> None:
    meds = pc.medication
    for resident in pc.residents.list_residents():
        options = [o for o in meds.prn.options(resident.resident_id) if not o.controlled_drug]
        if options:
            break
    else:
        pytest.fail("no resident has a PRN medicine")
    option = options[0]
    assert "4 h" in option.limits and option.last_given is None
    meds.prn.record_prn(option.prescription_id, "Headache", when=NOW)
    again = next(
        o
        for o in meds.prn.options(resident.resident_id, now=NOW + dt.timedelta(minutes=5))
        if o.prescription_id == option.prescription_id
    )
    assert again.given_24h == 2 and again.next_allowed is not None
