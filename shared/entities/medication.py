"""Medication (eMAR) entities: prescriptions and their history, dose administrations, the
controlled-drug register, stock, homely remedies and pharmacy-import transcriptions.

Decisions (see docs/architecture.md, "Medication"):

- A prescription is **mutable** (per-field merge) because a dose or a time changes; its history
  is kept twice: the server's changes log holds every field write with its author, and every
  change on a PC also writes an append-only ``prescription_event`` (started, changed,
  discontinued, ...) with the reason, so every PC can show the history offline. It is never
  deleted: discontinuing sets ``status``, ``discontinued_at`` and ``change_reason``.
- An administration is an **event** with its own id and a ``slot_id`` (the scheduled dose it
  answers, from ``shared.medication.scheduling``). Two PCs recording the same slot therefore
  keep both records, and a safety rule raises a review item.
"""

from __future__ import annotations

from shared.entities.model import EntityType, FieldSpec, FieldType, Kind

_EVENT_COMMON = (
    FieldSpec("occurred_at", FieldType.DATETIME, required=True),
    FieldSpec("amends_id", FieldType.ID),
    FieldSpec("amend_kind", FieldType.TEXT, choices=("amendment", "entered_in_error")),
    FieldSpec("amend_reason", FieldType.TEXT, max_length=500),
)

MEDICINE_FORMS = (
    "tablet",
    "capsule",
    "liquid",
    "patch",
    "inhaler",
    "cream",
    "ointment",
    "drops",
    "injection",
    "suppository",
    "spray",
    "sachet",
    "other",
)
ROUTES = (
    "oral",
    "topical",
    "transdermal",
    "inhaled",
    "subcutaneous",
    "intramuscular",
    "rectal",
    "eye",
    "ear",
    "nasal",
    "sublingual",
    "other",
)
PRESCRIPTION_STATUSES = ("active", "suspended", "discontinued")
PRESCRIPTION_SOURCES = ("manual", "pharmacy_import")
PRESCRIPTION_ACTIONS = ("started", "changed", "suspended", "resumed", "discontinued")

