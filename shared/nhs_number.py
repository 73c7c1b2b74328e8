"""NHS number check digit (modulus 11), as published by NHS England's data dictionary."""

from __future__ import annotations

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    remainder = 11 - (total % 11)
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def _ascii_digits(text: str) -> bool:
    # str.isdigit() is also true for "²" and for other scripts' digits, which int() rejects
    # or an NHS number must not contain.
    return text.isascii() and text.isdigit()


def normalise(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def is_valid(text: str) -> bool:
    digits = normalise(text)
    if len(digits) != 10 or not _ascii_digits(digits):
        return False
    expected = check_digit(digits[:9])
    return expected is not None and expected == int(digits[9])


def validation_error(text: str) -> str | None:
    """A sentence for a person when ``text`` is not a valid NHS number, else None."""
    digits = normalise(text)
    if not _ascii_digits(digits):
        return "An NHS number has only digits (spaces are fine)."
    if len(digits) != 10:
        return f"An NHS number has 10 digits; this has {len(digits)}."
    if not is_valid(digits):
        return "This NHS number's check digit is wrong: please check each digit."
    return None


def formatted(text: str) -> str:
    d = normalise(text)
    return f"{d[:3]} {d[3:6]} {d[6:]}" if len(d) == 10 else text
