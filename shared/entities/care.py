"""Care planning entities: admission assessments, care plan sections (mutable, merged per
field) with their revision history, scored assessments, mental capacity and DoLS, legal
representatives, ReSPECT / DNACPR, incidents with their follow-up, and statutory
notifications. The rules behind them are in ``shared.care_plans``, ``shared.capacity``,
``shared.incidents``, ``shared.notifications`` and ``shared.assessment_records``."""

from __future__ import annotations

from shared.assessment_records import TOOL_KEYS
from shared.capacity import CapacityOutcome, DolsOutcome
from shared.care_plans import AREAS, RevisionKind
from shared.entities.model import EntityType, FieldSpec, FieldType, Kind
from shared.incidents import (
    KINDS,
    MAX_MARKS,
    MAX_PHOTO_CAPTION,
    PHOTO_LONG_SIDE,
    PHOTO_TEXT_LENGTH,
    SEVERITIES,
)
from shared.notifications import SEND_METHODS, NotificationType, Regulator

_EVENT = (
    FieldSpec("occurred_at", FieldType.DATETIME, required=True),
    FieldSpec("amends_id", FieldType.ID),
    FieldSpec("amend_kind", FieldType.TEXT, choices=("amendment", "entered_in_error")),
    FieldSpec("amend_reason", FieldType.TEXT, max_length=500),
)
_RESIDENT = FieldSpec("resident_id", FieldType.ID, required=True)

CARE_PLAN_AREAS = tuple(AREAS)
LEGAL_REPRESENTATIVE_KINDS = (
    "lpa_health_and_welfare",
    "lpa_property_and_financial",
    "deputy_health_and_welfare",
    "deputy_property_and_financial",
    "welfare_guardian",  # Scotland (Adults with Incapacity Act)
    "other",
)
RESPECT_FORMS = ("respect", "dnacpr", "none")
CPR_RECOMMENDATIONS = ("attempt_cpr", "do_not_attempt_cpr", "not_recorded")
NOTIFICATION_STATUSES = ("draft", "sent", "not_needed")

