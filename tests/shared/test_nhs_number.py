"""NHS numbers: the modulus 11 check digit."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared import nhs_number

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    first_nine = draw(nine_digits)
    digit = nhs_number.check_digit(first_nine)
    assume(digit is not None)
    return first_nine + str(digit)


def weighted_check(number: str) -> bool:
    """The data dictionary's rule, written independently: with weights 10 down to 2 for the
    first nine digits and 1 for the check digit, the weighted sum is a multiple of 11 (so a
    check digit that would have to be 10 makes no number valid)."""
    return sum(int(d) * w for d, w in zip(number, range(10, 0, -1), strict=True)) % 11 == 0


@given(valid_numbers())
def test_generated_valid_numbers_pass(number: str) -> None:
    assert nhs_number.is_valid(number)
    assert nhs_number.validation_error(number) is None
    assert weighted_check(number)


@given(valid_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_fails(number: str, position: int, shift: int) -> None:
    changed_digit = (int(number[position]) + shift) % 10
    changed = number[:position] + str(changed_digit) + number[position + 1 :]
    assert changed != number
    assert not nhs_number.is_valid(changed)
    assert nhs_number.validation_error(changed) is not None


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_validity_matches_the_weighted_sum_rule(number: str) -> None:
    assert nhs_number.is_valid(number) == weighted_check(number)


@given(nine_digits)
def test_no_number_is_valid_when_the_check_digit_would_be_ten(first_nine: str) -> None:
    valid_endings = [d for d in "0123456789" if nhs_number.is_valid(first_nine + d)]
    if nhs_number.check_digit(first_nine) is None:
        assert valid_endings == []
    else:
        assert valid_endings == [str(nhs_number.check_digit(first_nine))]


@given(valid_numbers())
def test_spaces_and_hyphens_are_ignored_and_formatting_is_3_3_4(number: str) -> None:
    shown = nhs_number.formatted(number)
    assert shown == f"{number[:3]} {number[3:6]} {number[6:]}"
    assert nhs_number.is_valid(shown)
    assert nhs_number.is_valid(f" {number[:3]}-{number[3:6]}-{number[6:]} ")
    assert nhs_number.formatted(shown) == shown


@given(st.text())
def test_any_text_is_judged_without_raising(text: str) -> None:
    valid = nhs_number.is_valid(text)
    error = nhs_number.validation_error(text)
    assert valid == (error is None)


@pytest.mark.parametrize("number", ["943 476 5919", "4010232137", "999 000 0018"])
def test_published_and_test_range_examples_are_valid(number: str) -> None:
    assert nhs_number.is_valid(number)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("943 476 591X", "only digits"),
        ("", "only digits"),
        ("943 476 591", "has 10 digits; this has 9"),
        ("94347659190", "this has 11"),
        ("943 476 5918", "check digit is wrong"),
    ],
)
def test_validation_errors_are_sentences_for_a_person(text: str, message: str) -> None:
    error = nhs_number.validation_error(text)
    assert error is not None
    assert message in error


@pytest.mark.parametrize(
    "text", ["٩٤٣٤٧٦٥٩١٩", "943476591²", "²43476591 9", "９４３４７６５９１９"]
)
def test_digits_from_other_scripts_are_not_an_nhs_number(text: str) -> None:
    # Regression: "²" passed str.isdigit() and then crashed int(); Arabic-Indic digits
    # were accepted as a valid number.
    assert not nhs_number.is_valid(text)
    assert nhs_number.validation_error(text) == "An NHS number has only digits (spaces are fine)."


def test_a_short_number_is_shown_as_typed() -> None:
    assert nhs_number.formatted("12345") == "12345"
