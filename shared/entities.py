"""The one definition of every entity that syncs: its kind (which decides its merge rule),
its fields, and which of them identify a person. Both stores and both ends of the protocol
are built from this registry."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shared.errors import WcnError


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
_EVENT_COMMON = (
    FieldSpec("occurred_at", FieldType.DATETIME, required=True),
    FieldSpec("amends_id", FieldType.ID),
    FieldSpec("amend_kind", FieldType.TEXT, choices=("amendment", "entered_in_error")),
    FieldSpec("amend_reason", FieldType.TEXT, max_length=500),
)

NOTE_CATEGORIES = (
    "general",
    "personal_care",
    "food_fluid",
    "repositioning",
    "continence",
    "sleep",
    "mood",
    "activity",
    "visit",
)

ROLES = (
    "care_assistant",
    "senior_carer",
    "nurse",
    "deputy_manager",
    "home_manager",
    "provider_admin",
    "it_admin",
    "inspector",
)

NATIONS = ("england", "scotland", "wales", "northern_ireland")

ENTITIES: dict[str, EntityType] = {
    e.name: e
    for e in (
        EntityType(
            "home",
            Kind.REFERENCE,
            (
                FieldSpec("name", FieldType.TEXT, required=True, max_length=200),
                FieldSpec("nation", FieldType.TEXT, required=True, choices=NATIONS),
                FieldSpec("address", FieldType.TEXT, max_length=500),
            ),
            label="Home",
        ),
        EntityType(
            "unit",
            Kind.REFERENCE,
            (
                FieldSpec("name", FieldType.TEXT, required=True, max_length=200),
                FieldSpec("home_id", FieldType.ID, required=True),
            ),
            label="Unit",
        ),
        EntityType(
            "staff_user",
            Kind.REFERENCE,
            (
                FieldSpec("username", FieldType.TEXT, required=True, max_length=100),
                FieldSpec("display_name", FieldType.TEXT, required=True, max_length=200),
                FieldSpec("role", FieldType.TEXT, required=True, choices=ROLES),
                FieldSpec("home_ids", FieldType.JSON, required=True),
                FieldSpec("active", FieldType.BOOL, required=True),
            ),
            label="Staff member",
            tenant_wide=True,
        ),
        EntityType(
            "setting",
            Kind.REFERENCE,
            (
                FieldSpec("key", FieldType.TEXT, required=True, max_length=100),
                FieldSpec("value", FieldType.JSON, required=True),
            ),
            label="Setting",
            tenant_wide=True,
        ),
        EntityType(
            "resident",
            Kind.MUTABLE,
            (
                FieldSpec(
                    "first_name", FieldType.TEXT, required=True, max_length=100, personal=True
                ),
                FieldSpec(
                    "last_name", FieldType.TEXT, required=True, max_length=100, personal=True
                ),
                FieldSpec("preferred_name", FieldType.TEXT, max_length=100, personal=True),
                FieldSpec("date_of_birth", FieldType.DATE, required=True, personal=True),
                FieldSpec("nhs_number", FieldType.TEXT, max_length=10, personal=True),
                FieldSpec("unit_id", FieldType.ID, required=True),
                FieldSpec("room", FieldType.TEXT, max_length=20),
                FieldSpec(
                    "status", FieldType.TEXT, required=True, choices=("admitted", "discharged")
                ),
                FieldSpec("allergies", FieldType.TEXT, max_length=500),
                FieldSpec("diet", FieldType.TEXT, max_length=500),
                FieldSpec("fluid_target_ml", FieldType.INT, minimum=0, maximum=5000),
                FieldSpec("dnacpr", FieldType.BOOL),
                FieldSpec("falls_risk", FieldType.BOOL),
                FieldSpec("gp", FieldType.TEXT, max_length=200),
                FieldSpec("next_of_kin", FieldType.TEXT, max_length=500, personal=True),
                FieldSpec("communication", FieldType.TEXT, max_length=1000),
                FieldSpec("religion", FieldType.TEXT, max_length=100),
                FieldSpec("about_me", FieldType.TEXT, max_length=4000),
            ),
            label="Resident",
        ),
        EntityType(
            "care_note",
            Kind.EVENT,
            (
                FieldSpec("resident_id", FieldType.ID, required=True),
                FieldSpec("category", FieldType.TEXT, required=True, choices=NOTE_CATEGORIES),
                FieldSpec("text", FieldType.TEXT, max_length=8000),
                FieldSpec("details", FieldType.JSON),
                *_EVENT_COMMON,
            ),
            label="Care note",
            resident_field="resident_id",
        ),
        EntityType(
            "observation",
            Kind.EVENT,
            (
                FieldSpec("resident_id", FieldType.ID, required=True),
                FieldSpec("values", FieldType.JSON, required=True),
                FieldSpec("news2", FieldType.INT, minimum=0, maximum=20),
                *_EVENT_COMMON,
            ),
            label="Observation",
            resident_field="resident_id",
        ),
        EntityType(
            "record_view",
            Kind.EVENT,
            (
                FieldSpec("resident_id", FieldType.ID, required=True),
                FieldSpec("occurred_at", FieldType.DATETIME, required=True),
            ),
            label="Record viewed",
            resident_field="resident_id",
        ),
        EntityType(
            "review_item",
            Kind.EVENT,
            (
                FieldSpec("rule", FieldType.TEXT, required=True, max_length=100),
                FieldSpec("message", FieldType.TEXT, required=True, max_length=1000),
                FieldSpec("subject_entity", FieldType.TEXT, required=True, max_length=50),
                FieldSpec("subject_id", FieldType.ID, required=True),
                FieldSpec("field", FieldType.TEXT, max_length=100),
                FieldSpec("values", FieldType.JSON),
                FieldSpec("resident_id", FieldType.ID),
                FieldSpec("occurred_at", FieldType.DATETIME, required=True),
            ),
            label="Review item",
            resident_field="resident_id",
        ),
        EntityType(
            "review_resolution",
            Kind.EVENT,
            (
                FieldSpec("review_item_id", FieldType.ID, required=True),
                FieldSpec("outcome", FieldType.TEXT, required=True, max_length=1000),
                FieldSpec("resident_id", FieldType.ID),
                FieldSpec("occurred_at", FieldType.DATETIME, required=True),
            ),
            label="Review resolved",
            resident_field="resident_id",
        ),
    )
}

EVENT_ENTITIES = frozenset(n for n, e in ENTITIES.items() if e.kind is Kind.EVENT)


class FieldError(WcnError, ValueError):
    """A field value that does not fit its definition; ``str()`` is a sentence for a person."""

    code = "invalid_field"

    def __init__(self, entity: str, field_name: str, message: str) -> None:
        super().__init__(message)
        self.entity = entity
        self.field = field_name


_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _check_value(entity: EntityType, spec: FieldSpec, value: Any) -> None:
    label = spec.name.replace("_", " ")

    def fail(message: str) -> None:
        raise FieldError(entity.name, spec.name, message)

    if value is None:
        if spec.required:
            fail(f"{label} is required.")
        return
    kind = spec.type
    if kind in (FieldType.TEXT, FieldType.ID, FieldType.DATE, FieldType.DATETIME):
        if not isinstance(value, str):
            fail(f"{label} must be text.")
        if kind is FieldType.TEXT:
            if len(value) > spec.max_length:
                fail(f"{label} is longer than {spec.max_length} characters.")
            if spec.required and not value.strip():
                fail(f"{label} is required.")
            if spec.choices and value not in spec.choices:
                fail(f"{label} must be one of: {', '.join(spec.choices)}.")
        elif kind is FieldType.ID and not _ID_RE.match(value):
            fail(f"{label} is not a valid record id.")
        elif kind is FieldType.DATE:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                fail(f"{label} must be a date like 2024-03-31.")
        elif kind is FieldType.DATETIME:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                fail(f"{label} must be a date and time like 2024-03-31T14:05:00+00:00.")
            else:
                if parsed.tzinfo is None:
                    fail(f"{label} must include a time zone.")
    elif kind in (FieldType.INT, FieldType.FLOAT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail(f"{label} must be a number.")
        if kind is FieldType.INT and not isinstance(value, int):
            fail(f"{label} must be a whole number.")
        if spec.minimum is not None and value < spec.minimum:
            fail(f"{label} must be at least {spec.minimum:g}.")
        if spec.maximum is not None and value > spec.maximum:
            fail(f"{label} must be at most {spec.maximum:g}.")
    elif kind is FieldType.BOOL and not isinstance(value, bool):
        fail(f"{label} must be yes or no.")
    # JSON accepts any JSON value; its size is limited by the batch size limit.


def validate_fields(entity_name: str, fields: dict[str, Any], *, partial: bool) -> None:
    """Raise FieldError for the first field that does not fit; ``partial`` for updates."""
    entity = ENTITIES.get(entity_name)
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
