"""How an entity is declared: its kind (which decides its merge rule), its fields and their
checks. The declarations themselves live beside this module, one module per domain."""

from __future__ import annotations

import datetime as dt
import re
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_map", {f.name: f for f in self.fields})

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.personal)


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
    """Raised inside ``_check_value`` with the message's rest; made into a FieldError there
    (the label and the error are only built for a value that does not fit)."""


def _check_value(entity: EntityType, spec: FieldSpec, value: Any) -> None:
    try:
        _check(spec, value)
    except _Refusal as refusal:
        label = spec.name.replace("_", " ")
        raise FieldError(entity.name, spec.name, f"{label}{refusal.args[0]}") from None


def _fail(rest: str) -> NoReturn:
    raise _Refusal(rest)


def _check(spec: FieldSpec, value: Any) -> None:
    if value is None:
        if spec.required:
            _fail(" is required.")
        return
    kind = spec.type
    if kind in (FieldType.TEXT, FieldType.ID, FieldType.DATE, FieldType.DATETIME):
        if not isinstance(value, str):
            _fail(" must be text.")
        if kind is FieldType.TEXT:
            if len(value) > spec.max_length:
                _fail(f" is longer than {spec.max_length} characters.")
            problem = text_problem(value)
            if problem:
                _fail(f" {problem}.")
            if spec.required and not value.strip():
                _fail(" is required.")
            if spec.choices and value not in spec.choices:
                _fail(f" must be one of: {', '.join(spec.choices)}.")
        elif kind is FieldType.ID and not _ID_RE.match(value):
            _fail(" is not a valid record id.")
        elif kind is FieldType.DATE:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                _fail(" must be a date like 2024-03-31.")
        elif kind is FieldType.DATETIME:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                _fail(" must be a date and time like 2024-03-31T14:05:00+00:00.")
            else:
                if parsed.tzinfo is None:
                    _fail(" must include a time zone.")
    elif kind in (FieldType.INT, FieldType.FLOAT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(" must be a number.")
        if kind is FieldType.INT and not isinstance(value, int):
            _fail(" must be a whole number.")
        if spec.minimum is not None and value < spec.minimum:
            _fail(f" must be at least {spec.minimum:g}.")
        if spec.maximum is not None and value > spec.maximum:
            _fail(f" must be at most {spec.maximum:g}.")
    elif kind is FieldType.BOOL and not isinstance(value, bool):
        _fail(" must be yes or no.")
    elif kind is FieldType.JSON:
        # Any JSON value that every store can hold; its size is limited by the batch size.
        problem = unstorable(value)
        if problem:
            _fail(f": {problem}.")


def validate_against(
    registry: dict[str, EntityType], entity_name: str, fields: dict[str, Any], *, partial: bool
) -> None:
    """Raise FieldError for the first field that does not fit; ``partial`` for updates."""
    entity = registry.get(entity_name)
    if entity is None:
        raise FieldError(entity_name, "", f"unknown kind of record: {entity_name!r}.")
    for name, value in fields.items():
        spec = entity.field_map.get(name)
        if spec is None:
            raise FieldError(entity_name, name, f"{entity.label} has no field {name!r}.")
        _check_value(entity, spec, value)
    if not partial:
        for spec in entity.fields:
            if spec.required and fields.get(spec.name) is None:
                raise FieldError(
                    entity_name, spec.name, f"{spec.name.replace('_', ' ')} is required."
                )
