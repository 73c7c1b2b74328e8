"""MUST screening against the cut-offs of uk-care-standards.md §2.7, written out here
independently as data. The reference has no worked examples, so the examples are worked by
hand from its cut-offs, at and either side of each one."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, must
from shared.assessments.must import AcuteDiseaseEffect, MustInput

Row = tuple[str, Callable[[Fraction], bool], int]
# Step 1: BMI >20 (>30 obese) = 0; 18.5–20 = 1; <18.5 = 2.
BMI_TABLE: list[Row] = [
    ("over 20", lambda bmi: bmi > 20, 0),
    ("18.5 to 20", lambda bmi: Fraction("18.5") <= bmi <= 20, 1),
    ("under 18.5", lambda bmi: bmi < Fraction("18.5"), 2),
]
# Step 2: unplanned weight loss in 3–6 months: <5% = 0; 5–10% = 1; >10% = 2.
WEIGHT_LOSS_TABLE: list[Row] = [
    ("under 5%", lambda percent: percent < 5, 0),
    ("5 to 10%", lambda percent: 5 <= percent <= 10, 1),
    ("over 10%", lambda percent: percent > 10, 2),
]
# Step 3: acutely ill with no intake for more than 5 days = 2 (may be omitted outside hospital).
ACUTE_POINTS = {"present": 2, "absent": 0, "omitted": 0}
# Step 4: 0 low, 1 medium, 2 or more high.
RISK = {0: "low", 1: "medium"}
FIELD_NAMES = {
    "height_m": "height",
    "weight_kg": "weight",
    "weight_3_to_6_months_ago_kg": "weight 3–6 months ago",
    "acute_disease_effect": "acute disease effect",
}


def table(rows: list[Row], value: Fraction) -> int:
    matches = [points for _, applies, points in rows if applies(value)]
    assert len(matches) == 1, f"the table must cover {value} exactly once"
    return matches[0]


def risk(total: int) -> str:
    return RISK.get(total, "high")


heights_cm = st.integers(140, 200)
weights_tenths = st.integers(300, 1500)
effects = st.sampled_from(AcuteDiseaseEffect)


@given(heights_cm, weights_tenths, weights_tenths, st.booleans(), effects)
@example(200, 800, 800, False, AcuteDiseaseEffect.ABSENT)  # BMI exactly 20
@example(200, 801, 801, False, AcuteDiseaseEffect.ABSENT)  # BMI just over 20
@example(200, 740, 740, False, AcuteDiseaseEffect.ABSENT)  # BMI exactly 18.5
@example(200, 739, 739, False, AcuteDiseaseEffect.ABSENT)  # BMI just under 18.5
@example(170, 630, 700, False, AcuteDiseaseEffect.ABSENT)  # exactly 10% lost
@example(170, 760, 800, False, AcuteDiseaseEffect.ABSENT)  # exactly 5% lost
@example(170, 719, 800, False, AcuteDiseaseEffect.ABSENT)  # just over 10% lost
@example(170, 600, 800, True, AcuteDiseaseEffect.PRESENT)  # planned loss is not scored
def test_a_complete_screening_follows_the_published_cut_offs(
    height_cm: int, weight: int, weight_before: int, planned: bool, effect: AcuteDiseaseEffect
) -> None:
    screening = MustInput(
        height_m=height_cm / 100,
        weight_kg=weight / 10,
        weight_3_to_6_months_ago_kg=weight_before / 10,
        weight_loss_planned=planned,
        acute_disease_effect=effect,
    )
    bmi = Fraction(weight, 10) / Fraction(height_cm, 100) ** 2
    lost = Fraction(weight_before - weight, weight_before) * 100
    percent = Fraction(0) if planned or lost < 0 else lost
    expected = [table(BMI_TABLE, bmi), table(WEIGHT_LOSS_TABLE, percent), ACUTE_POINTS[effect]]

    result = must.score(screening)

    assert result.complete and result.missing == ()
    assert [result.bmi_score, result.weight_loss_score, result.acute_disease_score] == expected
    assert result.total == sum(expected)
    assert result.band is not None and result.band.value == risk(sum(expected))
    assert result.obese is (bmi > 30)
    assert result.bmi == pytest.approx(float(bmi))
    assert result.unplanned_weight_loss_percent == pytest.approx(float(percent))
    assert result.care_plan_area is CarePlanArea.EATING_AND_DRINKING
    assert "monthly" in result.guidance
    assert result.guidance.lower().startswith(risk(sum(expected)))


@pytest.mark.parametrize(
    ("height", "weight", "before", "effect", "expected"),
    [
        (1.70, 65.0, 66.0, AcuteDiseaseEffect.OMITTED, (0, "low")),  # BMI 22.5, 1.5% lost
        (1.70, 57.8, 60.0, AcuteDiseaseEffect.ABSENT, (1, "medium")),  # BMI 20.0 exactly
        (1.60, 50.0, 56.0, AcuteDiseaseEffect.ABSENT, (3, "high")),  # BMI 19.5, 10.7% lost
        (1.60, 40.0, 40.0, AcuteDiseaseEffect.PRESENT, (4, "high")),  # BMI 15.6, ill, no intake
        (1.75, 100.0, 120.0, AcuteDiseaseEffect.ABSENT, (2, "high")),  # obese, 16.7% lost
    ],
)
def test_worked_examples(
    height: float,
    weight: float,
    before: float,
    effect: AcuteDiseaseEffect,
    expected: tuple[int, str],
) -> None:
    result = must.score(MustInput(height, weight, before, False, effect))
    assert result.band is not None
    assert (result.total, result.band.value) == expected


def test_an_omitted_acute_disease_step_is_an_answer_and_scores_nothing() -> None:
    result = must.score(MustInput(1.7, 65.0, 65.0, acute_disease_effect=AcuteDiseaseEffect.OMITTED))
    assert result.complete and result.acute_disease_score == 0 and result.total == 0


@given(
    st.none() | heights_cm,
    st.none() | weights_tenths,
    st.none() | weights_tenths,
    st.none() | effects,
)
def test_anything_missing_gives_no_total_and_no_band(
    height_cm: int | None, weight: int | None, before: int | None, effect: AcuteDiseaseEffect | None
) -> None:
    values = {
        "height_m": None if height_cm is None else height_cm / 100,
        "weight_kg": None if weight is None else weight / 10,
        "weight_3_to_6_months_ago_kg": None if before is None else before / 10,
        "acute_disease_effect": effect,
    }
    result = must.score(MustInput(**values))  # type: ignore[arg-type]
    not_recorded = [FIELD_NAMES[name] for name, value in values.items() if value is None]
    assert list(result.missing) == not_recorded
    assert result.complete is (not not_recorded)
    if not_recorded:
        assert result.total is None and result.band is None
        assert all(name in result.guidance for name in not_recorded)
        assert result.review_key is None


def test_a_step_is_scored_when_its_own_items_are_recorded() -> None:
    result = must.score(MustInput(height_m=1.6, weight_kg=40.0))
    assert result.bmi_score == 2
    assert result.weight_loss_score is None and result.acute_disease_score is None
    assert result.total is None and result.band is None


def bad_number(lowest: float, highest: float) -> st.SearchStrategy[float]:
    return st.floats(max_value=lowest, exclude_max=True) | st.floats(
        min_value=highest, exclude_min=True
    )


@given(bad_number(0.5, 2.5))
@example(3.0)
@example(0.0)
@example(170.0)
@example(math.nan)
@example(math.inf)
def test_an_impossible_height_is_refused_by_name(height: float) -> None:
    with pytest.raises(AssessmentInputError, match="Height") as raised:
        MustInput(height_m=height)
    assert raised.value.field == "height_m"
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("field", ["weight_kg", "weight_3_to_6_months_ago_kg"])
@given(weight=bad_number(10, 400))
@example(weight=0.0)
def test_an_impossible_weight_is_refused_by_name(field: str, weight: float) -> None:
    with pytest.raises(AssessmentInputError) as raised:
        MustInput(**{field: weight})  # type: ignore[arg-type]
    assert raised.value.field == field
    assert FIELD_NAMES[field] in str(raised.value).lower()


def test_a_height_in_centimetres_is_refused_with_a_hint() -> None:
    with pytest.raises(AssessmentInputError, match=r"centimetres.*1\.7"):
        MustInput(height_m=170)


def test_a_bmi_no_living_person_could_have_is_refused() -> None:
    with pytest.raises(AssessmentInputError, match="BMI") as raised:
        MustInput(height_m=0.5, weight_kg=400.0)
    assert raised.value.field == "height_m"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("height_m", "1.7"),
        ("height_m", True),
        ("weight_kg", "60"),
        ("acute_disease_effect", "yes"),
        ("weight_loss_planned", None),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(AssessmentInputError) as raised:
        MustInput(**{field: value})  # type: ignore[arg-type]
    assert raised.value.field == field
