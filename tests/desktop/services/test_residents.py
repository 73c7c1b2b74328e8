"""Admitting, moving and discharging residents, and prospective residents (pre-admission),
on a real enrolled PC store; profile checks at the field (NHS number modulus 11, date of
birth), and a prospective resident admitted on one PC while another edits them offline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NeedsConfirmation, NotAllowed
from desktop.services.residents import check_profile
from shared import nhs_number
from shared.demo_data import DEMO_PASSWORD
from tests.desktop.conftest import InProcessServer

VALID_NHS = "943 476 5919"


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    services.session.sign_in(wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    return services


def new_person(pc: DesktopServices, **extra: Any) -> dict[str, Any]:
    return {
        "first_name": "Edith",
        "last_name": "Barnes",
        "preferred_name": "Edie",
        "date_of_birth": dt.date(1939, 7, 14),
        "nhs_number": VALID_NHS,
        "unit_id": pc.residents.units()[0].unit_id,
        "room": "30",
        **extra,
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Write the first name."),
        ({"last_name": ""}, "last_name", "Write the surname."),
        ({"date_of_birth": None}, "date_of_birth", "Enter the date of birth."),
        ({"unit_id": ""}, "unit_id", "Choose the unit."),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "check digit is wrong"),
        ({"nhs_number": "94347659"}, "nhs_number", "has 10 digits; this has 8"),
        ({"date_of_birth": "31/12/1940"}, "date_of_birth", "must be a date"),
        (
            {"date_of_birth": dt.date.today() + dt.timedelta(days=1)},
            "date_of_birth",
            "cannot be in the future",
        ),
        ({"date_of_birth": dt.date(1880, 1, 1)}, "date_of_birth", "check the year"),
    ],
)
def test_a_bad_profile_is_refused_at_the_field_and_nothing_is_saved(
    pc: DesktopServices, change: dict[str, Any], field: str, message: str
) -> None:
    before = len(pc.residents.list_residents())
    with pytest.raises(InvalidInput, match=message) as error:
        pc.residents.admit(new_person(pc, **change))
    assert error.value.field == field
    assert len(pc.residents.list_residents()) == before


@given(st.dates(min_value=dt.date.today() + dt.timedelta(days=1)))
def test_a_date_of_birth_in_the_future_is_always_refused(born: dt.date) -> None:
    with pytest.raises(InvalidInput) as error:
        check_profile({"date_of_birth": born}, creating=False)
    assert error.value.field == "date_of_birth"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_the_nhs_number_is_accepted_exactly_when_its_check_digit_is_right(nine: str) -> None:
    for last in "0123456789":
        number = f"{nine[:3]} {nine[3:6]} {nine[6:]}{last}"
        if nhs_number.is_valid(number):
            assert check_profile({"nhs_number": number}, creating=False)["nhs_number"] == (
                nine + last
            )
        else:
            with pytest.raises(InvalidInput) as error:
                check_profile({"nhs_number": number}, creating=False)
            assert error.value.field == "nhs_number"


def test_admit_transfer_and_discharge(pc: DesktopServices) -> None:
    residents = pc.residents
    taken = residents.list_residents()[0]
    with pytest.raises(NeedsConfirmation, match="already"):
        residents.admit(new_person(pc, unit_id=taken.unit_id, room=taken.room))
    profile = residents.admit(new_person(pc))
    assert profile.fields["status"] == "admitted"
    assert profile.fields["nhs_number"] == "9434765919"
    assert profile.display_name == "Edie Barnes"
    listed = {r.resident_id: r for r in residents.list_residents()}
    assert listed[profile.resident_id].room == "30"

    with pytest.raises(InvalidInput, match="the room they are in now") as same:
        residents.transfer(profile.resident_id, profile.fields["unit_id"], "30")
    assert same.value.field == "room"
    with pytest.raises(InvalidInput) as no_room:
        residents.transfer(profile.resident_id, profile.fields["unit_id"], " ")
    assert no_room.value.field == "room"
    with pytest.raises(NeedsConfirmation):
        residents.transfer(profile.resident_id, taken.unit_id, taken.room)
    moved = residents.transfer(profile.resident_id, taken.unit_id, taken.room, confirmed=True)
    assert (moved.fields["unit_id"], moved.fields["room"]) == (taken.unit_id, taken.room)

    with pytest.raises(InvalidInput, match="Choose why") as no_reason:
        residents.discharge(profile.resident_id, "")
    assert no_reason.value.field == "discharge_reason"
    with pytest.raises(InvalidInput, match="Say where") as nowhere:
        residents.discharge(profile.resident_id, "other", note="  ")
    assert nowhere.value.field == "discharge_note"
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="future") as future:
        residents.discharge(profile.resident_id, "hospital", on=tomorrow)
    assert future.value.field == "discharged_on"
    with pytest.raises(InvalidInput, match="more than 31 days ago"):
        residents.discharge(profile.resident_id, "hospital", on=dt.date(2020, 1, 1))
    assert residents.refresh(profile.resident_id).fields["status"] == "admitted"  # nothing half

    yesterday = dt.date.today() - dt.timedelta(days=1)
    gone = residents.discharge(
        profile.resident_id, "another_care_home", on=yesterday, note=" Elm Court "
    )
    assert gone.fields["status"] == "discharged"
    assert gone.fields["discharged_on"] == yesterday.isoformat()
    assert gone.fields["discharge_reason"] == "another_care_home"
    assert gone.fields["discharge_note"] == "Elm Court"
    assert profile.resident_id not in {r.resident_id for r in residents.list_residents()}
    with pytest.raises(InvalidInput, match="already been discharged"):
        residents.discharge(profile.resident_id, "hospital")
    with pytest.raises(InvalidInput, match="Only an admitted resident"):
        residents.transfer(profile.resident_id, taken.unit_id, "31")


def test_only_managers_and_seniors_admit(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    pc = enrol_pc("carer-pc")
    pc.session.sign_in(wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    with pytest.raises(NotAllowed, match="senior carer, nurse or manager"):
        pc.residents.admit(new_person(pc))
    resident = pc.residents.list_residents()[0]
    with pytest.raises(NotAllowed):
        pc.residents.transfer(resident.resident_id, resident.unit_id, "99")
    with pytest.raises(NotAllowed):
        pc.residents.discharge(resident.resident_id, "hospital")


def test_a_prospective_resident_is_kept_off_the_floor_lists_until_admitted(
    pc: DesktopServices,
) -> None:
    residents = pc.residents
    person = new_person(pc)
    del person["room"]
    prospective = residents.admit(person, prospective=True)
    assert prospective.fields["status"] == "prospective"
    assert prospective.resident_id not in {r.resident_id for r in residents.list_residents()}
    assert [r.resident_id for r in residents.prospective()] == [prospective.resident_id]
    assert not any(i.resident_id == prospective.resident_id for i in pc.reviews_due.dashboard())
    pc.assessments.record_admission(
        prospective.resident_id,
        "pre_admission",
        source="Visit to her home with her son",
        what_matters="Her cat's photo by the bed; tea with two sugars.",
        can_meet_needs=True,
    )
    with pytest.raises(InvalidInput, match="Only an admitted resident"):
        residents.transfer(prospective.resident_id, prospective.fields["unit_id"], "12")
    admitted = residents.admit_prospective(prospective.resident_id, room="31")
    assert admitted.fields["status"] == "admitted" and admitted.fields["room"] == "31"
    assert prospective.resident_id in {r.resident_id for r in residents.list_residents()}
    assert residents.prospective() == []
    with pytest.raises(InvalidInput, match="Only a prospective resident"):
        residents.admit_prospective(prospective.resident_id)


def test_admitting_on_one_pc_merges_with_an_edit_made_offline_on_another(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    senior = wcn_server.staff("senior_carer").username
    office, ward = enrol_pc("office-pc"), enrol_pc("ward-pc")
    for services in (office, ward):
        services.session.sign_in(senior, DEMO_PASSWORD)
    person = new_person(office)
    resident_id = office.residents.admit(person, prospective=True).resident_id
    office.sync.sync_now()
    ward.sync.sync_now()
    assert [r.resident_id for r in ward.residents.prospective()] == [resident_id]

    office.residents.admit_prospective(resident_id)  # both offline: different fields
    ward.residents.update_profile(resident_id, {"diet": "Soft and bite-sized"})
    for services in (office, ward, office):
        services.sync.sync_now()
    for services in (office, ward):
        fields = services.residents.refresh(resident_id).fields
        assert fields["status"] == "admitted" and fields["diet"] == "Soft and bite-sized"
        assert resident_id in {r.resident_id for r in services.residents.list_residents()}
