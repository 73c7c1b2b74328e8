"""Core entities: the provider's reference data, residents, and the clinical events of the
care floor (notes, observations), with record views and review items."""

from __future__ import annotations

from shared.entities.model import EntityType, FieldSpec, FieldType, Kind
from shared.observations import BASELINE_FIELDS

_EVENT_COMMON = (
    FieldSpec("occurred_at", FieldType.DATETIME, required=True),
    FieldSpec("amends_id", FieldType.ID),
    FieldSpec("amend_kind", FieldType.TEXT, choices=("amendment", "entered_in_error")),
    FieldSpec("amend_reason", FieldType.TEXT, max_length=500),
)

# Why a resident left the home, as the discharge form offers it (the label is what staff see).
DISCHARGE_REASONS = {
    "hospital": "Admitted to hospital",
    "own_home": "Went home",
    "another_care_home": "Moved to another care home",
    "died": "Died",
    "other": "Somewhere else (say where)",
}

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

ENTITY_TYPES: tuple[EntityType, ...] = (
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
            # Set when IT resets the person's authenticator app: PCs then forget their copy.
            FieldSpec("mfa_reset_at", FieldType.DATETIME),
            # When the person's access ends (inspectors always have one): no sign-in after it.
            FieldSpec("access_until", FieldType.DATETIME),
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
            FieldSpec("first_name", FieldType.TEXT, required=True, max_length=100, personal=True),
            FieldSpec("last_name", FieldType.TEXT, required=True, max_length=100, personal=True),
            FieldSpec("preferred_name", FieldType.TEXT, max_length=100, personal=True),
            FieldSpec("date_of_birth", FieldType.DATE, required=True, personal=True),
            FieldSpec("nhs_number", FieldType.TEXT, max_length=10, personal=True),
            FieldSpec("unit_id", FieldType.ID, required=True),
            FieldSpec("room", FieldType.TEXT, max_length=20),
            # prospective: on the PC for a pre-admission assessment, not yet on the floor
            FieldSpec(
                "status",
                FieldType.TEXT,
                required=True,
                choices=("admitted", "discharged", "prospective"),
            ),
            FieldSpec("discharged_on", FieldType.DATE),
            FieldSpec("discharge_reason", FieldType.TEXT, choices=tuple(DISCHARGE_REASONS)),
            FieldSpec("discharge_note", FieldType.TEXT, max_length=500),
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
            FieldSpec("soft_signs", FieldType.JSON),  # RESTORE2 soft-sign keys noticed
            FieldSpec("note", FieldType.TEXT, max_length=2000),
            *_EVENT_COMMON,
        ),
        label="Observation",
        resident_field="resident_id",
    ),
    EntityType(
        "soft_signs_baseline",  # one per resident (a stable id): RESTORE2's "usual self"
        Kind.MUTABLE,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            *(FieldSpec(name, FieldType.TEXT, max_length=1000) for name in BASELINE_FIELDS),
            FieldSpec("reviewed_on", FieldType.DATE),
        ),
        label="Soft signs baseline",
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
