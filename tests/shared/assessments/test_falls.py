"""The multifactorial falls assessment (NICE NG249, uk-care-standards.md §2.11): a checklist
that lists the factors found and an intervention for each, and never a risk score."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, falls
from shared.assessments.falls import FallsInput

# The factors issue 7 names, in checklist order, with a word each one's label must contain.
FACTORS = {
    "history_of_falls": "falls",
    "gait_or_balance_problems": "balance",
    "falls_risk_medicines": "medicines",
    "sight_problems": "sight",
    "continence_problems": "continence",
    "cognitive_impairment": "cognitive",
    "foot_or_footwear_problems": "footwear",
    "environmental_hazards": "environment",
    "fear_of_falling": "fear",
    "postural_hypotension": "postural hypotension",
}

answers = st.fixed_dictionaries({name: st.booleans() for name in FACTORS})


@given(answers)
def test_each_factor_found_is_listed_with_its_intervention(values: dict[str, bool]) -> None:
    result = falls.score(FallsInput(**values))
    found = [name for name in FACTORS if values[name]]
    assert result.complete and result.missing == ()
    assert len(result.factors_identified) == len(found)
    for name, factor in zip(found, result.factors_identified, strict=True):
        assert FACTORS[name] in factor.value
    assert [i.factor for i in result.interventions] == list(result.factors_identified)
    assert all(i.action.strip() for i in result.interventions)
    assert result.care_plan_area is CarePlanArea.MOBILITY_AND_FALLS


@given(answers)
def test_there_is_never_a_risk_score(values: dict[str, bool]) -> None:
    result = falls.score(FallsInput(**values))
    for name in ("total", "score", "band", "risk"):
        assert not hasattr(result, name)
    assert "NG249" in result.at_risk_statement
    assert "at risk of falls" in result.at_risk_statement


def test_a_resident_with_no_factors_found_is_still_treated_as_at_risk() -> None:
    result = falls.score(FallsInput(**dict.fromkeys(FACTORS, False)))
    assert result.complete and result.factors_identified == () and result.interventions == ()
    assert result.at_risk_statement.startswith("Treat the resident as at risk of falls")


def test_every_factor_calls_for_a_different_intervention() -> None:
    result = falls.score(FallsInput(**dict.fromkeys(FACTORS, True)))
    actions = [i.action for i in result.interventions]
    assert len(actions) == len(FACTORS) == len(set(actions))


@given(st.fixed_dictionaries({name: st.none() | st.booleans() for name in FACTORS}))
def test_an_incomplete_checklist_names_what_is_not_assessed(
    values: dict[str, bool | None],
) -> None:
    result = falls.score(FallsInput(**values))
    not_assessed = [name for name in FACTORS if values[name] is None]
    assert len(result.missing) == len(not_assessed)
    assert result.complete is (not not_assessed)
    # Factors already found are listed at once: acting on them need not wait.
    assert len(result.factors_identified) == sum(1 for v in values.values() if v is True)
    if not_assessed:
        assert result.review_key is None


@given(st.sampled_from(list(FACTORS)), st.integers() | st.text(max_size=3))
def test_an_answer_that_is_not_yes_or_no_is_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(AssessmentInputError, match="yes or no") as raised:
        FallsInput(**{field: value})  # type: ignore[arg-type]
    assert raised.value.field == field
    assert FACTORS[field] in str(raised.value).lower()
