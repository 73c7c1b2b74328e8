"""The oral health assessment. The reference describes no tool, so the module only records the
assessor's answers; these tests pin that it scores nothing and turns each "yes" into an action."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, oral_health
from shared.assessments.oral_health import OralHealthInput

QUESTIONS = ("needs_help_with_mouth_care", "wears_dentures", "needs_dentist")


@given(st.fixed_dictionaries({name: st.booleans() for name in QUESTIONS}))
def test_each_yes_becomes_one_action(values: dict[str, bool]) -> None:
    result = oral_health.score(OralHealthInput(**values))
    assert result.complete
    assert len(result.actions) == sum(values.values())
    assert result.care_plan_area is CarePlanArea.PERSONAL_CARE
    for name in ("total", "band"):
        assert not hasattr(result, name)


def test_worked_example() -> None:
    result = oral_health.score(OralHealthInput(True, False, True))
    assert result.actions == (
        "Plan the help with daily mouth care the resident needs.",
        "Arrange for the resident to see a dentist.",
    )


@given(st.fixed_dictionaries({name: st.none() | st.booleans() for name in QUESTIONS}))
def test_an_incomplete_assessment_gives_no_actions(values: dict[str, bool | None]) -> None:
    result = oral_health.score(OralHealthInput(**values))
    not_answered = [name for name in QUESTIONS if values[name] is None]
    assert len(result.missing) == len(not_answered)
    if not_answered:
        assert not result.complete and result.actions == () and result.review_key is None


@pytest.mark.parametrize("field", QUESTIONS)
def test_an_answer_that_is_not_yes_or_no_is_refused_by_name(field: str) -> None:
    with pytest.raises(AssessmentInputError, match="yes or no") as raised:
        OralHealthInput(**{field: "no"})  # type: ignore[arg-type]
    assert raised.value.field == field
