"""Barthel index against the item ranges of uk-care-standards.md §2.9, written out here
independently as data: total 0–20, and × 5 for the 0–100 version."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.assessments import AssessmentInputError, CarePlanArea, barthel, review_proposal
from shared.assessments.barthel import BarthelInput

# Each item's highest score on the 0–20 scale (every item starts at 0).
HIGHEST = {
    "bowels": 2,
    "bladder": 2,
    "grooming": 1,
    "toilet_use": 2,
    "feeding": 2,
    "transfer": 3,
    "mobility": 3,
    "dressing": 2,
    "stairs": 2,
    "bathing": 1,
}
WORDS = {name: name.replace("_", " ") for name in HIGHEST}

answers = st.fixed_dictionaries({name: st.integers(0, top) for name, top in HIGHEST.items()})


def test_the_item_ranges_add_up_to_the_published_total() -> None:
    assert sum(HIGHEST.values()) == 20
    best = barthel.score(BarthelInput(**HIGHEST))
    assert (best.total, best.total_out_of_100) == (20, 100)
    worst = barthel.score(BarthelInput(**dict.fromkeys(HIGHEST, 0)))
    assert (worst.total, worst.total_out_of_100) == (0, 0)


@given(answers)
def test_a_complete_assessment_scores_both_totals(values: dict[str, int]) -> None:
    result = barthel.score(BarthelInput(**values))
    assert result.complete and result.missing == ()
    assert result.total == sum(values.values())
    assert result.total_out_of_100 == 5 * sum(values.values())
    assert result.care_plan_area is CarePlanArea.PERSONAL_CARE


def test_worked_example() -> None:
    # Continent, grooms and bathes alone; needs some help with the toilet, transfers,
    # walking, dressing and stairs; feeds independently.
    values = HIGHEST | {"toilet_use": 1, "transfer": 2, "mobility": 2, "dressing": 1, "stairs": 1}
    result = barthel.score(BarthelInput(**values))
    assert (result.total, result.total_out_of_100) == (15, 75)


@given(st.fixed_dictionaries({n: st.none() | st.integers(0, t) for n, t in HIGHEST.items()}))
def test_anything_not_assessed_gives_no_total(values: dict[str, int | None]) -> None:
    result = barthel.score(BarthelInput(**values))
    not_assessed = [WORDS[name] for name in HIGHEST if values[name] is None]
    assert list(result.missing) == not_assessed
    if not_assessed:
        assert not result.complete
        assert result.total is None and result.total_out_of_100 is None


@given(st.sampled_from(list(HIGHEST)), st.data())
def test_a_value_outside_its_range_is_refused_by_name(field: str, data: st.DataObject) -> None:
    value = data.draw(st.integers(max_value=-1) | st.integers(min_value=HIGHEST[field] + 1))
    with pytest.raises(AssessmentInputError) as raised:
        BarthelInput(**{field: value})
    assert raised.value.field == field
    assert WORDS[field] in str(raised.value).lower()
    assert f"0 to {HIGHEST[field]}" in str(raised.value)


@pytest.mark.parametrize("value", [1.0, True, "2"])
def test_a_value_of_the_wrong_kind_is_refused(value: object) -> None:
    with pytest.raises(AssessmentInputError, match="Bowels"):
        BarthelInput(bowels=value)  # type: ignore[arg-type]


def test_with_no_bands_in_the_reference_no_review_is_proposed() -> None:
    before = barthel.score(BarthelInput(**HIGHEST))
    after = barthel.score(BarthelInput(**dict.fromkeys(HIGHEST, 0)))
    assert review_proposal(before, after) is None
