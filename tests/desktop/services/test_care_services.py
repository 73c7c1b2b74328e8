"""The care planning services on a real enrolled PC store: care plans with their history,
assessments (incomplete ones unscored), capacity and ReSPECT, incidents with notifications,
and the reviews-due dashboard. Bad input is refused with a sentence naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.incidents import IncidentInput
from shared.capacity import CapacityOutcome, McaInput
from shared.demo_data import DEMO_PASSWORD
from shared.incidents import BodyMark
from shared.notifications import NotificationType
from tests.desktop.conftest import InProcessServer

TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return services


@pytest.fixture
def resident(pc: DesktopServices) -> str:
    return pc.residents.list_residents()[0].resident_id


def waterlow(total: int) -> dict[str, int]:
    names = [
        "build_weight_for_height",
        "skin_type",
        "sex_and_age",
        "malnutrition_screening",
        "continence",
        "mobility",
        "tissue_malnutrition",
        "neurological_deficit",
        "major_surgery_or_trauma",
        "medication",
    ]
    return dict.fromkeys(names, 0) | {"mobility": total}


def test_a_care_plan_section_keeps_every_version_with_author_and_reason(
    pc: DesktopServices, resident: str
) -> None:
    plans = pc.care_plans
    with pytest.raises(InvalidInput) as error:
        plans.write_section(resident, "mobility_and_falls", {"needs": "Unsteady"})
    assert error.value.field == "actions"
    first = plans.write_section(
        resident,
        "mobility_and_falls",
        {"needs": "Unsteady on her feet", "actions": "Zimmer frame within reach", "goals": ""},
    )
    assert first.written and first.review_due == first.review_due
    assert first.review_state.value in ("review due", "review due soon")
    with pytest.raises(InvalidInput, match="Say why"):
        plans.write_section(resident, "mobility_and_falls", {"goals": "Walk to lunch"})
    with pytest.raises(InvalidInput, match="Nothing has changed"):
        plans.write_section(
            resident, "mobility_and_falls", {"needs": "Unsteady on her feet"}, "No change"
        )
    plans.write_section(resident, "mobility_and_falls", {"goals": "Walk to lunch"}, "Physio visit")
    reviewed = plans.review_section(
        resident,
        "mobility_and_falls",
        "No falls this month; goals still right.",
        next_review_due=TODAY + dt.timedelta(days=20),
    )
    assert reviewed.last_reviewed_on == TODAY
    assert reviewed.review_due == TODAY + dt.timedelta(days=20)

    history = plans.history(resident, "mobility_and_falls")
    assert [r.kind.value for r in history] == ["written", "edited", "reviewed"]
    assert [r.reason for r in history][1:] == [
        "Physio visit",
        "No falls this month; goals still right.",
    ]
    user = pc.session.require()
    assert {r.author_id for r in history} == {user.user_id}
    edit = history[1].changes
    assert [(c.field, c.before, c.after) for c in edit] == [("goals", None, "Walk to lunch")]
    plan = plans.plan(resident)
    assert len(plan) == 11
    assert sum(s.written for s in plan) == 1


def test_impossible_review_dates_are_refused_and_overdue_sections_are_flagged(
    pc: DesktopServices, resident: str
) -> None:
    plans = pc.care_plans
    with pytest.raises(InvalidInput, match="past") as error:
        plans.write_section(
            resident,
            "continence",
            {"needs": "n", "actions": "a", "review_due": TODAY - dt.timedelta(days=1)},
        )
    assert error.value.field == "review_due"
    plans.write_section(resident, "continence", {"needs": "Pads at night", "actions": "Check 2h"})
    later = TODAY + dt.timedelta(days=40)
    overdue = plans.overdue(today=later)
    assert [(s.resident_id, s.area) for s in overdue] == [(resident, "continence")]
    assert plans.plan(resident, today=later)[2].overdue


def test_care_assistants_may_not_write_the_care_plan(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    pc = enrol_pc("carer-pc")
    pc.session.sign_in(wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    resident = pc.residents.list_residents()[0].resident_id
    with pytest.raises(NotAllowed):
        pc.care_plans.write_section(resident, "continence", {"needs": "n", "actions": "a"})


def test_assessments_score_save_incomplete_and_propose_a_review(
    pc: DesktopServices, resident: str
) -> None:
    partial = pc.assessments.save(resident, "waterlow", {"mobility": 3})
    assert not partial.entry.complete and partial.entry.score is None
    assert partial.entry.summary.startswith("Incomplete, no score")
    assert partial.proposal is None

    first = pc.assessments.save(resident, "waterlow", waterlow(8))
    assert first.entry.score == 8 and first.proposal is None
    same_band = pc.assessments.save(resident, "waterlow", waterlow(9))
    assert same_band.proposal is None
    worse = pc.assessments.save(resident, "waterlow", waterlow(16))
    assert worse.proposal == "skin_integrity"
    assert "review the Skin integrity section" in worse.proposal_text
    history = pc.assessments.history(resident, "waterlow")
    assert [e.score for e in history] == [16, 9, 8, None]


def test_impossible_assessment_inputs_are_refused_with_the_item(
    pc: DesktopServices, resident: str
) -> None:
    with pytest.raises(InvalidInput, match="out of range") as error:
        pc.assessments.save(resident, "painad", {"breathing": 5})
    assert error.value.field == "breathing"
    with pytest.raises(InvalidInput, match="centimetres") as error:
        pc.assessments.save(resident, "must", {"height_m": 165})
    assert error.value.field == "height_m"
    with pytest.raises(InvalidInput, match="at least one"):
        pc.assessments.save(resident, "barthel", {})


def test_mca_best_interests_and_respect(pc: DesktopServices, resident: str) -> None:
    capacity = pc.capacity
    with pytest.raises(InvalidInput, match="Still to answer") as unfinished:
        capacity.record_mca(resident, McaInput(decision="Bed rails", can_understand=False))
    assert unfinished.value.field == "impairment"
    saved = capacity.record_mca(
        resident,
        McaInput(
            decision="Bed rails at night",
            can_understand=False,
            can_retain=False,
            can_use_or_weigh=False,
            can_communicate=True,
            impairment=True,
            because_of_impairment=True,
            practicable_steps="Explained in the morning with her daughter present.",
        ),
    )
    assert saved.result.outcome is CapacityOutcome.LACKS_CAPACITY
    with pytest.raises(InvalidInput, match="less restrictive"):
        capacity.record_best_interests(
            saved.record_id,
            options_considered="Low bed, crash mat",
            less_restrictive_considered=False,
            people_consulted="Daughter (LPA), GP",
            outcome="Low bed and crash mat",
        )
    capacity.record_best_interests(
        saved.record_id,
        options_considered="Bed rails; low bed with crash mat",
        less_restrictive_considered=True,
        people_consulted="Daughter (LPA health and welfare), GP",
        outcome="Low bed and crash mat instead of rails.",
    )
    view = capacity.save_respect(
        resident,
        {
            "form": "respect",
            "cpr": "do_not_attempt_cpr",
            "form_location": "Front of the care file",
            "completed_by": "Dr A Shah, GP",
            "completed_on": TODAY.isoformat(),
        },
    )
    assert "CPR not to be attempted" in view.summary
    assert pc.residents.refresh(resident).fields["dnacpr"] is True
    assert "DNACPR" in pc.residents.refresh(resident).alerts


def test_dols_urgent_authorisation_expiry_and_outcome_prompt(
    pc: DesktopServices, resident: str
) -> None:
    granted = TODAY - dt.timedelta(days=6)
    saved = pc.capacity.save_dols(
        resident, {"applied_on": granted, "urgent_granted_on": granted, "supervisory_body": "LA"}
    )
    assert saved.dols.position.expires_on == granted + dt.timedelta(days=7)
    assert "extend" in saved.dols.position.action
    assert saved.notifications == ()
    with pytest.raises(InvalidInput, match="12 months"):
        pc.capacity.save_dols(
            resident,
            {
                "outcome": "granted",
                "standard_granted_on": TODAY,
                "standard_ends_on": TODAY + dt.timedelta(days=400),
            },
            dols_id=saved.dols.record_id,
        )
    outcome = pc.capacity.save_dols(
        resident,
        {
            "outcome": "granted",
            "standard_granted_on": TODAY,
            "standard_ends_on": TODAY + dt.timedelta(days=180),
        },
        dols_id=saved.dols.record_id,
    )
    assert [n.type for n in outcome.notifications] == [NotificationType.DOLS_OUTCOME]
    dashboard = pc.reviews_due.dashboard()
    assert any(i.kind == "notification" and i.subject_id == saved.dols.record_id for i in dashboard)
    draft = pc.notifications.draft_for_dols(saved.dols.record_id)
    assert (
        draft.regulator.value == "cqc"
        and "DoLS application granted" in draft.fields["what_happened"]
    )
    assert not any(
        i.subject_id == saved.dols.record_id
        for i in pc.reviews_due.dashboard()
        if i.kind == "notification" and "Draft" in i.what
    )


def fall(**changes: object) -> IncidentInput:
    base = IncidentInput(
        kind="fall",
        description="Found on the floor beside her bed.",
        occurred_at=NOW - dt.timedelta(hours=1),
        witnessed=False,
        severity="serious",
        body_map=(BodyMark("front", 0.4, 0.55, "Swollen right hip"),),
    )
    return IncidentInput(**{**base.__dict__, **changes})


def test_a_serious_fall_prompts_a_cqc_notification_that_needs_date_and_method(
    pc: DesktopServices, resident: str
) -> None:
    saved = pc.incidents.record(resident, fall())
    assert [n.type for n in saved.notifications] == [NotificationType.SERIOUS_INJURY]
    assert saved.notifications[0].regulator.value == "cqc"
    assert saved.incident.body_map[0].description == "Swollen right hip"
    assert len(saved.incident.schedule) == 4 + 4 + 9  # possible head injury: unwitnessed

    draft = pc.notifications.draft_for_incident(
        saved.incident.record_id, NotificationType.SERIOUS_INJURY
    )
    assert draft.fields["service_name"] == "Oakwood House"
    assert "Swollen right hip" in draft.fields["injury"]
    assert "Provider ID" in draft.missing
    again = pc.notifications.draft_for_incident(saved.incident.record_id, "serious_injury")
    assert again.record_id == draft.record_id

    with pytest.raises(InvalidInput, match="date and time") as error:
        pc.notifications.mark_sent(draft.record_id, None, "online_form")
    assert error.value.field == "sent_at"
    with pytest.raises(InvalidInput, match="how") as error:
        pc.notifications.mark_sent(draft.record_id, NOW, "")
    assert error.value.field == "sent_method"
    with pytest.raises(InvalidInput, match="before the event"):
        pc.notifications.mark_sent(draft.record_id, NOW - dt.timedelta(days=1), "email")
    sent = pc.notifications.mark_sent(draft.record_id, NOW, "online_form", reference="CQC-123")
    assert sent.status == "sent" and sent.sent_method == "online_form"
    assert pc.notifications.outstanding() == []


def test_bad_incidents_are_refused(pc: DesktopServices, resident: str) -> None:
    with pytest.raises(InvalidInput, match="Describe"):
        pc.incidents.record(resident, fall(description="  "))
    with pytest.raises(InvalidInput, match="anyone saw") as error:
        pc.incidents.record(resident, fall(witnessed=None))
    assert error.value.field == "witnessed"
    with pytest.raises(InvalidInput, match="future"):
        pc.incidents.record(resident, fall(occurred_at=NOW + dt.timedelta(hours=2)))
    with pytest.raises(InvalidInput, match="outside the body outline"):
        pc.incidents.record(resident, fall(body_map=(BodyMark("back", 1.5, 0.2, "graze"),)))
    with pytest.raises(InvalidInput, match="developed after admission"):
        pc.incidents.record(
            resident, fall(kind="skin_damage", pressure_ulcer_grade=3, witnessed=None)
        )


def test_post_fall_observations_and_the_reviews_due_dashboard(
    pc: DesktopServices, resident: str, wcn_server: InProcessServer
) -> None:
    fell = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    saved = pc.incidents.record(resident, fall(occurred_at=fell))
    incident_id = saved.incident.record_id
    soon_after = fell + dt.timedelta(minutes=119)
    progress = pc.incidents.observation_progress(incident_id, now=soon_after)
    assert progress.done == 0 and len(progress.overdue) == 3
    first = saved.incident.schedule[0]
    with pytest.raises(InvalidInput, match="observed"):
        pc.incidents.record_observation(incident_id, first, " ")
    pc.incidents.record_observation(incident_id, first, "Alert, no new pain.")
    assert pc.incidents.observation_progress(incident_id).done == 1

    pc.care_plans.write_section(resident, "continence", {"needs": "n", "actions": "a"})
    pc.assessments.save(resident, "waterlow", waterlow(8))
    pc.assessments.save(resident, "waterlow", waterlow(21))
    items = pc.reviews_due.dashboard()
    kinds = {i.kind for i in items if i.resident_id == resident}
    assert {"observations", "notification", "incident_review", "falls", "proposed"} <= kinds
    assert items[0].overdue  # overdue first
    later = pc.reviews_due.dashboard(now=NOW + dt.timedelta(days=40))
    assert any(i.kind == "care_plan" and i.overdue for i in later)
    assert any(i.kind == "rescore" and i.subject_id == "waterlow" for i in later)

    nurse = pc.session.require()
    pc.session.sign_in(wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    with pytest.raises(NotAllowed):  # reviewed by a nurse or a manager
        pc.incidents.review(incident_id, "Looked into it.")
    pc.session.sign_in(nurse.username, DEMO_PASSWORD)
    pc.incidents.review(
        incident_id,
        "Bed height too high; sensor mat not switched on.",
        actions=[{"action": "Lower the bed", "owner": "Maintenance", "due_on": "2030-01-01"}],
        closed=True,
    )
    assert pc.incidents.get(incident_id).closed
    assert not any(
        i.kind == "incident_review" and i.subject_id == incident_id
        for i in pc.reviews_due.dashboard()
    )
