"""Hypothesis strategies for hostile sync traffic: push batches that are almost right (real
entity names, real ids of this provider and of another, valid and invalid field values), and
the other requests a PC makes, with odd headers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from shared import entities as ent

# Inputs that found server bugs while this suite was written, all fixed since and each with
# its own regression test in test_hostile_input.py, are part of the general fuzz: integers
# past 2**63 - 1 (a pull cursor), NaN and Infinity, NUL characters (PostgreSQL text cannot
# hold them), and odd x-client-time-ms headers ("--5", or far outside 64 bits).
INT64 = 2**63 - 1
TEXT = st.text(max_size=40)  # any text, NUL included (hypothesis leaves out lone surrogates)


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
        | st.floats()
        | TEXT
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
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
        plausible = TEXT | st.text(max_size=spec.max_length + 5)
    return mostly(plausible, json_values(2))


@st.composite
def changes(draw: st.DrawFn, targets: Targets) -> dict[str, Any]:
    entity_name = draw(mostly(st.sampled_from(sorted(ent.ENTITIES)), TEXT))
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
        fields[draw(TEXT)] = draw(json_values(2))
    record_id = draw(
        mostly(
            _uuid()
            | st.sampled_from(targets.residents + targets.other_residents + targets.other_records),
            TEXT,
        )
    )
    return {
        "change_id": draw(mostly(_uuid(), TEXT)),
        "device_seq": draw(mostly(st.integers(1, 50), st.integers(min_value=-3, max_value=2**64))),
        "entity": entity_name,
        "record_id": record_id,
        "op": draw(mostly(st.sampled_from(["create", "update"]), st.sampled_from(["delete", ""]))),
        "fields": fields,
        "base_versions": draw(
            st.dictionaries(st.sampled_from(names) if names else TEXT, TEXT, max_size=2)
        ),
        "hlc": draw(mostly(st.from_regex(r"\A\d{15}-\d{5}-[0-9A-Za-z_.:-]{1,40}\Z"), TEXT)),
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
        body[draw(TEXT)] = draw(json_values(2))
    return Batch(body, consecutive=not draw(rarely(5)))


def encode(body: Any) -> bytes:
    """JSON as a PC (or an attacker) would send it; NaN and Infinity go out as the bare
    tokens Python writes, which strict JSON does not allow."""
    return json.dumps(body).encode()
