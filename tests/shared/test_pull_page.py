"""Protocol 3's pull page: what the server encodes decodes to the same rows, and anything
else is refused as a malformed page before the PC could store any of it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.protocol import PullResponse, RecordState
from shared.pull_page import (
    PULL_COLUMNS,
    MalformedPage,
    PulledRow,
    decode_pull_page,
    encode_pull_page,
    page_of_response,
    state_of_row,
)

ROW: PulledRow = (
    "0198d6cc-c202-7cd6-8409-f134c386bbc4",
    "care_note",
    "0198d6cc-c202-7cd6-8409-f134c386bbc5",
    None,
    '{"text": "Tea at 3 \\u00e9", "occurred_at": "2026-11-26T10:00:00+00:00"}',
    '{"text": "001795694400000-00000-pc|x", "occurred_at": "001795694400000-00000-pc|x"}',
    "001795694400000-00000-pc",
    42,
    None,
    "0198d6cc-c202-7cd6-8409-f134c386bbc6",
)


def _body(**changes: Any) -> dict[str, Any]:
    body = json.loads(
        encode_pull_page(3, [ROW], cursor=42, has_more=False, server_seq=50, scope_count=7)
    )
    body.update(changes)
    assert isinstance(body, dict)
    return body


def test_an_encoded_page_decodes_to_the_same_rows() -> None:
    content = encode_pull_page(
        3, [ROW, ROW], cursor=42, has_more=True, server_seq=50, scope_count=None
    )
    page = decode_pull_page(content)
    assert page.rows == [ROW, ROW]
    assert (page.protocol, page.cursor, page.has_more, page.server_seq) == (3, 42, True, 50)
    assert page.scope_count is None
    assert (
        decode_pull_page(
            encode_pull_page(3, [], cursor=0, has_more=False, server_seq=0, scope_count=0)
        ).rows
        == []
    )


def test_a_row_is_the_same_record_as_an_older_protocols_object() -> None:
    state = state_of_row(ROW)
    assert state.fields["text"] == "Tea at 3 é"
    reply = PullResponse(protocol=2, records=[state], cursor=42, has_more=False, server_seq=50)
    (row,) = page_of_response(reply).rows
    assert state_of_row(row) == state
    assert (json.loads(row[4]), json.loads(row[5])) == (json.loads(ROW[4]), json.loads(ROW[5]))
    assert row[:4] + row[6:] == ROW[:4] + ROW[6:]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        json.dumps(_body(extra=1)).encode(),
        json.dumps({k: v for k, v in _body().items() if k != "cursor"}).encode(),
        json.dumps(_body(columns=list(reversed(PULL_COLUMNS)))).encode(),
        json.dumps(_body(cursor=-1)).encode(),
        json.dumps(_body(cursor="42")).encode(),
        json.dumps(_body(has_more=1)).encode(),
        json.dumps(_body(scope_count=True)).encode(),
        json.dumps(_body(records={})).encode(),
        json.dumps(_body(records=[list(ROW)[:9]])).encode(),
        json.dumps(_body(records=[{"record_id": ROW[0]}])).encode(),
        json.dumps(_body(records=[[*ROW[:7], True, *ROW[8:]]])).encode(),
        json.dumps(_body(records=[[*ROW[:7], "42", *ROW[8:]]])).encode(),
        json.dumps(_body(records=[[*ROW[:4], {"text": "x"}, *ROW[5:]]])).encode(),
        json.dumps(_body(records=[[None, *ROW[1:]]])).encode(),
    ],
    ids=[
        "not_json",
        "not_an_object",
        "unknown_key",
        "missing_key",
        "columns_in_another_order",
        "negative_cursor",
        "cursor_as_text",
        "has_more_as_number",
        "count_as_bool",
        "records_not_a_list",
        "short_row",
        "row_as_object",
        "seq_as_bool",
        "seq_as_text",
        "fields_as_object",
        "no_record_id",
    ],
)
def test_a_malformed_page_is_refused(content: bytes) -> None:
    with pytest.raises(MalformedPage):
        decode_pull_page(content)


@pytest.mark.parametrize(
    ("fields", "versions"),
    [('{"text": "x"', ROW[5]), ("[1]", ROW[5]), (ROW[4], '{"text": 1}'), (ROW[4], "null")],
    ids=["fields_cut_off", "fields_not_an_object", "version_not_text", "versions_not_an_object"],
)
def test_a_row_with_malformed_json_text_is_not_a_record(fields: str, versions: str) -> None:
    with pytest.raises(MalformedPage):
        state_of_row((*ROW[:4], fields, versions, *ROW[6:]))


def test_record_state_is_what_the_rows_stand_for() -> None:
    assert tuple(RecordState.model_fields) == (
        "entity",
        "record_id",
        "home_id",
        "resident_id",
        "fields",
        "versions",
        "hlc",
        "server_seq",
        "user_id",
        "device_id",
    )
    assert set(PULL_COLUMNS) == set(RecordState.model_fields)
