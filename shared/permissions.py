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
    "record_view": EntityRule(read=MANAGER_ROLES | ADMIN_ROLES, write=CLINICAL_READERS),
    "review_item": EntityRule(read=CLINICAL_READERS, write=CARE_ROLES),
    "review_resolution": EntityRule(read=CLINICAL_READERS, write=SENIOR_ROLES),
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
