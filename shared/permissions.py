"""The one permission matrix: which role may read and write which entity and field.

The server enforces it on every push and request; the desktop uses it to show or hide actions.
"""

from __future__ import annotations

from dataclasses import dataclass

CARE_ROLES = frozenset(
    {"care_assistant", "senior_carer", "nurse", "deputy_manager", "home_manager"}
)
SENIOR_ROLES = frozenset({"senior_carer", "nurse", "deputy_manager", "home_manager"})
MANAGER_ROLES = frozenset({"deputy_manager", "home_manager", "provider_admin"})
ADMIN_ROLES = frozenset({"provider_admin", "it_admin"})
MFA_ROLES = frozenset({"deputy_manager", "home_manager", "provider_admin", "it_admin"})
CLINICAL_READERS = CARE_ROLES | {"provider_admin", "inspector"}
# Who leads on capacity, DoLS and incident reviews, and sends statutory notifications.
CARE_LEADS = frozenset({"nurse", "deputy_manager", "home_manager"})


@dataclass(frozen=True)
class EntityRule:
    read: frozenset[str]
    write: frozenset[str]
    # Fields that only these roles may write (others may write the rest of the record).
    restricted_fields: tuple[tuple[str, frozenset[str]], ...] = ()


_RESIDENT_ADMIN_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "unit_id",
    "room",
    "status",
    "discharged_on",
    "discharge_reason",
    "discharge_note",
    "dnacpr",
)

MATRIX: dict[str, EntityRule] = {
    "home": EntityRule(read=CLINICAL_READERS | ADMIN_ROLES, write=frozenset()),
    "unit": EntityRule(read=CLINICAL_READERS | ADMIN_ROLES, write=frozenset()),
    "staff_user": EntityRule(read=CLINICAL_READERS | ADMIN_ROLES, write=frozenset()),
    "setting": EntityRule(read=CLINICAL_READERS | ADMIN_ROLES, write=frozenset()),
    "resident": EntityRule(
        read=CLINICAL_READERS,
        write=CARE_ROLES,
        restricted_fields=tuple((f, SENIOR_ROLES) for f in _RESIDENT_ADMIN_FIELDS),
    ),
    "care_note": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "observation": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "soft_signs_baseline": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "record_view": EntityRule(read=MANAGER_ROLES | ADMIN_ROLES, write=CLINICAL_READERS),
    "review_item": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "review_resolution": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    # Care planning (shared/entities/care.py): seniors write plans, capacity and legal
    # records; anyone on the floor scores an assessment and reports an incident.
    "admission_assessment": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "care_plan_section": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "care_plan_revision": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "assessment": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "mca_assessment": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "best_interest_decision": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "dols_authorisation": EntityRule(read=CLINICAL_READERS, write=CARE_LEADS),
    "legal_representative": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "respect_record": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "incident": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "incident_photo": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "post_fall_observation": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "incident_review": EntityRule(read=CLINICAL_READERS, write=CARE_LEADS),
    "statutory_notification": EntityRule(
        read=CLINICAL_READERS,
        write=SENIOR_ROLES,
        restricted_fields=tuple(
            (f, CARE_LEADS) for f in ("status", "sent_at", "sent_method", "sent_reference")
        ),
    ),
    # Medication (shared/entities/medication.py). Seniors and nurses prescribe-transcribe and
    # keep stock. Any care role may *record* a dose or a CD register line: whether a care
    # assistant may administer is the provider's competency decision (NICE SC1), enforced on
    # the PC by the setting "medication_care_assistants_administer"; a dose already given is
    # never refused at sync, which would block the PC's outbox and lose the record.
    "prescription": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "prescription_event": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "medication_administration": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "prn_follow_up": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "cd_register_entry": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "stock_event": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "homely_remedy": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    "mar_transcription": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
    # Handover (shared/entities/handover.py): anyone handing over may add a remark.
    "handover_remark": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
}


def can_read(role: str, entity: str) -> bool:
    rule = MATRIX.get(entity)
    return rule is not None and role in rule.read


def write_refusal(role: str, entity: str, fields: list[str], *, creating: bool) -> str | None:
    """None when ``role`` may write these fields of ``entity``; otherwise the reason.

    Creating a record may set restricted fields only for roles allowed to write them, except
    that nothing restricted is checked for entities without restrictions.
    """
    rule = MATRIX.get(entity)
    if rule is None:
        return f"unknown kind of record: {entity!r}"
    if role not in rule.write:
        return f"the role {role} may not write {entity} records"
    for field_name, roles in rule.restricted_fields:
        if field_name in fields and role not in roles:
            if creating:
                return f"the role {role} may not create {entity} records"
            return f"the role {role} may not change the {field_name.replace('_', ' ')}"
    return None