ENTITY_TYPES: tuple[EntityType, ...] = (
    EntityType(
        "admission_assessment",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec(
                "stage", FieldType.TEXT, required=True, choices=("pre_admission", "admission")
            ),
            FieldSpec("source", FieldType.TEXT, max_length=500),
            FieldSpec("needs", FieldType.JSON),  # area -> what was found
            FieldSpec("what_matters", FieldType.TEXT, max_length=4000),
            FieldSpec("risks", FieldType.TEXT, max_length=4000),
            FieldSpec("can_meet_needs", FieldType.BOOL),
            FieldSpec("decision_notes", FieldType.TEXT, max_length=2000),
            *_EVENT,
        ),
        label="Admission assessment",
        resident_field="resident_id",
    ),
    EntityType(
        "care_plan_section",
        Kind.MUTABLE,
        (
            _RESIDENT,
            FieldSpec("area", FieldType.TEXT, required=True, choices=CARE_PLAN_AREAS),
            FieldSpec("needs", FieldType.TEXT, max_length=4000),
            FieldSpec("goals", FieldType.TEXT, max_length=4000),
            FieldSpec("actions", FieldType.TEXT, max_length=4000),
            FieldSpec("resident_involvement", FieldType.TEXT, max_length=4000),
            FieldSpec("family_involvement", FieldType.TEXT, max_length=4000),
            FieldSpec("review_due", FieldType.DATE),
            FieldSpec("last_reviewed_on", FieldType.DATE),
        ),
        label="Care plan section",
        resident_field="resident_id",
    ),
    EntityType(
        "care_plan_revision",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("section_id", FieldType.ID, required=True),
            FieldSpec("area", FieldType.TEXT, required=True, choices=CARE_PLAN_AREAS),
            FieldSpec(
                "kind", FieldType.TEXT, required=True, choices=tuple(k.value for k in RevisionKind)
            ),
            FieldSpec("reason", FieldType.TEXT, required=True, max_length=1000),
            FieldSpec("changes", FieldType.JSON),  # field -> {"before": …, "after": …}
            FieldSpec("review_due", FieldType.DATE),
            FieldSpec("occurred_at", FieldType.DATETIME, required=True),
        ),
        label="Care plan change",
        resident_field="resident_id",
    ),
    EntityType(
        "assessment",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("tool", FieldType.TEXT, required=True, choices=TOOL_KEYS),
            FieldSpec("inputs", FieldType.JSON, required=True),
            FieldSpec("complete", FieldType.BOOL, required=True),
            FieldSpec("score", FieldType.INT, minimum=0, maximum=200),
            FieldSpec("band", FieldType.TEXT, max_length=100),
            FieldSpec("summary", FieldType.TEXT, max_length=1000),
            FieldSpec("care_plan_area", FieldType.TEXT, choices=CARE_PLAN_AREAS),
            FieldSpec("review_proposed", FieldType.TEXT, choices=CARE_PLAN_AREAS),
            FieldSpec("note", FieldType.TEXT, max_length=2000),
            *_EVENT,
        ),
        label="Assessment",
        resident_field="resident_id",
    ),
    EntityType(
        "mca_assessment",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("decision", FieldType.TEXT, required=True, max_length=500),
            FieldSpec("can_understand", FieldType.BOOL),
            FieldSpec("can_retain", FieldType.BOOL),
            FieldSpec("can_use_or_weigh", FieldType.BOOL),
            FieldSpec("can_communicate", FieldType.BOOL),
            FieldSpec("impairment", FieldType.BOOL),
            FieldSpec("impairment_description", FieldType.TEXT, max_length=1000),
            FieldSpec("because_of_impairment", FieldType.BOOL),
            FieldSpec("practicable_steps", FieldType.TEXT, max_length=2000),
            FieldSpec("outcome", FieldType.TEXT, choices=tuple(o.value for o in CapacityOutcome)),
            *_EVENT,
        ),
        label="Mental capacity assessment",
        resident_field="resident_id",
    ),
    EntityType(
        "best_interest_decision",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("mca_assessment_id", FieldType.ID, required=True),
            FieldSpec("decision", FieldType.TEXT, required=True, max_length=500),
            FieldSpec("options_considered", FieldType.TEXT, max_length=4000),
            FieldSpec("less_restrictive_considered", FieldType.BOOL, required=True),
            FieldSpec("resident_wishes", FieldType.TEXT, max_length=2000),
            FieldSpec("people_consulted", FieldType.TEXT, max_length=2000),
            FieldSpec("outcome", FieldType.TEXT, required=True, max_length=2000),
            *_EVENT,
        ),
        label="Best-interests decision",
        resident_field="resident_id",
    ),
    EntityType(
        "dols_authorisation",
        Kind.MUTABLE,
        (
            _RESIDENT,
            FieldSpec("supervisory_body", FieldType.TEXT, max_length=200),
            FieldSpec("reference", FieldType.TEXT, max_length=100),
            FieldSpec("applied_on", FieldType.DATE),
            FieldSpec("urgent_granted_on", FieldType.DATE),
            FieldSpec("urgent_extended", FieldType.BOOL),
            FieldSpec("standard_granted_on", FieldType.DATE),
            FieldSpec("standard_ends_on", FieldType.DATE),
            FieldSpec("outcome", FieldType.TEXT, choices=tuple(o.value for o in DolsOutcome)),
            FieldSpec("conditions", FieldType.TEXT, max_length=4000),
        ),
        label="DoLS application",
        resident_field="resident_id",
    ),
    EntityType(
        "legal_representative",
        Kind.MUTABLE,
        (
            _RESIDENT,
            FieldSpec("kind", FieldType.TEXT, required=True, choices=LEGAL_REPRESENTATIVE_KINDS),
            FieldSpec("name", FieldType.TEXT, required=True, max_length=200, personal=True),
            FieldSpec("contact", FieldType.TEXT, max_length=500, personal=True),
            FieldSpec("registered_on", FieldType.DATE),
            FieldSpec("reference", FieldType.TEXT, max_length=100),
            FieldSpec("document_seen", FieldType.BOOL),
            FieldSpec("notes", FieldType.TEXT, max_length=2000),
            FieldSpec("active", FieldType.BOOL),
        ),
        label="Attorney or deputy",
        resident_field="resident_id",
    ),
    EntityType(
        "respect_record",
        Kind.MUTABLE,
        (
            _RESIDENT,
            FieldSpec("form", FieldType.TEXT, required=True, choices=RESPECT_FORMS),
            FieldSpec("cpr", FieldType.TEXT, required=True, choices=CPR_RECOMMENDATIONS),
            FieldSpec("form_location", FieldType.TEXT, max_length=200),
            FieldSpec("completed_by", FieldType.TEXT, max_length=200),
            FieldSpec("completed_on", FieldType.DATE),
            FieldSpec("review_on", FieldType.DATE),
            FieldSpec("notes", FieldType.TEXT, max_length=2000),
        ),
        label="ReSPECT / DNACPR",
        resident_field="resident_id",
    ),
    EntityType(
        "incident",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("kind", FieldType.TEXT, required=True, choices=tuple(KINDS)),
            FieldSpec("description", FieldType.TEXT, required=True, max_length=4000),
            FieldSpec("location", FieldType.TEXT, max_length=200),
            FieldSpec("witnessed", FieldType.BOOL),
            FieldSpec("severity", FieldType.TEXT, choices=tuple(SEVERITIES)),
            FieldSpec("head_injury", FieldType.BOOL),
            FieldSpec("anticoagulants", FieldType.BOOL),
            FieldSpec("lasting_harm", FieldType.BOOL),
            FieldSpec("pressure_ulcer_grade", FieldType.INT, minimum=1, maximum=4),
            FieldSpec("developed_after_admission", FieldType.BOOL),
            FieldSpec("harm_caused", FieldType.BOOL),
            FieldSpec("resident_died", FieldType.BOOL),
            FieldSpec("abuse_alleged", FieldType.BOOL),
            FieldSpec("safeguarding_referral", FieldType.BOOL),
            FieldSpec("police_involved", FieldType.BOOL),
            FieldSpec("other_events", FieldType.JSON),  # keys of notifications.OTHER_EVENTS
            FieldSpec("body_map", FieldType.JSON),  # [{side, x, y, description, photo_ref?}]
            # A mark's photos are incident_photo records naming the mark's number.
            FieldSpec("immediate_actions", FieldType.TEXT, max_length=4000),
            *_EVENT,
        ),
        label="Incident",
        resident_field="resident_id",
    ),
    EntityType(
        "incident_photo",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("incident_id", FieldType.ID, required=True),
            # The mark's number on the incident's body map (1 = its first mark).
            FieldSpec("mark_number", FieldType.INT, required=True, minimum=1, maximum=MAX_MARKS),
            # The JPEG, base64-encoded (shared.incidents limits its size), with its size in
            # pixels. An "entered in error" record names the photo and carries no picture.
            FieldSpec("jpeg_base64", FieldType.TEXT, max_length=PHOTO_TEXT_LENGTH, personal=True),
            FieldSpec("width", FieldType.INT, minimum=1, maximum=PHOTO_LONG_SIDE),
            FieldSpec("height", FieldType.INT, minimum=1, maximum=PHOTO_LONG_SIDE),
            FieldSpec("caption", FieldType.TEXT, max_length=MAX_PHOTO_CAPTION),
            *_EVENT,  # occurred_at: when the photo was attached
        ),
        label="Incident photo",
        resident_field="resident_id",
    ),
    EntityType(
        "post_fall_observation",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("incident_id", FieldType.ID, required=True),
            FieldSpec("due_at", FieldType.DATETIME, required=True),
            FieldSpec("findings", FieldType.TEXT, required=True, max_length=1000),
            FieldSpec("concern", FieldType.BOOL),
            FieldSpec("occurred_at", FieldType.DATETIME, required=True),
        ),
        label="Post-fall observation",
        resident_field="resident_id",
    ),
    EntityType(
        "incident_review",
        Kind.EVENT,
        (
            _RESIDENT,
            FieldSpec("incident_id", FieldType.ID, required=True),
            FieldSpec("findings", FieldType.TEXT, required=True, max_length=4000),
            FieldSpec("actions", FieldType.JSON),  # [{action, owner, due_on}]
            FieldSpec("lessons", FieldType.TEXT, max_length=4000),
            FieldSpec("closed", FieldType.BOOL),
            FieldSpec("occurred_at", FieldType.DATETIME, required=True),
        ),
        label="Manager's incident review",
        resident_field="resident_id",
    ),
    EntityType(
        "statutory_notification",
        Kind.MUTABLE,
        (
            _RESIDENT,
            FieldSpec("incident_id", FieldType.ID),
            FieldSpec("dols_id", FieldType.ID),
            FieldSpec(
                "regulator",
                FieldType.TEXT,
                required=True,
                choices=tuple(r.value for r in Regulator),
            ),
            FieldSpec(
                "notification_type",
                FieldType.TEXT,
                required=True,
                choices=tuple(t.value for t in NotificationType),
            ),
            FieldSpec("event_at", FieldType.DATETIME, required=True),
            FieldSpec("draft", FieldType.JSON),  # the form's fields, pre-filled
            FieldSpec("status", FieldType.TEXT, choices=NOTIFICATION_STATUSES),
            FieldSpec("sent_at", FieldType.DATETIME),
            FieldSpec("sent_method", FieldType.TEXT, choices=tuple(SEND_METHODS)),
            FieldSpec("sent_reference", FieldType.TEXT, max_length=100),
            FieldSpec("status_note", FieldType.TEXT, max_length=1000),
        ),
        label="Statutory notification",
        resident_field="resident_id",
    ),
)
