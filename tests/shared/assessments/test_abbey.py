"""Abbey Pain Scale against uk-care-standards.md §2.10, written out here independently as
data: six items of 0–3; 0–2 no pain, 3–7 mild, 8–13 moderate, 14+ severe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, abbey
from shared.assessments.abbey import AbbeyInput, PainType

BANDS: list[tuple[int, int, str]] = [
    (0, 2, "no pain"),
    (3, 7, "mild"),
    (8, 13, "moderate"),
    (14, 18, "severe"),
]
FIELDS = {
    "vocalisation": "vocalisation",
    "facial_expression": "facial expression",
    "body_language_change": "body language",
    "behavioural_change": "behavioural change",
    "physiological_change": "physiological change",
    "physical_changes": "physical changes",
}


def band(total: int) -> str:
    matches = [name for low, high, name in BANDS if low <= total <= high]
    assert len(matches) == 1
    return matches[0]


items = st.fixed_dictionaries({name: st.integers(0, 3) for name in FIELDS})
pain_types = st.none() | st.sampled_from(PainType)


@given(items, pain_types)
def test_a_complete_assessment_scores_the_sum_and_its_band(
    values: dict[str, int], pain_type: PainType | None
) -> None:
    result = abbey.score(AbbeyInput(**values, pain_type=pain_type))
    total = sum(values.values())
    assert result.complete and result.missing == ()
    assert result.total == total
    assert result.band is not None and result.band.value == band(total)
    assert result.pain_type is pain_type
    assert result.care_plan_area is CarePlanArea.PAIN_MANAGEMENT
    if band(total) == "no pain":
        assert result.reassessment is None
    else:
        assert result.reassessment is not None
        assert "1 hour after an intervention" in result.reassessment
        assert "4-hourly for 24 hours" in result.reassessment
        assert ("hourly until" in result.reassessment) is (band(total) != "mild")


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "no pain"),
        (2, "no pain"),
        (3, "mild"),
        (7, "mild"),
        (8, "moderate"),
        (13, "moderate"),
        (14, "severe"),
        (18, "severe"),
    ],
)
def test_band_edges(total: int, expected: str) -> None:
    spread = [min(3, max(0, total - 3 * i)) for i in range(6)]
    result = abbey.score(AbbeyInput(*spread))  # type: ignore[arg-type]
    assert result.total == total
    assert result.band is not None and result.band.value == expected


def test_pain_type_is_a_tick_not_an_item() -> None:
    result = abbey.score(AbbeyInput(1, 1, 1, 0, 0, 0))
    assert result.complete and result.pain_type is None
    ticked = abbey.score(AbbeyInput(1, 1, 1, 0, 0, 0, pain_type=PainType.ACUTE_ON_CHRONIC))
    assert ticked.total == result.total and ticked.pain_type is PainType.ACUTE_ON_CHRONIC


@given(st.fixed_dictionaries({name: st.none() | st.integers(0, 3) for name in FIELDS}))
def test_anything_not_assessed_gives_no_total_and_no_band(values: dict[str, int | None]) -> None:
    result = abbey.score(AbbeyInput(**values))  # type: ignore[arg-type]
    not_assessed = [name for name in FIELDS if values[name] is None]
    assert len(result.missing) == len(not_assessed)
    for name, label in zip(not_assessed, result.missing, strict=True):
        assert FIELDS[name] in label
    if not_assessed:
        assert result.total is None and result.band is None and result.reassessment is None


@given(st.sampled_from(list(FIELDS)), st.integers(max_value=-1) | st.integers(min_value=4))
def test_a_value_outside_0_to_3_is_refused_by_name(field: str, value: int) -> None:
    with pytest.raises(AssessmentInputError, match="0 to 3") as raised:
        AbbeyInput(**{field: value})  # type: ignore[arg-type]
    assert raised.value.field == field
    assert FIELDS[field] in str(raised.value).lower()


def test_an_unknown_pain_type_is_refused_by_name() -> None:
    with pytest.raises(AssessmentInputError, match="Type of pain") as raised:
        AbbeyInput(pain_type="sharp")  # type: ignore[arg-type]
    assert raised.value.field == "pain_type"
