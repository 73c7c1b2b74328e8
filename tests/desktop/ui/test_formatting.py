"""How times, roles and numbers read on screen."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop.ui.formatting import age_on, nhs, role_label, when
from desktop.ui.screens.note_forms import SPECS, compose_text


def test_when_says_today_and_yesterday() -> None:
    now = dt.datetime.now(dt.UTC)
    assert when(now.isoformat()).startswith("Today ")
    assert when((now - dt.timedelta(days=1)).isoformat()).startswith("Yesterday ")
    assert when("not a time") == ""


def test_roles_and_nhs_numbers() -> None:
    assert role_label("senior_carer") == "Senior carer"
    assert nhs("9991234567") == "999 123 4567"
    assert nhs("12") == "12"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 1, 1)))
def test_age_is_whole_years(born: dt.date) -> None:
    today = dt.date(2026, 6, 1)
    age = age_on(born.isoformat(), today)
    assert age is not None
    assert _birthday(born, born.year + age) <= today < _birthday(born, born.year + age + 1)


def _birthday(born: dt.date, year: int) -> dt.date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return dt.date(year, 3, 1)


def test_quick_record_text_reads_like_a_sentence() -> None:
    assert compose_text(SPECS["repositioning"], ["Left side"], "", "Heels off-loaded.") == (
        "Repositioned: left side. Heels off-loaded."
    )
    assert compose_text(SPECS["personal_care"], ["Wash", "Oral care"], "", "") == "Wash, Oral care."
    assert compose_text(SPECS["visit"], [], "Jean (daughter)", "Went well.") == (
        "Visit from Jean (daughter). Went well."
    )
    assert compose_text(SPECS["general"], [], "", "  ") == ""
