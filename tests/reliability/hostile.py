"""Hypothesis strategies for hostile sync traffic: push batches that are almost right (real
entity names, real ids of this provider and of another, valid and invalid field values), and
the other requests a PC makes, with odd headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from shared import entities as ent

# Inputs with known server bugs, kept out of the general fuzz so that it guards everything
# else; each (now fixed) has its own regression test in test_hostile_input.py:
#  - integers past 2**63 - 1 where the server compares or stores them (pull cursor);
#  - NaN and Infinity (accepted and re-served as invalid JSON);
#  - NUL characters in strings PostgreSQL stores or compares as text;
#  - odd x-client-time-ms values ("--5", or far outside the 64-bit range).
INT64 = 2**63 - 1
SAFE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
)


@dataclass(frozen=True)
class Targets:
    """Ids a batch may name: this provider's, the other provider's, or nobody's."""

    residents: list[str]
    users: list[str]
    other_residents: list[str]
    other_users: list[str]
    other_records: list[str]


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` about 19 times in 20, so that many batches get past parsing to the deeper
    checks (shrinking moves towards ``usual``)."""
    return st.sampled_from(range(20)).flatmap(lambda n: odd if n == 19 else usual)


def rarely(one_in: int) -> st.SearchStrategy[bool]:
    return st.sampled_from(range(one_in)).map(lambda n: n == one_in - 1)


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | SAFE_TEXT
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SAFE_TEXT, inner, max_size=3),
        max_leaves=max_leaves,
    )


def _uuid() -> st.SearchStrategy[str]:
    return st.uuids().map(str)


def field_value(spec: ent.FieldSpec, targets: Targets) -> st.SearchStrategy[Any]:
    """Mostly a plausible value for the field, sometimes anything."""
    plausible: st.SearchStrategy[Any]
    if spec.choices:
        plausible = st.sampled_from(spec.choices)
    elif spec.type is ent.FieldType.ID:
        plausible = (
            st.sampled_from(targets.residents + targets.other_residents + targets.other_records)
            | _uuid()
        )
    elif spec.type is ent.FieldType.DATETIME:
        plausible = st.sampled_from(
            [
                "2024-03-31T14:05:00+00:00",
                "2024-03-31T14:05:00",
                "yesterday",
                "9999-12-31T23:59:59+14:00",
            ]
        )
    elif spec.type is ent.FieldType.DATE:
        plausible = st.sampled_from(["1940-01-01", "1940-02-30", "0001-01-01"])
    elif spec.type is ent.FieldType.INT:
        plausible = st.integers(min_value=-(2**64), max_value=2**64)
    elif spec.type is ent.FieldType.BOOL:
        plausible = st.booleans()
    elif spec.type is ent.FieldType.JSON:
        plausible = json_values()
    else:
        plausible = SAFE_TEXT | st.text(max_size=spec.max_length + 5).filter(
            lambda t: "\x00" not in t
        )
    return mostly(plausible, json_values(2))


@st.composite
def changes(draw: st.DrawFn, targets: Targets) -> dict[str, Any]:
    entity_name = draw(mostly(st.sampled_from(sorted(ent.ENTITIES)), SAFE_TEXT))
    spec = ent.ENTITIES.get(entity_name)
    names = [f.name for f in spec.fields] if spec else []
    chosen = (
        draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    )
    fields: dict[str, Any] = {}
    for name in chosen:
        assert spec is not None
        fields[name] = draw(field_value(spec.field_map[name], targets))
    if not draw(rarely(4)) and spec is not None:  # most of a valid record
        for f in spec.fields:
            if f.required and f.name not in fields:
                fields[f.name] = draw(field_value(f, targets))
    if draw(rarely(20)):
        fields[draw(SAFE_TEXT)] = draw(json_values(2))
    record_id = draw(
        mostly(
            _uuid()
            | st.sampled_from(targets.residents + targets.other_residents + targets.other_records),
            SAFE_TEXT,
        )
    )
    return {
        "change_id": draw(mostly(_uuid(), SAFE_TEXT)),
        "device_seq": draw(mostly(st.integers(1, 50), st.integers(min_value=-3, max_value=2**64))),
        "entity": entity_name,
        "record_id": record_id,
        "op": draw(mostly(st.sampled_from(["create", "update"]), st.sampled_from(["delete", ""]))),
        "fields": fields,
        "base_versions": draw(
            st.dictionaries(st.sampled_from(names) if names else SAFE_TEXT, SAFE_TEXT, max_size=2)
        ),
        "hlc": draw(mostly(st.from_regex(r"\A\d{15}-\d{5}-[0-9A-Za-z_.:-]{1,40}\Z"), SAFE_TEXT)),
        "user_id": draw(mostly(st.sampled_from(targets.users + targets.other_users), _uuid())),
        "recorded_at_ms": draw(st.integers(min_value=-(2**64), max_value=2**64)),
    }


@dataclass(frozen=True)
class Batch:
    body: dict[str, Any]
    consecutive: bool  # renumber device_seq from the device's next expected number


@st.composite
def batches(draw: st.DrawFn, targets: Targets) -> Batch:
    items = draw(st.lists(changes(targets), max_size=4))
    protocol = draw(mostly(st.just(2), st.sampled_from([1, 0, 3, -1])))
    body: dict[str, Any] = {"protocol": protocol, "changes": items}
    if draw(rarely(20)):
        body[draw(SAFE_TEXT)] = draw(json_values(2))
    return Batch(body, consecutive=not draw(rarely(5)))


def encode(body: Any) -> bytes:
    return json.dumps(body, allow_nan=False).encode()
