"""The pure checks behind the observations form, as properties: a reading is refused or
confirmed on its own field, never both; what the form reads back is what was typed; a stored
set always reads as a sentence, with a score only when every NEWS2 parameter is there."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from desktop.services.observation_checks import (
    ObservationInput,
    check,
    read_form,
    score,
    summarise,
)
from shared import news2

readings = st.builds(
    ObservationInput,
    temperature=st.none() | st.floats(-10, 120, allow_nan=False).map(lambda v: round(v, 1)),
    pulse=st.none() | st.integers(-5, 400),
    respiration_rate=st.none() | st.integers(-5, 90),
    systolic_bp=st.none() | st.integers(-5, 400),
    diastolic_bp=st.none() | st.integers(-5, 300),
    spo2=st.none() | st.integers(0, 110),
    spo2_scale=st.sampled_from((1, 2)),
    on_oxygen=st.none() | st.booleans(),
    consciousness=st.none() | st.sampled_from(("A", "C", "V", "P", "U")),
    blood_glucose=st.none() | st.floats(-1, 700, allow_nan=False).map(lambda v: round(v, 1)),
    weight_kg=st.none() | st.floats(-5, 500, allow_nan=False).map(lambda v: round(v, 1)),
)


@given(readings)
def test_a_reading_is_refused_or_confirmed_never_both_and_only_if_taken(
    taken: ObservationInput,
) -> None:
    result = check(taken)
    assert not set(result.refused) & set(result.unusual)
    for field in (*result.refused, *result.unusual):
        assert getattr(taken, field) is not None


@given(readings)
def test_only_a_full_set_is_scored(taken: ObservationInput) -> None:
    result = score(taken)
    complete = all(
        getattr(taken, key) is not None
        for key in ("respiration_rate", "spo2", "on_oxygen", "systolic_bp", "pulse")
    ) and (taken.consciousness is not None and taken.temperature is not None)
    assert (result.total is not None) == complete


@given(readings)
def test_the_form_reads_back_what_was_typed(taken: ObservationInput) -> None:
    texts = {key: f"{value:g}" for key, value in taken.values().items() if key in _NUMBERS}
    back = read_form(
        texts,
        spo2_scale=taken.spo2_scale,
        on_oxygen=taken.on_oxygen,
        consciousness=taken.consciousness,
    )
    assert back == taken


_NUMBERS = (
    "temperature",
    "pulse",
    "respiration_rate",
    "systolic_bp",
    "diastolic_bp",
    "spo2",
    "blood_glucose",
    "weight_kg",
)


@given(readings, st.lists(st.sampled_from(["pain", "skin", "breathing"]), unique=True))
def test_a_stored_set_always_reads_as_a_sentence(taken: ObservationInput, signs: list[str]) -> None:
    fields: dict[str, Any] = {"values": taken.values(), "soft_signs": signs}
    summary = summarise(fields)
    result = score(taken)
    if result.total is not None:
        assert summary.text.startswith(f"NEWS2 {result.total}, ")
        assert summary.score_label == f"NEWS2 {result.total}"
        assert summary.colour == news2.BAND_COLOURS[result.minimum_band]
    else:
        assert summary.score_label == ""
    if taken.recorded or signs:
        assert summary.text.endswith(".")
