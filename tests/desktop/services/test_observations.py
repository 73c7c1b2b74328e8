"""Observations on a real enrolled PC store: any subset of readings, NEWS2 only when complete,
implausible readings refused at their field, unusual ones confirmed, weight changes judged
against the last weight, soft signs with the baseline and SBARD, and the trend series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, NeedsConfirmation, NotAllowed
from desktop.services.observation_checks import ObservationInput, read_form
from desktop.services.trends import Span
from shared.demo_data import DEMO_PASSWORD
from shared.news2 import RiskBand
from tests.desktop.conftest import InProcessServer

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
UK = ZoneInfo("Europe/London")
NORMAL = ObservationInput(
    temperature=36.8,
    pulse=72,
    respiration_rate=16,
    systolic_bp=128,
    diastolic_bp=76,
    spo2=97,
    on_oxygen=False,
    consciousness="A",
)
# NEWS2 7 (high): resp 24 (2), SpO2 92 (2), pulse 112 (2), temperature 38.4 (1).
UNWELL = ObservationInput(
    temperature=38.4,
    pulse=112,
    respiration_rate=24,
    systolic_bp=118,
    spo2=92,
    on_oxygen=False,
    consciousness="A",
)


@pytest.fixture
def pc(enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer) -> DesktopServices:
    services = enrol_pc("ward-pc")
    services.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    return services


@pytest.fixture
def resident(pc: DesktopServices) -> str:
    return pc.residents.list_residents()[0].resident_id


def newest_observation(pc: DesktopServices, resident: str) -> str:
    entry = pc.notes.timeline(resident, entities=("observation",))[0]
    return entry.summary


def test_a_full_set_is_scored_and_stored_with_its_score(pc: DesktopServices, resident: str) -> None:
    saved = pc.observations.record(resident, UNWELL)
    assert saved.news2.total == 7
    assert saved.news2.band is RiskBand.HIGH
    assert "Emergency response" in saved.escalation
    assert saved.sbard is not None  # a high score calls for a handover
    entry = pc.notes.timeline(resident, entities=("observation",))[0]
    assert entry.record_id == saved.record_id
    assert entry.kind_label == "Observations"
    assert entry.score_label == "NEWS2 7"
    assert entry.score_colour == "red"
    assert entry.summary.startswith("NEWS2 7, high risk. Temperature 38.4 °C, pulse 112/min")

    calm = pc.observations.record(resident, NORMAL)
    assert calm.news2.total == 0 and calm.sbard is None
    assert newest_observation(pc, resident).startswith(
        "NEWS2 0, low risk. Temperature 36.8 °C, pulse 72/min, respiration rate 16/min, "
        "BP 128/76 mmHg, SpO2 97%, on air, alert."
    )


def test_any_subset_may_be_recorded_and_says_why_there_is_no_score(
    pc: DesktopServices, resident: str
) -> None:
    saved = pc.observations.record(
        resident, ObservationInput(temperature=37.1, blood_glucose=6.2, weight_kg=61.4)
    )
    assert saved.news2.total is None
    assert newest_observation(pc, resident) == (
        "NEWS2 not calculated (no respiration rate, SpO2, air or oxygen, systolic blood "
        "pressure, pulse or level of consciousness). Temperature 37.1 °C, blood glucose "
        "6.2 mmol/L, weight 61.4 kg."
    )
    entry = pc.notes.timeline(resident, entities=("observation",))[0]
    assert entry.score_label == "" and entry.score_colour == "grey"

    weight_only = pc.observations.record(resident, ObservationInput(weight_kg=61.0))
    assert not weight_only.news2_recorded
    assert newest_observation(pc, resident) == "Weight 61 kg."


@pytest.mark.parametrize(
    ("readings", "field", "words"),
    [
        (ObservationInput(temperature=60.0), "temperature", "Temperature 60 °C is not possible"),
        (ObservationInput(temperature=98.6), "temperature", "Fahrenheit"),
        (ObservationInput(pulse=0), "pulse", "emergency procedure"),
        (ObservationInput(spo2=101), "spo2", "cannot be over 100%"),
        (ObservationInput(systolic_bp=120, diastolic_bp=130), "diastolic_bp", "less than"),
        (ObservationInput(blood_glucose=110.0), "blood_glucose", "mg/dL"),
        (ObservationInput(weight_kg=400.0), "weight_kg", "not a possible weight"),
        (ObservationInput(consciousness="Z"), "consciousness", "A, C, V, P or U"),
    ],
)
def test_implausible_readings_are_refused_at_their_field(
    pc: DesktopServices, resident: str, readings: ObservationInput, field: str, words: str
) -> None:
    before = pc.notes.timeline(resident)
    with pytest.raises(InvalidInput, match=words) as error:
        pc.observations.record(resident, readings, confirmed=True)
    assert error.value.field == field
    assert pc.notes.timeline(resident) == before  # nothing half-saved


def test_unusual_readings_need_confirming(pc: DesktopServices, resident: str) -> None:
    readings = ObservationInput(pulse=38, blood_glucose=3.1)
    before = pc.notes.timeline(resident)
    with pytest.raises(NeedsConfirmation) as asked:
        pc.observations.record(resident, readings)
    assert len(asked.value.messages) == 2
    assert asked.value.messages[0].startswith("Pulse 38 beats a minute is unusual")
    assert "hypoglycaemia plan" in asked.value.messages[1]
    assert pc.notes.timeline(resident) == before
    saved = pc.observations.record(resident, readings, confirmed=True)
    assert newest_observation(pc, resident).endswith("Pulse 38/min, blood glucose 3.1 mmol/L.")
    assert saved.news2.pulse == 3


def test_a_time_in_the_future_is_refused(pc: DesktopServices, resident: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be in the future") as error:
        pc.observations.record(resident, NORMAL, occurred_at=NOW + dt.timedelta(hours=1))
    assert error.value.field == "occurred_at"
    with pytest.raises(InvalidInput, match="Record at least one reading"):
        pc.observations.record(resident, ObservationInput())


def test_a_weight_change_is_judged_against_the_last_weight(
    pc: DesktopServices, resident: str
) -> None:
    obs = pc.observations
    obs.record(resident, ObservationInput(weight_kg=62.0), occurred_at=NOW - dt.timedelta(days=7))
    obs.record(resident, ObservationInput(weight_kg=61.5), occurred_at=NOW - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="a body cannot change that much") as error:
        obs.record(resident, ObservationInput(weight_kg=82.0))  # 20.5 kg in a day
    assert error.value.field == "weight_kg"
    with pytest.raises(NeedsConfirmation, match="Re-weigh on the same scales"):
        obs.record(resident, ObservationInput(weight_kg=64.0))  # 2.5 kg in a day
    obs.record(resident, ObservationInput(weight_kg=64.0), confirmed=True)
    assert obs.last_weight(resident) == 64.0


def test_a_wrong_weight_entered_in_error_no_longer_counts(
    pc: DesktopServices, resident: str
) -> None:
    obs = pc.observations
    obs.record(resident, ObservationInput(weight_kg=62.0), occurred_at=NOW - dt.timedelta(days=8))
    wrong = obs.record(
        resident,
        ObservationInput(weight_kg=75.0),  # 13 kg in a week: possible, so only confirmed
        occurred_at=NOW - dt.timedelta(days=1),
        confirmed=True,
    )
    with pytest.raises(InvalidInput, match="mark it entered in error first"):
        obs.record(resident, ObservationInput(weight_kg=61.8))
    with pytest.raises(InvalidInput, match="Say why"):
        obs.mark_entered_in_error(wrong.record_id, " ")
    obs.mark_entered_in_error(wrong.record_id, "Weighed in the wheelchair")
    obs.record(resident, ObservationInput(weight_kg=61.8))
    assert obs.last_weight(resident) == 61.8
    entries = pc.notes.timeline(resident, entities=("observation",))
    struck = next(e for e in entries if e.record_id == wrong.record_id)
    assert struck.status == "entered_in_error"


def test_soft_signs_alone_are_recorded_with_the_baseline_in_an_sbard_prompt(
    pc: DesktopServices, resident: str
) -> None:
    obs = pc.observations
    assert obs.baseline(resident).empty
    with pytest.raises(InvalidInput, match="at least one part"):
        obs.save_baseline(resident, {"usual_mobility": "  "})
    obs.save_baseline(
        resident,
        {"usual_alertness": "Chatty, knows staff by name", "usual_mobility": "Walks with frame"},
    )
    baseline = obs.save_baseline(resident, {"usual_eating_drinking": "Eats well at lunch"})
    assert baseline.usual["usual_alertness"] == "Chatty, knows staff by name"
    assert baseline.usual["usual_eating_drinking"] == "Eats well at lunch"
    assert baseline.reviewed_on == dt.date.today().isoformat()

    saved = obs.record(
        resident,
        ObservationInput(),
        soft_signs=["confusion_or_drowsy", "eating_drinking_less"],
        note="Did not recognise her daughter.",
    )  # RESTORE2mini: soft signs only
    assert not saved.news2_recorded
    assert saved.sbard is not None
    sections = dict(saved.sbard.sections)
    assert list(sections) == ["Situation", "Background", "Assessment", "Recommendation", "Decision"]
    assert "new or worse confusion" in sections["Situation"]
    assert "Alertness, memory and confusion: Chatty, knows staff by name" in sections["Background"]
    assert "Take a full set of observations" in sections["Recommendation"]
    summary = newest_observation(pc, resident)
    assert summary == (
        "Soft signs: new or worse confusion, or more sleepy than usual; eating or drinking less "
        "than usual. Did not recognise her daughter."
    )
    with pytest.raises(InvalidInput) as error:
        obs.record(resident, ObservationInput(), soft_signs=["grumpy"])
    assert error.value.field == "soft_signs"


def test_care_assistants_record_observations_but_not_the_baseline(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    pc = enrol_pc("carer-pc")
    pc.session.sign_in(wcn_server.staff("care_assistant").username, DEMO_PASSWORD)
    resident = pc.residents.list_residents()[0].resident_id
    assert pc.observations.record(resident, NORMAL).news2.total == 0
    with pytest.raises(NotAllowed):
        pc.observations.save_baseline(resident, {"usual_mood": "Cheerful"})


def test_form_text_is_read_into_numbers_or_refused_at_the_field() -> None:
    readings = read_form(
        {"temperature": "37,2", "pulse": "88", "spo2": "95 %", "weight_kg": ""},
        spo2_scale=2,
        on_oxygen=True,
        consciousness="C",
    )
    assert readings == ObservationInput(
        temperature=37.2, pulse=88, spo2=95, spo2_scale=2, on_oxygen=True, consciousness="C"
    )
    assert readings.values()["spo2_scale"] == 2
    with pytest.raises(InvalidInput) as error:
        read_form({"pulse": "eighty"})
    assert error.value.field == "pulse"
    with pytest.raises(InvalidInput, match="whole number"):
        read_form({"respiration_rate": "16.5"})


def test_trends_give_weight_news2_and_fluid_series(pc: DesktopServices, resident: str) -> None:
    obs, notes = pc.observations, pc.notes
    empty = obs.trends(resident, Span.DAYS, now=NOW)
    assert empty.weight.empty
    # Midday on the UK days before: a run just after midnight still finds them on those days.
    noon_before = (NOW.astimezone(UK) - dt.timedelta(days=1)).replace(hour=12, minute=0, second=0)
    obs.record(
        resident, ObservationInput(weight_kg=60.0), occurred_at=noon_before - dt.timedelta(days=2)
    )
    obs.record(resident, ObservationInput(weight_kg=60.5), occurred_at=noon_before)
    obs.record(resident, UNWELL, occurred_at=noon_before - dt.timedelta(minutes=5))
    obs.record(resident, NORMAL, occurred_at=noon_before - dt.timedelta(minutes=1))
    notes.record_note(resident, "food_fluid", details={"fluid_ml": 200})
    notes.record_note(resident, "food_fluid", details={"fluid_ml": 250})

    trends = obs.trends(resident, Span.DAYS, now=NOW)
    assert len(trends.weight.points) == 14
    assert trends.weight.latest is not None and trends.weight.latest.value == 60.5
    yesterday = trends.news2.points[-2]
    assert yesterday.value == 7 and yesterday.readings >= 2  # the worst of the day
    today = trends.fluids.points[-1]
    assert today.value is not None and today.value >= 450
    assert [p.value for p in trends.weight.points].count(None) == 12

    months = obs.trends(resident, Span.MONTHS, now=NOW)
    assert len(months.news2.points) == 12
    assert months.weight.latest is not None and months.weight.latest.value == 60.5


def test_the_form_starts_on_the_residents_usual_spo2_scale(
    pc: DesktopServices, resident: str
) -> None:
    obs = pc.observations
    assert obs.usual_spo2_scale(resident) == 1
    scale_2 = ObservationInput(spo2=90, spo2_scale=2, on_oxygen=False)
    saved = obs.record(resident, scale_2)
    assert saved.news2.spo2 == 0  # 88–92% is on target on scale 2
    assert obs.usual_spo2_scale(resident) == 2
    assert "SpO2 90% (scale 2)" in newest_observation(pc, resident)


def test_observations_and_the_baseline_reach_another_pc_and_the_baseline_merges_per_field(
    enrol_pc: Callable[[str], DesktopServices], wcn_server: InProcessServer
) -> None:
    ward, office = enrol_pc("ward-pc"), enrol_pc("office-pc")
    ward.session.sign_in(wcn_server.staff("nurse").username, DEMO_PASSWORD)
    office.session.sign_in(wcn_server.staff("senior_carer").username, DEMO_PASSWORD)
    resident = ward.residents.list_residents()[0].resident_id
    saved = ward.observations.record(resident, UNWELL, soft_signs=["pain"])
    ward.observations.save_baseline(resident, {"usual_mobility": "Walks with a frame"})
    ward.sync.sync_now()
    office.sync.sync_now()
    entry = next(e for e in office.notes.timeline(resident) if e.record_id == saved.record_id)
    assert entry.score_label == "NEWS2 7" and "Soft signs: new pain" in entry.summary
    assert office.observations.baseline(resident).usual["usual_mobility"] == "Walks with a frame"

    # Both PCs change a different part of the baseline before either syncs.
    ward.observations.save_baseline(
        resident, {"usual_mobility": "Walks with a frame", "usual_skin": "Dry, fragile shins"}
    )
    office.observations.save_baseline(
        resident, {"usual_mobility": "Walks with a frame", "usual_mood": "Sings in the morning"}
    )
    ward.sync.sync_now()
    office.sync.sync_now()
    ward.sync.sync_now()
    for pc in (ward, office):
        usual = pc.observations.baseline(resident).usual
        assert usual["usual_skin"] == "Dry, fragile shins"
        assert usual["usual_mood"] == "Sings in the morning"
        assert usual["usual_mobility"] == "Walks with a frame"
        assert pc.reviews.items() == []
