"""Care plan rules: one section per area, what an edit changed, and when a review is due."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import care_plans as cp
from shared.assessments import CarePlanArea

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
texts = st.one_of(st.none(), st.text(max_size=20))
areas = st.sampled_from(list(cp.AREAS))
section_values = st.fixed_dictionaries(
    {}, optional={name: texts for name in cp.TEXT_FIELDS} | {"review_due": st.none() | dates}
)


def test_every_assessment_area_has_a_care_plan_section() -> None:
    assert {a.value for a in CarePlanArea} <= set(cp.AREAS)


@given(st.uuids().map(str), areas, st.uuids().map(str), areas)
def test_a_section_id_is_the_same_everywhere_and_differs_between_sections(
    resident: str, area: str, other_resident: str, other_area: str
) -> None:
    assert cp.section_id(resident, area) == cp.section_id(resident, area)
    if (resident, area) != (other_resident, other_area):
        assert cp.section_id(resident, area) != cp.section_id(other_resident, other_area)


def test_an_unknown_area_is_refused() -> None:
    with pytest.raises(cp.CarePlanError, match="not an area"):
        cp.section_id("r", "gardening")


@given(dates, st.integers(0, 240))
def test_adding_months_keeps_the_day_or_the_months_last_day(day: dt.date, months: int) -> None:
    later = cp.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(1)).day == 1)


@given(dates, dates)
def test_review_state_orders_by_the_due_date(due: dt.date, today: dt.date) -> None:
    state = cp.review_state(due, today)
    if due < today:
        assert state is cp.ReviewState.OVERDUE
    elif (due - today).days <= cp.DUE_SOON_DAYS:
        assert state is cp.ReviewState.DUE_SOON
    else:
        assert state is cp.ReviewState.DUE_LATER
    assert cp.review_state(None, today) is cp.ReviewState.NOT_SET


@given(dates)
def test_the_default_review_is_a_month_ahead_and_allowed(today: dt.date) -> None:
    due = cp.default_review_due(today)
    assert 28 <= (due - today).days <= 31
    cp.check_review_due(due, today)


@given(dates, st.integers(-400, 800))
def test_review_dates_must_be_from_today_to_a_year_ahead(today: dt.date, offset: int) -> None:
    due = today + dt.timedelta(days=offset)
    if 0 <= offset <= cp.LONGEST_REVIEW_INTERVAL_DAYS:
        cp.check_review_due(due, today)
    else:
        with pytest.raises(cp.CarePlanError) as error:
            cp.check_review_due(due, today)
        assert error.value.field == "review_due"


@given(section_values, section_values)
def test_changes_are_exactly_the_fields_that_differ(
    before: dict[str, object], after: dict[str, object]
) -> None:
    changes = cp.changes_between(before, after)
    changed = {c.field for c in changes}
    for name in cp.SECTION_FIELDS:
        differs = name in after and (before.get(name) or None) != (after.get(name) or None)
        assert (name in changed) == differs
    applied = {**before, **{c.field: c.after for c in changes}}
    assert cp.changes_between(applied, after) == ()
    assert [c.field for c in changes] == [n for n in cp.SECTION_FIELDS if n in changed]


@given(st.dictionaries(st.sampled_from(cp.TEXT_FIELDS), st.text(max_size=50)))
def test_clean_text_strips_and_keeps_every_field(values: dict[str, str]) -> None:
    cleaned = cp.clean_text(values)
    assert cleaned == {k: v.strip() for k, v in values.items()}


def test_clean_text_refuses_unknown_fields_and_overlong_text() -> None:
    with pytest.raises(cp.CarePlanError, match="no colour"):
        cp.clean_text({"colour": "blue"})
    with pytest.raises(cp.CarePlanError, match="longer than") as error:
        cp.clean_text({"needs": "x" * (cp.MAX_TEXT + 1)})
    assert error.value.field == "needs"
    with pytest.raises(cp.CarePlanError, match="must be text"):
        cp.clean_text({"goals": 3})


def test_a_first_version_needs_needs_and_actions_and_a_change_needs_a_reason() -> None:
    with pytest.raises(cp.CarePlanError) as error:
        cp.check_first_version({"needs": "  ", "actions": "Help to wash"})
    assert error.value.field == "needs"
    with pytest.raises(cp.CarePlanError) as error:
        cp.check_first_version({"needs": "Needs help to wash"})
    assert error.value.field == "actions"
    cp.check_first_version({"needs": "Needs help", "actions": "Help"})
    with pytest.raises(cp.CarePlanError, match="Say why"):
        cp.check_reason("   ")
    assert cp.check_reason("  Monthly review ") == "Monthly review"
