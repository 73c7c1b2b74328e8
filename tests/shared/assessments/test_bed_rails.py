"""The bed rails assessment: the assessor's decision and reasons, checked against the Mental
Capacity Act principles of uk-care-standards.md §2.13."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, bed_rails
from shared.assessments.bed_rails import BedRailsDecision, BedRailsInput, BedRailsOutcome

REASON = ("Rolled out of bed twice this month; cannot climb over rails; gaps checked.",)
USE, DO_NOT_USE = BedRailsDecision.USE, BedRailsDecision.DO_NOT_USE


def test_a_decision_not_to_use_rails_needs_only_its_reasons() -> None:
    result = bed_rails.score(BedRailsInput(DO_NOT_USE, ("Walks at night; could climb over.",)))
    assert result.complete and result.outcome is BedRailsOutcome.DO_NOT_USE
    assert result.reasons == ("Walks at night; could climb over.",)
    assert result.care_plan_area is CarePlanArea.MOBILITY_AND_FALLS


def test_a_resident_with_capacity_who_agrees() -> None:
    result = bed_rails.score(BedRailsInput(USE, REASON, True, resident_agrees=True))
    assert result.outcome is BedRailsOutcome.USE and result.reasons == REASON


def test_a_resident_with_capacity_may_refuse() -> None:
    result = bed_rails.score(BedRailsInput(USE, REASON, True, resident_agrees=False))
    assert result.outcome is BedRailsOutcome.NOT_YET
    assert result.reasons[0] == REASON[0]
    assert "does not agree" in result.reasons[1]


@given(st.booleans(), st.booleans())
def test_a_resident_without_capacity_needs_best_interests_and_less_restrictive_options(
    best_interests: bool, less_restrictive: bool
) -> None:
    result = bed_rails.score(
        BedRailsInput(
            USE,
            REASON,
            has_capacity_for_this_decision=False,
            best_interests_decision_recorded=best_interests,
            less_restrictive_options_considered=less_restrictive,
        )
    )
    assert result.complete
    if best_interests and less_restrictive:
        assert result.outcome is BedRailsOutcome.USE and result.reasons == REASON
    else:
        assert result.outcome is BedRailsOutcome.NOT_YET
        added = " ".join(result.reasons[1:])
        assert ("best-interests" in added) is (not best_interests)
        assert ("less restrictive" in added.lower()) is (not less_restrictive)


@pytest.mark.parametrize(
    ("given_input", "missing"),
    [
        (BedRailsInput(), ("decision about bed rails", "reasons for the decision")),
        (BedRailsInput(DO_NOT_USE, ("  ",)), ("reasons for the decision",)),
        (BedRailsInput(USE, REASON), ("whether the resident has capacity for this decision",)),
        (BedRailsInput(USE, REASON, True), ("whether the resident agrees to bed rails",)),
        (
            BedRailsInput(USE, REASON, False),
            (
                "whether a best-interests decision is recorded",
                "whether less restrictive options were considered",
            ),
        ),
    ],
)
def test_what_is_missing_depends_on_the_answers(
    given_input: BedRailsInput, missing: tuple[str, ...]
) -> None:
    result = bed_rails.score(given_input)
    assert result.missing == missing
    assert not result.complete and result.outcome is None and result.review_key is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decision", "maybe"),
        ("reasons", "not a tuple"),
        ("reasons", (1,)),
        ("reasons", ("x" * 1001,)),
        ("has_capacity_for_this_decision", "yes"),
        ("resident_agrees", 1),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(AssessmentInputError) as raised:
        BedRailsInput(**{field: value})  # type: ignore[arg-type]
    assert raised.value.field == field
