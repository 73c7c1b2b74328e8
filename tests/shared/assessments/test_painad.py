"""PAINAD against uk-care-standards.md §2.10, written out here independently as data: five
items of 0–2, total 0–10; suggested bands 1–3 mild, 4–6 moderate, 7–10 severe (0 unnamed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, painad
from shared.assessments.painad import PainadInput

BANDS: list[tuple[int, int, str]] = [
    (0, 0, "no pain behaviours"),
    (1, 3, "mild"),
    (4, 6, "moderate"),
    (7, 10, "severe"),
]
FIELDS = {
    "breathing": "breathing",
    "negative_vocalisation": "negative vocalisation",
    "facial_expression": "facial expression",
    "body_language": "body language",
    "consolability": "consolability",
}


def band(total: int) -> str:
    matches = [name for low, high, name in BANDS if low <= total <= high]
    assert len(matches) == 1
    return matches[0]


@given(st.fixed_dictionaries({name: st.integers(0, 2) for name in FIELDS}))
def test_a_complete_assessment_scores_the_sum_and_its_band(values: dict[str, int]) -> None:
    result = painad.score(PainadInput(**values))
    total = sum(values.values())
    assert result.complete and result.missing == ()
    assert result.total == total
    assert result.band is not None and result.band.value == band(total)
    assert "not substantiated" in result.bands_note
    assert result.care_plan_area is CarePlanArea.PAIN_MANAGEMENT


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "no pain behaviours"),
        (1, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (6, "moderate"),
        (7, "severe"),
        (10, "severe"),
    ],
)
def test_band_edges(total: int, expected: str) -> None:
    spread = [min(2, max(0, total - 2 * i)) for i in range(5)]
    result = painad.score(PainadInput(*spread))
    assert result.total == total
    assert result.band is not None and result.band.value == expected


@given(st.fixed_dictionaries({name: st.none() | st.integers(0, 2) for name in FIELDS}))
def test_anything_not_assessed_gives_no_total_and_no_band(values: dict[str, int | None]) -> None:
    result = painad.score(PainadInput(**values))
    not_assessed = [FIELDS[name] for name in FIELDS if values[name] is None]
    assert list(result.missing) == not_assessed
    if not_assessed:
        assert result.total is None and result.band is None and not result.complete


@given(st.sampled_from(list(FIELDS)), st.integers(max_value=-1) | st.integers(min_value=3))
def test_a_value_outside_0_to_2_is_refused_by_name(field: str, value: int) -> None:
    with pytest.raises(AssessmentInputError, match="0 to 2") as raised:
        PainadInput(**{field: value})
    assert raised.value.field == field
    assert FIELDS[field] in str(raised.value).lower()
