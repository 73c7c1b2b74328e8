"""Handover entities: the remarks staff add to a shift's handover report. A remark is an
append-only event (corrected by an amendment or withdrawn as "entered in error", like every
clinical record). It names the shift it was written for, so a remark added just after the
shift ends still belongs to that shift's handover; one without a resident is about the unit
(or, without a unit, the whole home)."""

from __future__ import annotations

from shared.entities.model import EntityType, FieldSpec, FieldType, Kind

_EVENT = (
    FieldSpec("occurred_at", FieldType.DATETIME, required=True),
    FieldSpec("amends_id", FieldType.ID),
    FieldSpec("amend_kind", FieldType.TEXT, choices=("amendment", "entered_in_error")),
    FieldSpec("amend_reason", FieldType.TEXT, max_length=500),
)
MAX_REMARK_LENGTH = 2000

ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType(
        "handover_remark",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID),  # none: a remark about the unit or home
            FieldSpec("unit_id", FieldType.ID),  # none: the whole home
            FieldSpec("shift_start", FieldType.DATETIME, required=True),
            FieldSpec("shift_end", FieldType.DATETIME, required=True),
            FieldSpec("text", FieldType.TEXT, required=True, max_length=MAX_REMARK_LENGTH),
            *_EVENT,
        ),
        label="Handover remark",
        resident_field="resident_id",
    ),
)
