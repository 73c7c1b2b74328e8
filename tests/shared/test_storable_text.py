"""The server skips the value-by-value check of a message whose JSON text cannot hold an
unstorable value: that whole-text check must never pass text that decodes to one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.protocol import TEXT_CHECKED, Change
from shared.storable import json_text_is_storable, unstorable

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None, exclude_categories=())),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(codec=None, exclude_categories=())), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@given(json_values, st.sampled_from([None, 2]), st.booleans())
def test_text_that_passes_decodes_to_nothing_unstorable(
    value: Any, indent: int | None, ascii_only: bool
) -> None:
    try:
        raw = json.dumps({"x": value}, indent=indent, ensure_ascii=ascii_only).encode()
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8: only its escape can be sent
        return
    if unstorable(value) is not None:
        assert not json_text_is_storable(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"x": "a\\u0000b"}',
        b'{"x": "\\udc00"}',
        b'{"x": "\\uD83D"}',
        b'{"x": NaN}',
        b'{"x": -Infinity}',
        b'{"x": 1e999}',
        b'{"x":[1,2.5E+400]}',
        b'{"x": 1e0400}',
        b'{"x": 1' + b"0" * 400 + b".0}",
        b'{"\\u0000": 1}',
    ],
)
def test_each_way_of_writing_an_unstorable_value_is_caught(raw: bytes) -> None:
    assert not json_text_is_storable(raw)


def test_ordinary_changes_pass_whole() -> None:
    raw = json.dumps(
        {
            "change_id": "0190a0a0-0000-7000-8000-00000000e123",
            "fields": {"text": "Ate well; e123 and 1e5 in text", "amount_ml": 250, "score": 1.5e-3},
        }
    ).encode()
    assert json_text_is_storable(raw)


def test_a_change_read_with_the_text_checked_skips_only_the_value_check() -> None:
    body = {
        "change_id": "0190a0a0-0000-7000-8000-000000000001",
        "device_seq": 1,
        "entity": "care_note",
        "record_id": "0190a0a0-0000-7000-8000-000000000002",
        "op": "create",
        "fields": {"text": "fine"},
        "hlc": "000000000000001-00000-pc",
        "user_id": "0190a0a0-0000-7000-8000-000000000003",
        "recorded_at_ms": 1,
    }
    raw = json.dumps(body).encode()
    checked = Change.model_validate_json(raw, context={TEXT_CHECKED: True})
    assert checked == Change.model_validate_json(raw)
    bad = json.dumps({**body, "fields": {"text": "a\x00b"}}).encode()
    with pytest.raises(ValueError, match="NUL"):
        Change.model_validate_json(bad)
