"""Waterlow against the bands of uk-care-standards.md §2.8, written out here independently as
data. The reference gives the categories and bands but no points per answer and no worked
examples, so the examples are totals worked by hand at each band's edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, waterlow
from shared.assessments.waterlow import WaterlowInput

# (lowest, highest, band); None for an open end. ≥10 at risk, ≥15 high, ≥20 very high.
BANDS: list[tuple[int, int | None, str]] = [
    (0, 9, "below at risk"),
    (10, 14, "at risk"),
    (15, 19, "high risk"),
    (20, None, "very high risk"),
]
# Categories, then special risks, with the words each is known by.
FIELDS = {
    "build_weight_for_height": "build/weight for height",
    "skin_type": "skin type",
    "sex_and_age": "sex and age",
    "malnutrition_screening": "malnutrition screening",
    "continence": "continence",
    "mobility": "mobility",
    "tissue_malnutrition": "tissue malnutrition",
    "neurological_deficit": "neurological deficit",
    "major_surgery_or_trauma": "major surgery or trauma",
    "medication": "medication",
}


def band(total: int) -> str:
    matches = [
        name for low, high, name in BANDS if low <= total and (high is None or total <= high)
    ]
    assert len(matches) == 1
    return matches[0]


points = st.fixed_dictionaries({name: st.integers(0, 8) for name in FIELDS})


@given(points)
def test_a_complete_assessment_scores_the_sum_and_its_band(values: dict[str, int]) -> None:
    result = waterlow.score(WaterlowInput(**values))
    assert result.complete and result.missing == ()
    assert result.total == sum(values.values())
    assert result.band is not None and result.band.value == band(sum(values.values()))
    assert result.care_plan_area is CarePlanArea.SKIN_INTEGRITY


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "below at risk"),
        (9, "below at risk"),
        (10, "at risk"),
        (14, "at risk"),
        (15, "high risk"),
        (19, "high risk"),
        (20, "very high risk"),
        (45, "very high risk"),
    ],
)
def test_band_edges(total: int, expected: str) -> None:
    values = dict.fromkeys(FIELDS, 0) | {"mobility": total}
    result = waterlow.score(WaterlowInput(**values))
    assert result.total == total
    assert result.band is not None and result.band.value == expected


@given(st.fixed_dictionaries({name: st.none() | st.integers(0, 8) for name in FIELDS}))
def test_anything_not_assessed_gives_no_total_and_no_band(values: dict[str, int | None]) -> None:
    result = waterlow.score(WaterlowInput(**values))
    not_assessed = [name for name in FIELDS if values[name] is None]
    assert len(result.missing) == len(not_assessed)
    for name, label in zip(not_assessed, result.missing, strict=True):
        assert FIELDS[name] in label
    if not_assessed:
        assert not result.complete
        assert result.total is None and result.band is None and result.review_key is None


def test_a_special_risk_that_does_not_apply_must_still_be_answered() -> None:
    values = dict.fromkeys(FIELDS, 1) | {"medication": None}
    result = waterlow.score(WaterlowInput(**values))
    assert not result.complete and result.total is None
    assert result.missing == ("medication (special risk)",)


@given(
    st.sampled_from(list(FIELDS)),
    st.integers(max_value=-1) | st.floats() | st.booleans() | st.text(max_size=3),
)
def test_an_impossible_value_is_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(AssessmentInputError) as raised:
        WaterlowInput(**{field: value})  # type: ignore[arg-type]
    assert raised.value.field == field
    assert FIELDS[field] in str(raised.value).lower()
