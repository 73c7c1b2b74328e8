"""Assessments as records: stored inputs read back, scored, incomplete ones without a score."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import assessment_records as ar
from shared.assessments import AssessmentInputError
from shared.care_plans import AREAS


def item_value(item: ar.ItemSpec) -> st.SearchStrategy[Any]:
    if item.kind is ar.ItemKind.POINTS:
        return st.integers(item.lowest, item.highest if item.highest is not None else 6)
    if item.kind is ar.ItemKind.YES_NO:
        return st.booleans()
    if item.kind is ar.ItemKind.CHOICE:
        return st.sampled_from(item.choices)
    if item.kind is ar.ItemKind.TEXT_LIST:
        return st.lists(st.sampled_from(["Rolled out of bed twice", "Agreed with family"]))
    return {
        "height_m": st.sampled_from([1.5, 1.62, 1.8]),
        "weight_kg": st.sampled_from([45.0, 60.5, 80.0]),
        "weight_3_to_6_months_ago_kg": st.sampled_from([50.0, 62.0, 79.0]),
    }[item.name]


@st.composite
def stored_inputs(draw: st.DrawFn, complete: bool = False) -> tuple[str, dict[str, Any]]:
    key = draw(st.sampled_from(ar.TOOL_KEYS))
    spec = ar.TOOLS[key]
    values: dict[str, Any] = {}
    for item in spec.items:
        if complete or draw(st.booleans()):
            values[item.name] = draw(item_value(item))
    return key, values


def test_every_tool_is_described_and_points_to_a_care_plan_section() -> None:
    for key, spec in ar.TOOLS.items():
        assert spec.key == key and spec.items
        assert ar.score_inputs(key, {}).care_plan_area in AREAS


@given(stored_inputs())
def test_a_score_exists_only_when_complete(stored: tuple[str, dict[str, Any]]) -> None:
    key, values = stored
    scored = ar.score_inputs(key, values)
    assert scored.complete == (scored.missing == ())
    if not scored.complete:
        assert scored.score is None and scored.band is None
        assert scored.summary.startswith("Incomplete, no score")
    if scored.score is not None:
        assert key in ("must", "waterlow", "barthel", "abbey", "painad")


@given(stored_inputs(complete=True))
def test_complete_inputs_give_a_complete_result(stored: tuple[str, dict[str, Any]]) -> None:
    key, values = stored
    scored = ar.score_inputs(key, values)
    if key == "bed_rails" and not values.get("reasons"):
        return  # a decision needs reasons: incomplete without them
    assert scored.complete
    if key in ("must", "waterlow", "barthel", "abbey", "painad"):
        assert scored.score is not None


@given(stored_inputs())
def test_stored_json_reads_back_to_the_same_result(stored: tuple[str, dict[str, Any]]) -> None:
    key, values = stored
    parsed = ar.parse_inputs(key, values)
    again = ar.inputs_as_json(parsed.__dict__)
    assert ar.score_inputs(key, again) == ar.score_inputs(key, values)


def test_unknown_items_tools_and_answers_are_refused() -> None:
    with pytest.raises(AssessmentInputError, match="no item"):
        ar.score_inputs("barthel", {"singing": 2})
    with pytest.raises(AssessmentInputError, match="not an assessment"):
        ar.score_inputs("astrology", {})
    with pytest.raises(AssessmentInputError, match="must be one of") as error:
        ar.score_inputs("must", {"acute_disease_effect": "sometimes"})
    assert error.value.field == "acute_disease_effect"
    with pytest.raises(AssessmentInputError, match="out of range"):
        ar.score_inputs("painad", {"breathing": 3})


def test_summaries_read_as_a_person_would_say_them() -> None:
    waterlow = {item.name: 2 for item in ar.TOOLS["waterlow"].items[:6]}
    waterlow |= {item.name: 0 for item in ar.TOOLS["waterlow"].items[6:]}
    assert ar.score_inputs("waterlow", waterlow).summary == "Waterlow 12: at risk."
    barthel = {item.name: item.highest for item in ar.TOOLS["barthel"].items}
    assert ar.score_inputs("barthel", barthel).summary == "Barthel 20/20 (100/100)."
    falls = {item.name: False for item in ar.TOOLS["falls"].items}
    scored = ar.score_inputs("falls", falls | {"sight_problems": True})
    assert scored.band == "1 risk factor found" and scored.score is None
    assert any(line.startswith("Sight problems:") for line in scored.advice)
