"""What every store and every sync message can hold: text without U+0000 (PostgreSQL text
cannot store it) and without unpaired surrogates (not encodable as UTF-8, so such text could be
saved on a PC but never sent), and only finite numbers (JSON has no NaN or Infinity)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

_UNSAVABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
# What JSON text must contain to decode to something unstorable: NUL and surrogates can only
# be written as escapes (\u0000, \ud800-\udfff: raw, the first is not JSON and the others
# are not UTF-8); a number that is not finite only as NaN, Infinity, a number with an exponent
# of three digits, or one with three hundred digits before its point. Text without any of
# these cannot hold a problem; text with one (an emoji written as an escaped pair, a resident
# called "NaNa") is checked value by value.
_ESCAPED_PROBLEM = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _number_shapes() -> bytes:
    """A byte map that keeps only the shape of numbers: every digit 0, e or E e, a sign +,
    what may come before a number (':', '[', ',') ':', JSON's spaces ' ', anything else x."""
    shapes = bytearray(b"x" * 256)
    for characters, shape in ((b"0123456789", b"0"), (b"eE", b"e"), (b"+-", b"+"), (b".", b".")):
        for character in characters:
            shapes[character] = shape[0]
    for character in b":[,":
        shapes[character] = ord(":")
    for character in b" \t\r\n":
        shapes[character] = ord(" ")
    return bytes(shapes)


_NUMBER_SHAPES = _number_shapes()
# A number (after ':', '[' or ',') with an exponent of three digits, as a shape.
_LARGE_EXPONENT = re.compile(rb":[ ]*\+?[0.]+e\+?000")
_LONG_NUMBER = b"0" * 300


def json_text_is_storable(raw: bytes) -> bool:
    """True when JSON text ``raw`` cannot decode to anything ``unstorable`` would refuse, so
    its values need no check one by one."""
    if b"\\u" in raw and _ESCAPED_PROBLEM.search(raw):
        return False
    if b"NaN" in raw or b"Infinity" in raw:
        return False
    shapes = raw.translate(_NUMBER_SHAPES)
    return _LONG_NUMBER not in shapes and _LARGE_EXPONENT.search(shapes) is None


def text_problem(value: str) -> str | None:
    found = _UNSAVABLE_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a character that cannot be saved (NUL)"
    return "contains a broken character (an unpaired surrogate): type or paste it again"


def unstorable(value: Any) -> str | None:
    """Why ``value`` (text, a number or nested JSON) cannot be stored, or None."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite (no NaN or Infinity)"
    if isinstance(value, dict):
        return _items_problem(value.items())
    if isinstance(value, list | tuple):
        return _items_problem((None, item) for item in value)
    return None


def _items_problem(items: Iterable[tuple[Any, Any]]) -> str | None:
    """The first problem of the keys and values: every pushed field passes through here, so
    the common ones (text without a bad character, a whole number, null) are answered
    without a further call."""
    search = _UNSAVABLE_TEXT.search
    for key, item in items:
        if key is not None and not (type(key) is str and search(key) is None):
            problem = unstorable(key)
            if problem:
                return problem
        kind = type(item)
        if kind is str:
            if search(item) is None:
                continue
        elif kind is int or kind is bool or item is None:
            continue
        problem = unstorable(item)
        if problem:
            return problem
    return None
