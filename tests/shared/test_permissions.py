"""The permission matrix: who may read and write which records and fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import permissions as perm
from shared.entities import ENTITIES, ROLES, Kind

roles = st.sampled_from(ROLES)
entity_names = st.sampled_from(sorted(ENTITIES))


@st.composite
def writes(draw: st.DrawFn) -> tuple[str, str, list[str], bool]:
    entity = draw(entity_names)
    names = [f.name for f in ENTITIES[entity].fields]
    fields = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return draw(roles), entity, fields, draw(st.booleans())


def test_every_entity_has_exactly_one_rule() -> None:
    assert set(perm.MATRIX) == set(ENTITIES)


def test_the_matrix_names_only_known_roles_and_fields() -> None:
    for entity, rule in perm.MATRIX.items():
        assert rule.read <= set(ROLES)
        assert rule.write <= set(ROLES)
        for field_name, allowed in rule.restricted_fields:
            assert field_name in ENTITIES[entity].field_map
            assert allowed <= rule.write
    assert perm.MFA_ROLES >= perm.MANAGER_ROLES | perm.ADMIN_ROLES


@given(roles, st.sampled_from([n for n, e in ENTITIES.items() if e.kind is Kind.REFERENCE]))
def test_no_role_writes_reference_data(role: str, entity: str) -> None:
    refusal = perm.write_refusal(role, entity, [], creating=True)
    assert refusal == f"the role {role} may not write {entity} records"


@given(writes(), st.data())
def test_adding_fields_to_a_refused_write_never_allows_it(
    write: tuple[str, str, list[str], bool], data: st.DataObject
) -> None:
    role, entity, fields, creating = write
    names = [f.name for f in ENTITIES[entity].fields]
    more = data.draw(st.lists(st.sampled_from(names), unique=True))
    wider = list(dict.fromkeys(fields + more))
    if perm.write_refusal(role, entity, fields, creating=creating) is not None:
        assert perm.write_refusal(role, entity, wider, creating=creating) is not None
    if perm.write_refusal(role, entity, wider, creating=creating) is None:
        assert perm.write_refusal(role, entity, fields, creating=creating) is None


@given(writes())
def test_a_write_is_allowed_only_to_roles_that_may_write_the_entity(
    write: tuple[str, str, list[str], bool],
) -> None:
    role, entity, fields, creating = write
    if perm.write_refusal(role, entity, fields, creating=creating) is None:
        assert role in perm.MATRIX[entity].write
        for field_name, allowed in perm.MATRIX[entity].restricted_fields:
            assert field_name not in fields or role in allowed


@given(roles, entity_names)
def test_unknown_entities_and_roles_are_refused(role: str, entity: str) -> None:
    assert perm.write_refusal(role, "shoe", [], creating=True) == "unknown kind of record: 'shoe'"
    assert not perm.can_read(role, "shoe")
    assert not perm.can_read("janitor", entity)
    assert perm.write_refusal("janitor", entity, [], creating=True) is not None


def test_care_assistants_record_care_but_not_a_residents_identity() -> None:
    assert perm.write_refusal("care_assistant", "care_note", ["text"], creating=True) is None
    assert perm.write_refusal("care_assistant", "observation", ["values"], creating=True) is None
    assert perm.write_refusal("care_assistant", "resident", ["diet"], creating=False) is None
    assert (
        perm.write_refusal("care_assistant", "resident", ["diet", "nhs_number"], creating=False)
        == "the role care_assistant may not change the nhs number"
    )
    assert (
        perm.write_refusal("care_assistant", "resident", ["first_name"], creating=True)
        == "the role care_assistant may not create resident records"
    )


@pytest.mark.parametrize("role", sorted(perm.SENIOR_ROLES))
def test_senior_roles_admit_residents_and_resolve_reviews(role: str) -> None:
    fields = [f.name for f in ENTITIES["resident"].fields]
    assert perm.write_refusal(role, "resident", fields, creating=True) is None
    assert perm.write_refusal(role, "review_resolution", ["outcome"], creating=True) is None


def test_a_care_assistant_cannot_resolve_a_review() -> None:
    refusal = perm.write_refusal("care_assistant", "review_resolution", ["outcome"], creating=True)
    assert refusal == "the role care_assistant may not write review_resolution records"


def test_inspectors_read_care_records_but_change_nothing() -> None:
    for entity in ("resident", "care_note", "observation", "review_item"):
        assert perm.can_read("inspector", entity)
        assert perm.write_refusal("inspector", entity, [], creating=True) is not None
    # Looking at a record is itself recorded, whoever looks.
    assert perm.write_refusal("inspector", "record_view", ["resident_id"], creating=True) is None


def test_it_admins_see_no_care_records() -> None:
    for entity in ("resident", "care_note", "observation", "review_item"):
        assert not perm.can_read("it_admin", entity)
    assert perm.can_read("it_admin", "home")
    assert perm.can_read("provider_admin", "resident")


def test_who_looked_at_a_record_is_for_managers_only() -> None:
    readers = {role for role in ROLES if perm.can_read(role, "record_view")}
    assert readers == perm.MANAGER_ROLES | perm.ADMIN_ROLES
    assert "care_assistant" not in readers
