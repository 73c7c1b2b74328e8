"""The JSON written on every push is exactly what ``json.dumps`` with the same options writes:
stored text stays the same, and the audit trail's hashes over it do not change."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from syncserver import audit_chain, json_text

# What a pushed change can carry (parsed JSON), with text outside ASCII and escapes.
_text = st.text(st.characters(codec="utf-8"), max_size=20)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_each_style_writes_what_json_dumps_writes(value: Any) -> None:
    assert json_text.dumps(value) == json.dumps(value)
    assert json_text.compact(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json_text.canonical(value) == audit_chain.canonical(value)


def test_escapes_and_numbers_are_written_as_json_dumps_writes_them() -> None:
    value = {
        "z": 'quote " backslash \\ nul \x00 tab \t',
        "é": ["café", "\u2028", 1e16, -0.0, 2.5, 10**30, True, None],
        "a": {},
    }
    assert json_text.dumps(value) == json.dumps(value)
    assert json_text.canonical(value) == (
        '{"a":{},"z":"quote \\" backslash \\\\ nul \\u0000 tab \\t",'
        '"é":["café","\u2028",1e+16,-0.0,2.5,1000000000000000000000000000000,true,null]}'
    )


def test_a_writer_is_reused_value_after_value() -> None:
    assert [json_text.dumps(v) for v in ({"a": 1}, [1], "x", 1.5, None)] == [
        '{"a": 1}',
        "[1]",
        '"x"',
        "1.5",
        "null",
    ]