# What happened at a dose. "given" and "self_administered" count as taken.
OUTCOMES = ("given", "self_administered", "refused", "omitted")
# Why a dose was not given: the common MAR omission codes (NICE SC1 scope; letters per local
# convention, shown in the chart key).
REASON_CODES = (
    "refused",
    "nausea_vomiting",
    "hospital",
    "on_leave",
    "asleep",
    "not_available",
    "withheld_clinical",
    "other",
)
EFFECTIVENESS = ("effective", "partly_effective", "not_effective")
CD_KINDS = ("receipt", "administration", "disposal", "return", "check")
STOCK_KINDS = ("receipt", "count", "waste", "return")

ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType(
        "prescription",
        Kind.MUTABLE,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("medicine", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("strength", FieldType.TEXT, max_length=100),
            FieldSpec("form", FieldType.TEXT, required=True, choices=MEDICINE_FORMS),
            FieldSpec("route", FieldType.TEXT, required=True, choices=ROUTES),
            FieldSpec("dose", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("dose_quantity", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("dose_min", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("dose_max", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("dose_unit", FieldType.TEXT, max_length=50),
            # {"kind": "daily"|"weekly"|"monthly"|"prn", "times": ["08:00"], "weekdays": [0..6],
            #  "month_days": [1..31]}; see shared.medication.scheduling.
            FieldSpec("schedule", FieldType.JSON, required=True),
            FieldSpec("prn_min_interval_minutes", FieldType.INT, minimum=0, maximum=10080),
            FieldSpec("prn_max_per_24h", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("time_critical", FieldType.BOOL),
            FieldSpec("instructions", FieldType.TEXT, max_length=1000),
            FieldSpec("indication", FieldType.TEXT, max_length=500),
            FieldSpec("controlled_drug", FieldType.BOOL),
            FieldSpec("covert", FieldType.BOOL),
            FieldSpec("covert_authorisation_ref", FieldType.TEXT, max_length=200),
            FieldSpec("self_administered", FieldType.BOOL),
            FieldSpec("monitoring", FieldType.TEXT, max_length=500),
            FieldSpec("review_date", FieldType.DATE),
            FieldSpec("prescriber", FieldType.TEXT, max_length=200),
            FieldSpec("start_date", FieldType.DATE, required=True),
            FieldSpec("end_date", FieldType.DATE),
            FieldSpec("status", FieldType.TEXT, required=True, choices=PRESCRIPTION_STATUSES),
            FieldSpec("discontinued_at", FieldType.DATETIME),
            FieldSpec("change_reason", FieldType.TEXT, max_length=500),
            FieldSpec("source", FieldType.TEXT, choices=PRESCRIPTION_SOURCES),
            FieldSpec("transcription_id", FieldType.ID),
        ),
        label="Prescription",
        resident_field="resident_id",
    ),
    EntityType(
        "prescription_event",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("prescription_id", FieldType.ID, required=True),
            FieldSpec("action", FieldType.TEXT, required=True, choices=PRESCRIPTION_ACTIONS),
            FieldSpec("changes", FieldType.JSON),  # {"field": [old, new]}
            FieldSpec("reason", FieldType.TEXT, max_length=500),
            FieldSpec("witness_id", FieldType.ID),
            *_EVENT_COMMON,
        ),
        label="Prescription change",
        resident_field="resident_id",
    ),
    EntityType(
        "medication_administration",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("prescription_id", FieldType.ID),
            FieldSpec("homely_remedy_id", FieldType.ID),
            FieldSpec("slot_id", FieldType.ID),  # the scheduled dose; none for PRN
            FieldSpec("scheduled_for", FieldType.DATETIME),
            FieldSpec("outcome", FieldType.TEXT, required=True, choices=OUTCOMES),
            FieldSpec("reason_code", FieldType.TEXT, choices=REASON_CODES),
            FieldSpec("note", FieldType.TEXT, max_length=1000),
            FieldSpec("quantity", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("prn_reason", FieldType.TEXT, max_length=500),
            FieldSpec("override_reason", FieldType.TEXT, max_length=500),
            FieldSpec("patch_site", FieldType.TEXT, max_length=100),
            FieldSpec("covert_authorisation_ref", FieldType.TEXT, max_length=200),
            FieldSpec("witness_id", FieldType.ID),
            *_EVENT_COMMON,
        ),
        label="Medicine dose",
        resident_field="resident_id",
    ),
    EntityType(
        "prn_follow_up",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("administration_id", FieldType.ID, required=True),
            FieldSpec("effectiveness", FieldType.TEXT, required=True, choices=EFFECTIVENESS),
            FieldSpec("note", FieldType.TEXT, max_length=1000),
            *_EVENT_COMMON,
        ),
        label="PRN follow-up",
        resident_field="resident_id",
    ),
    EntityType(
        "cd_register_entry",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("prescription_id", FieldType.ID),
            FieldSpec("medicine", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("strength", FieldType.TEXT, max_length=100),
            FieldSpec("kind", FieldType.TEXT, required=True, choices=CD_KINDS),
            # Units moved (a "check" records the count found).
            FieldSpec("quantity", FieldType.FLOAT, required=True, minimum=0, maximum=100000),
            FieldSpec("balance_after", FieldType.FLOAT, required=True, minimum=-100000),
            FieldSpec("witness_id", FieldType.ID, required=True),
            FieldSpec("administration_id", FieldType.ID),
            FieldSpec("counterparty", FieldType.TEXT, max_length=200),  # pharmacy, supplier
            FieldSpec("note", FieldType.TEXT, max_length=1000),
            *_EVENT_COMMON,
        ),
        label="Controlled drug register entry",
        resident_field="resident_id",
    ),
    EntityType(
        "stock_event",
        Kind.EVENT,
        (
            FieldSpec("resident_id", FieldType.ID, required=True),
            FieldSpec("prescription_id", FieldType.ID, required=True),
            FieldSpec("kind", FieldType.TEXT, required=True, choices=STOCK_KINDS),
            FieldSpec("quantity", FieldType.FLOAT, required=True, minimum=0, maximum=100000),
            FieldSpec("note", FieldType.TEXT, max_length=1000),
            *_EVENT_COMMON,
        ),
        label="Medicine stock",
        resident_field="resident_id",
    ),
    EntityType(
        "homely_remedy",
        Kind.MUTABLE,
        (
            FieldSpec("medicine", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("strength", FieldType.TEXT, max_length=100),
            FieldSpec("form", FieldType.TEXT, required=True, choices=MEDICINE_FORMS),
            FieldSpec("dose", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("indication", FieldType.TEXT, required=True, max_length=500),
            FieldSpec("min_interval_minutes", FieldType.INT, minimum=0, maximum=10080),
            FieldSpec("max_per_24h", FieldType.FLOAT, minimum=0, maximum=1000),
            FieldSpec("max_days", FieldType.INT, required=True, minimum=1, maximum=14),
            FieldSpec("gp_name", FieldType.TEXT, max_length=200),
            FieldSpec("gp_signed_off_on", FieldType.DATE),
            FieldSpec("active", FieldType.BOOL, required=True),
        ),
        label="Homely remedy",
    ),
    EntityType(
        "mar_transcription",
        Kind.EVENT,
        (
            FieldSpec("source", FieldType.TEXT, required=True, max_length=200),
            FieldSpec("lines", FieldType.INT, required=True, minimum=0),
            FieldSpec("prescription_ids", FieldType.JSON, required=True),
            FieldSpec("checked_by", FieldType.ID, required=True),
            FieldSpec("content_hash", FieldType.TEXT, max_length=64),
            FieldSpec("occurred_at", FieldType.DATETIME, required=True),
        ),
        label="Pharmacy MAR import",
    ),
)
