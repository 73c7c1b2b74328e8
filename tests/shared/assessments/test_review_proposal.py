"""``review_proposal``: a care plan area to review when, and only when, a band changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import (
    AssessmentInputError,
    AssessmentResult,
    CarePlanArea,
    abbey,
    bed_rails,
    falls,
    must,
    oral_health,
    painad,
    review_proposal,
    waterlow,
)
from shared.assessments.abbey import AbbeyInput
from shared.assessments.bed_rails import BedRailsDecision, BedRailsInput
from shared.assessments.falls import FallsInput
from shared.assessments.must import AcuteDiseaseEffect, MustInput
from shared.assessments.oral_health import OralHealthInput
from shared.assessments.painad import PainadInput
from shared.assessments.waterlow import WaterlowInput

WATERLOW_EDGES = (10, 15, 20)  # ≥10 at risk, ≥15 high, ≥20 very high


def waterlow_total(total: int) -> waterlow.WaterlowResult:
    zero = dict.fromkeys(waterlow.ITEMS, 0)
    return waterlow.score(WaterlowInput(**zero | {"mobility": total}))


def same_band(a: int, b: int) -> bool:
    return all((a >= edge) == (b >= edge) for edge in WATERLOW_EDGES)


@given(st.integers(0, 40), st.integers(0, 40))
def test_a_review_is_proposed_exactly_when_the_band_changes(before: int, after: int) -> None:
    proposal = review_proposal(waterlow_total(before), waterlow_total(after))
    assert proposal == (None if same_band(before, after) else "skin_integrity")


ALL_FALSE = dict.fromkeys(falls.QUESTIONS, False)


@pytest.mark.parametrize(
    ("before", "after", "area"),
    [
        (
            must.score(MustInput(1.7, 65.0, 65.0, False, AcuteDiseaseEffect.ABSENT)),
            must.score(MustInput(1.7, 50.0, 65.0, False, AcuteDiseaseEffect.ABSENT)),
            CarePlanArea.EATING_AND_DRINKING,
        ),
        (
            abbey.score(AbbeyInput(0, 0, 0, 0, 0, 0)),
            abbey.score(AbbeyInput(2, 2, 2, 2, 0, 0)),
            CarePlanArea.PAIN_MANAGEMENT,
        ),
        (
            painad.score(PainadInput(0, 0, 0, 0, 0)),
            painad.score(PainadInput(1, 0, 0, 0, 0)),
            CarePlanArea.PAIN_MANAGEMENT,
        ),
        (
            falls.score(FallsInput(**ALL_FALSE)),
            falls.score(FallsInput(**ALL_FALSE | {"sight_problems": True})),
            CarePlanArea.MOBILITY_AND_FALLS,
        ),
        (
            oral_health.score(OralHealthInput(False, False, False)),
            oral_health.score(OralHealthInput(False, False, True)),
            CarePlanArea.PERSONAL_CARE,
        ),
        (
            bed_rails.score(BedRailsInput(BedRailsDecision.DO_NOT_USE, ("Not needed.",))),
            bed_rails.score(BedRailsInput(BedRailsDecision.USE, ("Rolls out.",), True, True)),
            CarePlanArea.MOBILITY_AND_FALLS,
        ),
    ],
)
def test_each_tool_names_its_care_plan_area(
    before: AssessmentResult, after: AssessmentResult, area: CarePlanArea
) -> None:
    assert review_proposal(before, after) == area
    assert review_proposal(after, before) == area
    assert review_proposal(after, after) is None


def test_an_incomplete_result_proposes_nothing() -> None:
    incomplete = waterlow.score(WaterlowInput(mobility=5))
    assert review_proposal(incomplete, waterlow_total(25)) is None
    assert review_proposal(waterlow_total(25), incomplete) is None


def test_results_of_different_tools_cannot_be_compared() -> None:
    with pytest.raises(AssessmentInputError, match=r"Waterlow.*PAINAD"):
        review_proposal(waterlow_total(5), painad.score(PainadInput(0, 0, 0, 0, 0)))
