"""The two-stage capacity test and where a DoLS authorisation stands."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import capacity as cap
from shared.capacity import CapacityOutcome, DolsOutcome, DolsRecord, DolsStatus, McaInput

answers = st.one_of(st.none(), st.booleans())
mca_inputs = st.builds(
    McaInput,
    decision=st.sampled_from(["", "Whether to have the flu vaccine"]),
    can_understand=answers,
    can_retain=answers,
    can_use_or_weigh=answers,
    can_communicate=answers,
    impairment=answers,
    because_of_impairment=answers,
    practicable_steps=st.sampled_from(["", "Explained with pictures, in the morning"]),
)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@given(mca_inputs)
def test_capacity_is_lacking_only_for_an_inability_caused_by_an_impairment(
    answers: McaInput,
) -> None:
    result = cap.mca_outcome(answers)
    functional = [getattr(answers, name) for name in cap.FUNCTIONAL]
    if result.outcome is CapacityOutcome.LACKS_CAPACITY:
        assert False in functional
        assert answers.impairment is True and answers.because_of_impairment is True
        assert answers.practicable_steps.strip() and answers.decision.strip()
        assert len(result.reasons) == functional.count(False)
    if result.outcome is not None:
        assert result.complete and answers.decision.strip()
    else:
        assert result.missing


@given(mca_inputs)
def test_a_person_who_can_do_all_four_has_capacity_whatever_the_diagnosis(
    answers: McaInput,
) -> None:
    able = McaInput(
        decision="Where to live",
        can_understand=True,
        can_retain=True,
        can_use_or_weigh=True,
        can_communicate=True,
        impairment=answers.impairment,
        because_of_impairment=answers.because_of_impairment,
    )
    assert cap.mca_outcome(able).outcome is CapacityOutcome.HAS_CAPACITY


@given(mca_inputs)
def test_without_an_impairment_capacity_is_presumed(answers: McaInput) -> None:
    if not answers.decision or None in [getattr(answers, n) for n in cap.FUNCTIONAL]:
        return
    no_impairment = McaInput(
        **{**answers.__dict__, "impairment": False, "because_of_impairment": None}
    )
    assert cap.mca_outcome(no_impairment).outcome is CapacityOutcome.HAS_CAPACITY


@given(mca_inputs)
def test_each_missing_answer_names_its_field(answers: McaInput) -> None:
    result = cap.mca_outcome(answers)
    assert len(result.missing_fields) == len(result.missing)
    for name in result.missing_fields:
        value = getattr(answers, name)
        assert value is None or (isinstance(value, str) and not value.strip())


def test_an_unfinished_assessment_says_what_is_missing() -> None:
    result = cap.mca_outcome(McaInput(decision="Bed rails", can_understand=False))
    assert result.outcome is None
    assert any("impairment" in m for m in result.missing)
    assert any("practicable steps" in m for m in result.missing)
    assert cap.mca_outcome(McaInput()).missing[0] == "the decision being assessed"
    assert result.missing_fields == ("impairment", "practicable_steps")


@given(dates, st.booleans())
def test_an_urgent_authorisation_lasts_7_days_or_14_when_extended(
    granted: dt.date, extended: bool
) -> None:
    ends = cap.urgent_expiry(granted, extended)
    assert (ends - granted).days == (14 if extended else 7)


@given(dates, st.booleans(), st.integers(-3, 20))
def test_urgent_position_over_time(granted: dt.date, extended: bool, after: int) -> None:
    today = granted + dt.timedelta(days=after)
    record = DolsRecord(applied_on=granted, urgent_granted_on=granted, urgent_extended=extended)
    position = cap.dols_position(record, today)
    ends = cap.urgent_expiry(granted, extended)
    assert position.expires_on == ends
    if today > ends:
        assert position.status is DolsStatus.EXPIRED and position.action
    else:
        assert position.status is DolsStatus.URGENT
        if not extended and today >= ends - dt.timedelta(days=cap.EXTENSION_WARNING_DAYS):
            assert "extend" in position.action


@given(dates, st.integers(1, 366), st.integers(-10, 400))
def test_standard_position_asks_for_renewal_before_expiry(
    start: dt.date, length: int, after: int
) -> None:
    ends = start + dt.timedelta(days=length)
    record = DolsRecord(
        applied_on=start,
        standard_granted_on=start,
        standard_ends_on=ends,
        outcome=DolsOutcome.GRANTED,
    )
    cap.check_dols(record, start)
    today = start + dt.timedelta(days=after)
    position = cap.dols_position(record, today)
    assert position.expires_on == ends
    if today > ends:
        assert position.status is DolsStatus.EXPIRED
    else:
        assert position.status is DolsStatus.STANDARD
        renew = ends - dt.timedelta(days=cap.RENEW_BEFORE_DAYS)
        assert position.action_due_on == renew
        assert bool(position.action) == (today >= renew)


@given(dates, st.sampled_from([DolsOutcome.REFUSED, DolsOutcome.WITHDRAWN, DolsOutcome.ENDED]))
def test_a_closed_application_needs_nothing(day: dt.date, outcome: DolsOutcome) -> None:
    record = DolsRecord(applied_on=day, urgent_granted_on=day, outcome=outcome)
    assert cap.dols_position(record, day).status is DolsStatus.CLOSED


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (DolsRecord(urgent_extended=True), "urgent_extended"),
        (DolsRecord(applied_on=dt.date(2031, 1, 1)), "applied_on"),
        (
            DolsRecord(applied_on=dt.date(2025, 3, 1), standard_granted_on=dt.date(2025, 2, 1)),
            "standard_granted_on",
        ),
        (DolsRecord(outcome=DolsOutcome.GRANTED), "standard_ends_on"),
        (
            DolsRecord(
                standard_granted_on=dt.date(2025, 1, 1), standard_ends_on=dt.date(2024, 12, 1)
            ),
            "standard_ends_on",
        ),
        (
            DolsRecord(
                standard_granted_on=dt.date(2025, 1, 1), standard_ends_on=dt.date(2026, 6, 1)
            ),
            "standard_ends_on",
        ),
        (DolsRecord(standard_ends_on=dt.date(2025, 6, 1)), "standard_granted_on"),
    ],
)
def test_impossible_dols_records_are_refused(record: DolsRecord, field: str) -> None:
    with pytest.raises(cap.CapacityError) as error:
        cap.check_dols(record, dt.date(2025, 6, 1))
    assert error.value.field == field
