"""NEWS2 scoring against the RCP 2017 chart, written out here independently as data."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import news2
from shared.news2 import Consciousness, News2Input, RiskBand, Spo2Scale

# The chart's rows as (lowest, highest, score), bounds inclusive, None for an open end.
# Copied from uk-care-standards.md section 2.5, not from shared/news2.py.
Row = list[tuple[int | None, int | None, int]]
RESPIRATION: Row = [(None, 8, 3), (9, 11, 1), (12, 20, 0), (21, 24, 2), (25, None, 3)]
SPO2_SCALE_1: Row = [(None, 91, 3), (92, 93, 2), (94, 95, 1), (96, None, 0)]
SPO2_SCALE_2_ON_AIR: Row = [(None, 83, 3), (84, 85, 2), (86, 87, 1), (88, 92, 0), (93, None, 0)]
SPO2_SCALE_2_ON_OXYGEN: Row = [
    (None, 83, 3),
    (84, 85, 2),
    (86, 87, 1),
    (88, 92, 0),
    (93, 94, 1),
    (95, 96, 2),
    (97, None, 3),
]
SYSTOLIC: Row = [(None, 90, 3), (91, 100, 2), (101, 110, 1), (111, 219, 0), (220, None, 3)]
PULSE: Row = [
    (None, 40, 3),
    (41, 50, 1),
    (51, 90, 0),
    (91, 110, 1),
    (111, 130, 2),
    (131, None, 3),
]
# Temperature in tenths of a degree, as the chart is written (35.1–36.0 and so on).
TEMPERATURE_TENTHS: Row = [
    (None, 350, 3),
    (351, 360, 1),
    (361, 380, 0),
    (381, 390, 1),
    (391, None, 2),
]
OXYGEN_POINTS = {False: 0, True: 2}
CONSCIOUSNESS_POINTS = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}


def chart(row: Row, value: int) -> int:
    matches = [
        points
        for low, high, points in row
        if (low is None or value >= low) and (high is None or value <= high)
    ]
    assert len(matches) == 1, f"the chart row must cover {value} exactly once"
    return matches[0]


def chart_spo2(spo2: int, scale: Spo2Scale, on_oxygen: bool) -> int:
    if scale is Spo2Scale.SCALE_1:
        return chart(SPO2_SCALE_1, spo2)
    return chart(SPO2_SCALE_2_ON_OXYGEN if on_oxygen else SPO2_SCALE_2_ON_AIR, spo2)


def chart_band(total: int, any_three: bool) -> str:
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    if any_three:
        return "low-medium"
    return "low"


def chart_total(obs: News2Input) -> tuple[int, bool]:
    assert obs.respiration_rate is not None and obs.spo2 is not None
    assert obs.on_oxygen is not None and obs.systolic_bp is not None
    assert obs.pulse is not None and obs.consciousness is not None
    assert obs.temperature is not None
    points = [
        chart(RESPIRATION, obs.respiration_rate),
        chart_spo2(obs.spo2, obs.spo2_scale, obs.on_oxygen),
        OXYGEN_POINTS[obs.on_oxygen],
        chart(SYSTOLIC, obs.systolic_bp),
        chart(PULSE, obs.pulse),
        CONSCIOUSNESS_POINTS[obs.consciousness.value],
        chart(TEMPERATURE_TENTHS, round(obs.temperature * 10)),
    ]
    return sum(points), 3 in points


scales = st.sampled_from(Spo2Scale)
levels = st.sampled_from(Consciousness)
temperatures = st.integers(300, 420).map(lambda tenths: tenths / 10)

complete_inputs = st.builds(
    News2Input,
    respiration_rate=st.integers(0, 60),
    spo2=st.integers(70, 100),
    on_oxygen=st.booleans(),
    systolic_bp=st.integers(50, 280),
    pulse=st.integers(20, 200),
    consciousness=levels,
    temperature=temperatures,
    spo2_scale=scales,
)
FIELDS = ("respiration_rate", "spo2", "on_oxygen", "systolic_bp", "pulse", "consciousness")
ALL_FIELDS = (*FIELDS, "temperature")


def normal(**changes: object) -> News2Input:
    """A resident with every parameter in the 0 band, with some parameters changed."""
    base = News2Input(
        respiration_rate=16,
        spo2=97,
        on_oxygen=False,
        systolic_bp=130,
        pulse=72,
        consciousness=Consciousness.ALERT,
        temperature=36.8,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- each parameter against its chart row ---------------------------------------------


@given(st.integers(-20, 300))
def test_respiration_rate_follows_the_chart(rate: int) -> None:
    assert news2.score_respiration_rate(rate) == chart(RESPIRATION, rate)


@given(st.integers(-20, 300))
def test_systolic_bp_follows_the_chart(systolic: int) -> None:
    assert news2.score_systolic_bp(systolic) == chart(SYSTOLIC, systolic)


@given(st.integers(-20, 300))
def test_pulse_follows_the_chart(pulse: int) -> None:
    assert news2.score_pulse(pulse) == chart(PULSE, pulse)


@given(st.integers(-100, 600))
def test_temperature_follows_the_chart_to_one_decimal(tenths: int) -> None:
    assert news2.score_temperature(tenths / 10) == chart(TEMPERATURE_TENTHS, tenths)


@given(st.integers(-10, 110), scales, st.booleans())
def test_spo2_follows_the_chart_on_both_scales(spo2: int, scale: Spo2Scale, oxygen: bool) -> None:
    assert news2.score_spo2(spo2, scale, oxygen) == chart_spo2(spo2, scale, oxygen)


@given(st.integers(93, 100))
def test_scale_2_above_target_cannot_be_scored_without_air_or_oxygen(spo2: int) -> None:
    assert news2.score_spo2(spo2, Spo2Scale.SCALE_2, None) is None
    result = news2.score(normal(spo2=spo2, spo2_scale=Spo2Scale.SCALE_2, on_oxygen=None))
    assert result.spo2 is None
    assert result.total is None
    assert "SpO2" in result.missing and "air or oxygen" in result.missing


@given(st.integers(0, 92))
def test_scale_2_at_or_below_target_scores_without_air_or_oxygen(spo2: int) -> None:
    assert news2.score_spo2(spo2, Spo2Scale.SCALE_2, None) == chart(SPO2_SCALE_2_ON_AIR, spo2)


@given(levels)
def test_any_level_but_alert_scores_three(level: Consciousness) -> None:
    assert news2.score_consciousness(level) == CONSCIOUSNESS_POINTS[level.value]


def test_parameter_colours_follow_the_observation_chart() -> None:
    assert [news2.parameter_colour(points) for points in range(4)] == [
        "white",
        "yellow",
        "orange",
        "red",
    ]


# --- a whole set ----------------------------------------------------------------------


@given(complete_inputs)
def test_a_complete_set_scores_the_chart_total_and_band(obs: News2Input) -> None:
    result = news2.score(obs)
    total, any_three = chart_total(obs)
    assert result.complete
    assert result.missing == ()
    assert result.total == total
    assert result.total == sum(v for v in result.scores.values() if v is not None)
    assert result.any_single_three is any_three
    assert result.band is not None
    assert result.band.value == chart_band(total, any_three)
    assert result.minimum_band is result.band
    assert result.colour == news2.BAND_COLOURS[result.band]
    assert result.escalation
    assert result.monitoring


@given(complete_inputs)
def test_the_monitoring_frequency_is_the_one_the_chart_gives(obs: News2Input) -> None:
    result = news2.score(obs)
    total, any_three = chart_total(obs)
    if total >= 7:
        assert result.monitoring == "Continuous monitoring of vital signs"
        assert result.escalation.startswith("Emergency response")
    elif total >= 5:
        assert result.monitoring == "Minimum hourly"
        assert result.escalation.startswith("Urgent response")
    elif any_three:
        assert result.monitoring == "Minimum hourly"
        assert "medical team" in result.escalation
    elif total >= 1:
        assert result.monitoring == "Minimum 4–6-hourly"
        assert "registered nurse" in result.escalation
    else:
        assert result.monitoring == "Minimum 12-hourly"


@given(complete_inputs, st.sets(st.sampled_from(ALL_FIELDS), min_size=1))
def test_an_incomplete_set_has_no_total_and_never_understates_the_risk(
    obs: News2Input, blank: set[str]
) -> None:
    complete = news2.score(obs)
    partial = news2.score(replace(obs, **{name: None for name in blank}))  # type: ignore[arg-type]
    assert not partial.complete
    assert partial.total is None
    assert partial.band is None
    assert {news2.PARAMETERS[name] for name in blank} <= set(partial.missing)
    assert complete.band is not None
    # Whatever the missing values turn out to be, the band can only be as high or higher.
    assert news2.band_rank(partial.minimum_band) <= news2.band_rank(complete.band)
    assert "Record the missing observations" in partial.escalation
    recorded = [v for v in partial.scores.values() if v is not None]
    assert partial.any_single_three is (3 in recorded)
    if partial.minimum_band is RiskBand.LOW:
        assert partial.colour == news2.INCOMPLETE_COLOUR
    else:
        assert partial.colour == news2.BAND_COLOURS[partial.minimum_band]
        assert partial.escalation.startswith("Incomplete, but already at least")


def test_nothing_recorded_is_incomplete_not_zero() -> None:
    result = news2.score(News2Input())
    assert result.total is None
    assert result.band is None
    assert result.missing == tuple(news2.PARAMETERS.values())
    assert result.colour == "grey"


def test_a_not_a_number_reading_counts_as_missing() -> None:
    for name in ("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature"):
        for bad in (math.nan, math.inf, -math.inf):
            result = news2.score(normal(**{name: bad}))
            assert result.total is None
            assert news2.PARAMETERS[name] in result.missing
            assert news2.implausible(normal(**{name: bad}))


# --- worked examples, scored by hand from the chart -------------------------------------


def test_worked_example_all_normal() -> None:
    result = news2.score(normal())
    assert result.total == 0
    assert result.band is RiskBand.LOW
    assert result.colour == "green"
    assert result.monitoring == "Minimum 12-hourly"
    assert result.escalation == "Continue routine NEWS monitoring."


def test_worked_example_new_confusion_alone_is_low_medium() -> None:
    result = news2.score(normal(consciousness=Consciousness.NEW_CONFUSION))
    assert result.total == 3
    assert result.any_single_three
    assert result.band is RiskBand.LOW_MEDIUM
    assert result.colour == "yellow"
    assert result.monitoring == "Minimum hourly"


def test_worked_example_four_without_a_three_is_low() -> None:
    # respiration 22 (2), SpO2 95 (1), pulse 95 (1)
    result = news2.score(normal(respiration_rate=22, spo2=95, pulse=95))
    assert (result.respiration_rate, result.spo2, result.pulse) == (2, 1, 1)
    assert result.total == 4
    assert result.band is RiskBand.LOW
    assert result.monitoring == "Minimum 4–6-hourly"


def test_worked_example_five_is_medium() -> None:
    # respiration 22 (2), SpO2 95 (1), systolic 105 (1), pulse 95 (1)
    result = news2.score(normal(respiration_rate=22, spo2=95, systolic_bp=105, pulse=95))
    assert result.total == 5
    assert result.band is RiskBand.MEDIUM
    assert result.colour == "orange"


def test_worked_example_a_three_within_five_is_medium_not_low_medium() -> None:
    # pulse 131 (3), temperature 39.1 (2)
    result = news2.score(normal(pulse=131, temperature=39.1))
    assert result.total == 5
    assert result.any_single_three
    assert result.band is RiskBand.MEDIUM


def test_worked_example_seven_is_high() -> None:
    # respiration 25 (3), oxygen (2), temperature 39.1 (2)
    result = news2.score(normal(respiration_rate=25, on_oxygen=True, temperature=39.1))
    assert result.total == 7
    assert result.band is RiskBand.HIGH
    assert result.colour == "red"
    assert result.monitoring == "Continuous monitoring of vital signs"


def test_worked_example_everything_deranged() -> None:
    obs = News2Input(
        respiration_rate=26,  # 3
        spo2=91,  # 3
        on_oxygen=True,  # 2
        systolic_bp=95,  # 2
        pulse=115,  # 2
        consciousness=Consciousness.VOICE,  # 3
        temperature=39.5,  # 2
    )
    assert news2.score(obs).total == 17


def test_worked_examples_scale_2() -> None:
    scale_2 = Spo2Scale.SCALE_2
    # In target on oxygen: SpO2 0, oxygen 2.
    on_target = news2.score(normal(spo2=90, on_oxygen=True, spo2_scale=scale_2))
    assert (on_target.spo2, on_target.on_oxygen, on_target.total) == (0, 2, 2)
    # Above target on air is not penalised on scale 2...
    assert news2.score(normal(spo2=97, spo2_scale=scale_2)).total == 0
    # ...but is on oxygen: 95% scores 2, plus 2 for the oxygen.
    assert news2.score(normal(spo2=95, on_oxygen=True, spo2_scale=scale_2)).total == 4
    # The same reading on scale 1 scores 1 (94–95%), plus 2 for the oxygen.
    assert news2.score(normal(spo2=95, on_oxygen=True)).total == 3
    # 88% is in target on scale 2 and a red score on scale 1.
    assert news2.score(normal(spo2=88, spo2_scale=scale_2)).total == 0
    assert news2.score(normal(spo2=88)).band is RiskBand.LOW_MEDIUM


@pytest.mark.parametrize(
    ("celsius", "points"),
    [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2)],
)
def test_worked_examples_temperature_band_edges(celsius: float, points: int) -> None:
    assert news2.score(normal(temperature=celsius)).temperature == points


def test_a_temperature_between_chart_steps_scores_with_the_band_above() -> None:
    assert news2.score_temperature(35.05) == news2.score_temperature(35.1) == 1
    assert news2.score_temperature(38.04) == news2.score_temperature(38.1) == 1


def test_result_is_immutable() -> None:
    result = news2.score(normal())
    with pytest.raises(AttributeError):
        result.total = 3  # type: ignore[misc]


# --- reading stored observation values --------------------------------------------------


def test_from_values_reads_an_observation_record() -> None:
    values = {
        "respiration_rate": 18,
        "spo2": 95,
        "spo2_scale": 2,
        "on_oxygen": True,
        "systolic_bp": 120,
        "diastolic_bp": 80,
        "pulse": 88,
        "consciousness": "C",
        "temperature": 37,
    }
    obs = News2Input.from_values(values)
    assert obs == News2Input(18, 95, True, 120, 88, Consciousness.NEW_CONFUSION, 37, Spo2Scale(2))
    assert News2Input.from_values({}) == News2Input()
    assert News2Input.from_values({"spo2_scale": None}).spo2_scale is Spo2Scale.SCALE_1


@pytest.mark.parametrize(
    "values",
    [
        {"pulse": "72"},
        {"pulse": True},
        {"spo2": 96.5},
        {"temperature": "37.0"},
        {"on_oxygen": 1},
        {"consciousness": "confused"},
        {"consciousness": ["A"]},
        {"spo2_scale": 3},
        {"spo2_scale": True},
    ],
)
def test_from_values_refuses_values_of_the_wrong_kind(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        News2Input.from_values(values)


# --- impossible and unusual readings ---------------------------------------------------


@pytest.mark.parametrize(
    ("obs", "mentions"),
    [
        (News2Input(temperature=60.0), "Temperature 60 °C"),
        (News2Input(temperature=98.6), "Fahrenheit"),
        (News2Input(pulse=0), "Pulse 0"),
        (News2Input(spo2=101), "SpO2 101%"),
        (News2Input(respiration_rate=-4), "negative"),
        (News2Input(systolic_bp=-120), "negative"),
        (News2Input(systolic_bp=1200), "Systolic blood pressure 1200 mmHg"),
        (News2Input(respiration_rate=0), "emergency procedure"),
    ],
)
def test_impossible_readings_are_named_in_plain_english(obs: News2Input, mentions: str) -> None:
    messages = news2.implausible(obs)
    assert len(messages) == 1
    assert mentions in messages[0]


def test_each_impossible_reading_gets_its_own_message() -> None:
    obs = News2Input(respiration_rate=-1, spo2=120, systolic_bp=0, pulse=0, temperature=60)
    assert len(news2.implausible(obs)) == 5


living_inputs = st.builds(
    News2Input,
    respiration_rate=st.integers(4, 60),
    spo2=st.integers(60, 100),
    systolic_bp=st.integers(60, 260),
    pulse=st.integers(25, 220),
    temperature=st.integers(300, 425).map(lambda tenths: tenths / 10),
)


@given(living_inputs)
def test_readings_of_very_ill_but_living_residents_are_never_refused(obs: News2Input) -> None:
    # Every score of 3 on the chart must be recordable.
    assert news2.implausible(obs) == []


@given(
    st.sampled_from(("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature")),
    st.integers(-1000, -1),
)
def test_any_negative_reading_is_impossible(name: str, value: int) -> None:
    messages = news2.implausible(News2Input(**{name: value}))  # type: ignore[arg-type]
    assert len(messages) == 1
    assert "negative" in messages[0]
    assert news2.unusual(News2Input(**{name: value})) == []  # type: ignore[arg-type]


@given(
    st.sampled_from(("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature")),
    st.integers(-50, 400),
)
def test_a_reading_is_never_both_impossible_and_unusual(name: str, value: int) -> None:
    obs = News2Input(**{name: value})  # type: ignore[arg-type]
    assert not (news2.implausible(obs) and news2.unusual(obs))


def test_the_resident_with_all_normal_readings_raises_nothing() -> None:
    assert news2.implausible(normal()) == []
    assert news2.unusual(normal()) == []


@pytest.mark.parametrize(
    ("obs", "mentions"),
    [
        (News2Input(pulse=35), "Pulse 35 beats a minute"),
        (News2Input(pulse=180), "Pulse 180"),
        (News2Input(spo2=72), "SpO2 72%"),
        (News2Input(temperature=33.2), "Temperature 33.2 °C"),
        (News2Input(respiration_rate=45), "Respiration rate 45"),
        (News2Input(systolic_bp=60), "Systolic blood pressure 60"),
    ],
)
def test_unusual_readings_ask_to_be_confirmed(obs: News2Input, mentions: str) -> None:
    messages = news2.unusual(obs)
    assert len(messages) == 1
    assert mentions in messages[0]
    assert "confirm" in messages[0]
    assert news2.implausible(obs) == []
