"""How an entity is declared: its kind (which decides its merge rule), its fields and their
checks. The declarations themselves live beside this module, one module per domain."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

from shared.errors import WcnError
from shared.storable import text_problem, unstorable


class Kind(StrEnum):
    EVENT = "event"  # append-only clinical fact; corrections are new linked events
    MUTABLE = "mutable"  # per-field merge with review items for same-field conflicts
    REFERENCE = "reference"  # written by the server only, pushed to PCs


class FieldType(StrEnum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"
    ID = "id"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool = False
    max_length: int = 2000
    personal: bool = False  # encrypted at rest on the server; never logged
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class EntityType:
    name: str
    kind: Kind
    fields: tuple[FieldSpec, ...]
    label: str
    resident_field: str | None = None  # the field linking a record to a resident
    tenant_wide: bool = False  # scoped to the tenant, not to one home
    field_map: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    # Read for every record sealed or opened: worked out once.
    personal_fields: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})
        object.__setattr__(
            self, "personal_fields", frozenset(f.name for f in self.fields if f.personal)
        )


# Fields every event carries so that corrections link to what they correct.


class FieldError(WcnError, ValueError):
    """A field value that does not fit its definition; ``str()`` is a sentence for a person."""

    code = "invalid_field"

    def __init__(self, entity: str, field_name: str, message: str) -> None:
        super().__init__(message)
        self.entity = entity
        self.field = field_name


_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class _Refusal(Exception):
    """Raised by a value check with the message's rest; made into a FieldError by
    ``validate_against`` (the label and the error are only built for a value that does not
    fit)."""


def _fail(rest: str) -> NoReturn:
    raise _Refusal(rest)


def _text(spec: FieldSpec, value: Any) -> None:
    if not isinstance(value, str):
        _fail(" must be text.")
    if len(value) > spec.max_length:
        _fail(f" is longer than {spec.max_length} characters.")
    problem = text_problem(value)
    if problem:
        _fail(f" {problem}.")
    if spec.required and not value.strip():
        _fail(" is required.")
    if spec.choices and value not in spec.choices:
        _fail(f" must be one of: {', '.join(spec.choices)}.")


def _record_id(_spec: FieldSpec, value: Any) -> None:
    if not isinstance(value, str):
        _fail(" must be text.")
    if not _ID_RE.match(value):
        _fail(" is not a valid record id.")


def _date(_spec: FieldSpec, value: Any) -> None:
    if not isinstance(value, str):
        _fail(" must be text.")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        _fail(" must be a date like 2024-03-31.")


def _datetime(_spec: FieldSpec, value: Any) -> None:
    if not isinstance(value, str):
        _fail(" must be text.")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        _fail(" must be a date and time like 2024-03-31T14:05:00+00:00.")
    if parsed.tzinfo is None:
        _fail(" must include a time zone.")


def _number(spec: FieldSpec, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(" must be a number.")
    if spec.type is FieldType.INT and not isinstance(value, int):
        _fail(" must be a whole number.")
    if spec.minimum is not None and value < spec.minimum:
        _fail(f" must be at least {spec.minimum:g}.")
    if spec.maximum is not None and value > spec.maximum:
        _fail(f" must be at most {spec.maximum:g}.")


def _bool(_spec: FieldSpec, value: Any) -> None:
    if not isinstance(value, bool):
        _fail(" must be yes or no.")


def _json(_spec: FieldSpec, value: Any) -> None:
    # Any JSON value that every store can hold; its size is limited by the batch size.
    problem = unstorable(value)
    if problem:
        _fail(f": {problem}.")


# The check of a present (not null) value, by its field's type: one call per pushed field.
_CHECKS: dict[FieldType, Callable[[FieldSpec, Any], None]] = {
    FieldType.TEXT: _text,
    FieldType.ID: _record_id,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.INT: _number,
    FieldType.FLOAT: _number,
    FieldType.BOOL: _bool,
    FieldType.JSON: _json,
}


def validate_against(
    registry: dict[str, EntityType], entity_name: str, fields: dict[str, Any], *, partial: bool
) -> None:
    """Raise FieldError for the first field that does not fit; ``partial`` for updates."""
    entity = registry.get(entity_name)
    if entity is None:
        raise FieldError(entity_name, "", f"unknown kind of record: {entity_name!r}.")
    field_map, checks = entity.field_map, _CHECKS
    spec: FieldSpec | None = None
    try:
        for name, value in fields.items():
            spec = field_map.get(name)
            if spec is None:
                raise FieldError(entity_name, name, f"{entity.label} has no field {name!r}.")
            if value is None:
                if spec.required:
                    _fail(" is required.")
                continue
            checks[spec.type](spec, value)
    except _Refusal as refusal:
        assert spec is not None
        label = spec.name.replace("_", " ")
        raise FieldError(entity.name, spec.name, f"{label}{refusal.args[0]}") from None
    if not partial:
        for spec in entity.fields:
            if spec.required and fields.get(spec.name) is None:
                raise FieldError(
                    entity_name, spec.name, f"{spec.name.replace('_', ' ')} is required."
                )
