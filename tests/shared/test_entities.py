"""The entity registry and field validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import entities as ent
from shared.entities import ENTITIES, FieldSpec, FieldType, Kind, validate_fields
from shared.errors import WcnError

ENTITY_NAMES = sorted(ENTITIES)
STORABLE_CHARACTERS = st.characters(blacklist_characters="\x00", codec="utf-8")
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.text(STORABLE_CHARACTERS, max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(STORABLE_CHARACTERS, max_size=5), inner)
    ),
    max_leaves=6,
)


def valid_value(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """Values that fit ``spec``, written from its definition."""
    kind = spec.type
    if kind is FieldType.TEXT:
        if spec.choices:
            return st.sampled_from(spec.choices)
        text = st.text(
            st.characters(blacklist_characters="\x00", codec="utf-8"),
            max_size=min(spec.max_length, 40),
        )
        return text.filter(str.strip) if spec.required else text
    if kind is FieldType.ID:
        return st.uuids().map(str)
    if kind is FieldType.DATE:
        return st.dates().map(dt.date.isoformat)
    if kind is FieldType.DATETIME:
        return st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)
    if kind is FieldType.INT:
        low = None if spec.minimum is None else int(spec.minimum)
        high = None if spec.maximum is None else int(spec.maximum)
        return st.integers(low, high)
    if kind is FieldType.FLOAT:
        return st.floats(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False)
    if kind is FieldType.BOOL:
        return st.booleans()
    return json_values.filter(lambda v: v is not None) if spec.required else json_values


def invalid_values(spec: FieldSpec) -> list[Any]:
    """Values that must not fit ``spec``."""
    kind = spec.type
    bad: list[Any] = []
    if spec.required:
        bad.append(None)
    if kind is FieldType.TEXT:
        bad += [5, "x" * (spec.max_length + 1)]
        if spec.required:
            bad.append("   ")
        if spec.choices:
            bad.append("not one of the choices")
    elif kind is FieldType.ID:
        bad += ["resident-1", "0190A0A0-0000-7000-8000-000000000000", 42]
    elif kind is FieldType.DATE:
        bad += ["31/03/2024", "2024-02-30", 20240331]
    elif kind is FieldType.DATETIME:
        bad += ["2024-03-31T14:05:00", "yesterday", "2024-03-31 25:00:00+00:00"]
    elif kind is FieldType.INT:
        bad += ["5", True, 1.5]
        if spec.minimum is not None:
            bad.append(int(spec.minimum) - 1)
        if spec.maximum is not None:
            bad.append(int(spec.maximum) + 1)
    elif kind is FieldType.BOOL:
        bad += [1, "yes"]
    elif kind is FieldType.JSON:
        bad += [{"note": "a\x00"}, [float("nan")]]
    return bad


@st.composite
def records(draw: st.DrawFn, entity_name: str) -> dict[str, Any]:
    entity = ENTITIES[entity_name]
    record: dict[str, Any] = {}
    for spec in entity.fields:
        if spec.required or draw(st.booleans()):
            record[spec.name] = draw(valid_value(spec))
    return record


entity_and_record = st.sampled_from(ENTITY_NAMES).flatmap(
    lambda name: st.tuples(st.just(name), records(name))
)
bad_fields = st.sampled_from(
    [
        (name, spec, value)
        for name in ENTITY_NAMES
        for spec in ENTITIES[name].fields
        for value in invalid_values(spec)
    ]
)


# --- the registry --------------------------------------------------------------------


def test_every_entity_is_registered_under_its_own_name_with_unique_fields() -> None:
    for name, entity in ENTITIES.items():
        assert entity.name == name
        names = [f.name for f in entity.fields]
        assert len(names) == len(set(names))
        assert entity.field_map == {f.name: f for f in entity.fields}


def test_choices_and_limits_are_only_on_fields_that_can_use_them() -> None:
    for entity in ENTITIES.values():
        for spec in entity.fields:
            if spec.choices:
                assert spec.type is FieldType.TEXT
            if spec.minimum is not None or spec.maximum is not None:
                assert spec.type in (FieldType.INT, FieldType.FLOAT)


def test_resident_links_point_at_id_fields() -> None:
    for entity in ENTITIES.values():
        if entity.resident_field is not None:
            assert entity.field_map[entity.resident_field].type is FieldType.ID


def test_every_clinical_event_records_when_it_happened() -> None:
    assert {n for n, e in ENTITIES.items() if e.kind is Kind.EVENT} == ent.EVENT_ENTITIES
    for name in ent.EVENT_ENTITIES:
        occurred = ENTITIES[name].field_map["occurred_at"]
        assert occurred.required and occurred.type is FieldType.DATETIME


def test_what_identifies_a_resident_is_personal() -> None:
    personal = ENTITIES["resident"].personal_fields
    assert {"first_name", "last_name", "date_of_birth", "nhs_number", "next_of_kin"} <= personal
    assert "room" not in personal
    assert ENTITIES["care_note"].personal_fields == frozenset()


def test_only_reference_data_is_server_written_and_tenant_wide_data_is_reference() -> None:
    for entity in ENTITIES.values():
        if entity.tenant_wide:
            assert entity.kind is Kind.REFERENCE
    assert ENTITIES["resident"].kind is Kind.MUTABLE


# --- validation ----------------------------------------------------------------------


@given(entity_and_record)
def test_records_that_fit_their_definition_are_accepted(pair: tuple[str, dict[str, Any]]) -> None:
    name, record = pair
    validate_fields(name, record, partial=False)
    validate_fields(name, record, partial=True)


@given(bad_fields, st.data())
def test_one_bad_field_in_a_good_record_is_refused_and_named(
    bad: tuple[str, FieldSpec, Any], data: st.DataObject
) -> None:
    name, spec, value = bad
    record = {**data.draw(records(name)), spec.name: value}
    for partial in (True, False):
        with pytest.raises(ent.FieldError) as caught:
            validate_fields(name, record, partial=partial)
        assert caught.value.entity == name
        assert caught.value.field == spec.name
        assert str(caught.value).endswith(".")


@given(entity_and_record)
def test_a_new_record_missing_a_required_field_is_refused(pair: tuple[str, dict[str, Any]]) -> None:
    name, record = pair
    for spec in ENTITIES[name].fields:
        if spec.required:
            partial_record = {k: v for k, v in record.items() if k != spec.name}
            with pytest.raises(ent.FieldError, match="is required") as caught:
                validate_fields(name, partial_record, partial=False)
            assert caught.value.field == spec.name
            validate_fields(name, partial_record, partial=True)


@pytest.mark.parametrize(
    ("entity", "fields", "message"),
    [
        ("nonsense", {}, "unknown kind of record: 'nonsense'."),
        ("resident", {"shoe_size": 9}, "Resident has no field 'shoe_size'."),
        ("resident", {"room": "x" * 21}, "room is longer than 20 characters."),
        ("resident", {"status": "away"}, "status must be one of: admitted, discharged, prosp"),
        ("resident", {"unit_id": "ward 3"}, "unit id is not a valid record id."),
        ("resident", {"date_of_birth": "1/2/1940"}, "date of birth must be a date like"),
        ("resident", {"fluid_target_ml": 9000}, "fluid target ml must be at most 5000."),
        ("resident", {"fluid_target_ml": -1}, "fluid target ml must be at least 0."),
        ("resident", {"fluid_target_ml": 1.5}, "fluid target ml must be a whole number."),
        ("resident", {"fluid_target_ml": True}, "fluid target ml must be a number."),
        ("resident", {"dnacpr": "no"}, "dnacpr must be yes or no."),
        ("care_note", {"occurred_at": "2024-03-31T14:05:00"}, "must include a time zone."),
        ("care_note", {"occurred_at": "31/03/2024 14:05"}, "must be a date and time like"),
        ("care_note", {"occurred_at": 1711893900}, "occurred at must be text."),
        ("care_note", {"resident_id": 12}, "resident id must be text."),
        ("resident", {"date_of_birth": 19400102}, "date of birth must be text."),
        ("resident", {"first_name": None}, "first name is required."),
        ("resident", {"first_name": "   "}, "first name is required."),
        ("resident", {"room": None, "status": "away"}, "status must be one of"),
    ],
)
def test_refusals_are_sentences_for_a_person(
    entity: str, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ent.FieldError) as caught:
        validate_fields(entity, fields, partial=True)
    assert message in str(caught.value)


def test_a_field_error_is_an_expected_failure_of_the_shared_package() -> None:
    # errors.py draws FieldError under WcnError; code that shows WcnError messages to a
    # person catches it.
    with pytest.raises(WcnError) as caught:
        validate_fields("resident", {"room": 12}, partial=True)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "invalid_field"
    assert caught.value.message == "room must be text."


def test_a_text_field_at_its_limit_is_accepted() -> None:
    validate_fields("resident", {"room": "x" * 20}, partial=True)


def test_json_fields_take_any_json_value() -> None:
    validate_fields("care_note", {"details": {"fluid_ml": 200, "food": ["some"]}}, partial=True)
    validate_fields("observation", {"values": {}}, partial=True)


def test_text_with_a_nul_character_is_refused_at_the_field() -> None:
    with pytest.raises(ent.FieldError, match="cannot be saved"):
        validate_fields(
            "care_note",
            {"text": "a\x00b"},
            partial=True,
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "pasted \ud83d text"}, "unpaired surrogate"),
        ({"details": {"note": "a\udc36"}}, "unpaired surrogate"),
        ({"details": {"fluid_ml": float("nan")}}, "finite"),
        ({"details": ["ok", {"x\x00": 1}]}, "NUL"),
    ],
)
def test_text_and_json_that_could_never_be_sent_are_refused_at_the_field(
    fields: dict[str, object], message: str
) -> None:
    """Such a value would be saved on the PC and then block every later push."""
    with pytest.raises(ent.FieldError, match=message):
        validate_fields("care_note", fields, partial=True)
