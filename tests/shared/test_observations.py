"""The checks beyond NEWS2: diastolic, glucose and weight limits, weight change against the
last weight, and the soft-sign and baseline lists the entities are built from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import observations as obs
from shared.entities import ENTITIES

weights = st.floats(25, 300, allow_nan=False)
days = st.floats(0, 400, allow_nan=False)


@given(weights, weights, days)
def test_a_weight_change_is_refused_or_confirmed_never_both(
    new: float, last: float, elapsed: float
) -> None:
    verdict = obs.weight_change(new, last, elapsed)
    assert not (verdict.refused and verdict.confirm)
    if abs(new - last) <= obs.WEIGHT_CONFIRM_KG:
        assert verdict == obs.WeightCheck(None, None)


@given(weights, st.floats(0, 50, allow_nan=False), st.floats(0, 50, allow_nan=False), days)
def test_a_bigger_change_is_never_judged_more_kindly(
    last: float, small: float, extra: float, elapsed: float
) -> None:
    def severity(change: float) -> int:
        verdict = obs.weight_change(last + change, last, elapsed)
        return 2 if verdict.refused else 1 if verdict.confirm else 0

    assert severity(small) <= severity(small + extra)
    assert severity(-small) <= severity(-(small + extra))


@given(weights, st.floats(0, 400, allow_nan=False))
def test_more_time_allows_more_change(last: float, elapsed: float) -> None:
    change = 15.0
    sooner = obs.weight_change(last + change, last, elapsed)
    later = obs.weight_change(last + change, last, elapsed + 30)
    assert bool(later.refused) <= bool(sooner.refused)


def test_twenty_kg_in_a_day_is_refused_and_two_and_a_half_is_confirmed() -> None:
    refused = obs.weight_change(82.0, 61.5, 0.5)
    assert refused.refused is not None and "entered in error" in refused.refused
    confirm = obs.weight_change(64.0, 61.5, 1)
    assert confirm.confirm is not None
    assert confirm.confirm.startswith("Weight 64 kg is 2.5 kg more than the last weight")


@pytest.mark.parametrize("key", sorted(obs.EXTRA_LIMITS))
def test_each_reading_is_implausible_or_unusual_never_both(key: str) -> None:
    low, high = obs.EXTRA_LIMITS[key].possible
    for value in (low - 1, low, (low + high) / 2, high, high + 1, -5.0):
        if obs.implausible_reading(key, value) is not None:
            assert obs.unusual_reading(key, value) is None


def test_glucose_in_mg_per_dl_and_a_hypo_are_explained() -> None:
    message = obs.implausible_reading("blood_glucose", 99)
    assert message is not None and "mg/dL (5.5 mmol/L)" in message
    hypo = obs.unusual_reading("blood_glucose", 3.2)
    assert hypo is not None and "hypoglycaemia plan" in hypo
    assert obs.blood_pressure_problem(120, 80) is None
    assert obs.blood_pressure_problem(80, 120) is not None


def test_the_baseline_entity_has_a_field_for_each_part_of_the_baseline() -> None:
    baseline = ENTITIES["soft_signs_baseline"]
    assert set(obs.BASELINE_FIELDS) <= set(baseline.field_map)
    assert baseline.resident_field == "resident_id"
    assert "soft_signs" in ENTITIES["observation"].field_map
