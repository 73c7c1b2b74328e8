"""Safety rules across replicas: review items that every replica derives identically."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shared import rules
from shared.entities import ENTITIES, validate_fields
from shared.merge import FieldConflict, make_version
from shared.rules import AppliedChange, StoredRecord

NOW = "2024-03-31T14:05:00+00:00"
RESIDENT = str(uuid.UUID(int=1))
RECORD = str(uuid.UUID(int=2))
DISCHARGED_AT = make_version("000001700000000-00000-pc1", str(uuid.UUID(int=3)))


class Records:
    """A replica's records, as the rules see them."""

    def __init__(self, *stored: StoredRecord) -> None:
        self._by_id = {(r.entity, r.record_id): r for r in stored}

    def get_record(self, entity: str, record_id: str) -> StoredRecord | None:
        return self._by_id.get((entity, record_id))

    def events_for_resident(self, entity: str, resident_id: str) -> list[StoredRecord]:
        return [
            r
            for (kind, _id), r in self._by_id.items()
            if kind == entity and r.fields.get("resident_id") == resident_id
        ]


def resident(status: str) -> StoredRecord:
    return StoredRecord(
        "resident",
        RESIDENT,
        {"first_name": "Joan", "status": status},
        {"first_name": make_version("000001600000000-00000-pc1", "a"), "status": DISCHARGED_AT},
    )


def applied(entity: str, fields: dict[str, Any], **kw: Any) -> AppliedChange:
    defaults: dict[str, Any] = {
        "record_id": RECORD,
        "op": "create",
        "base_versions": {},
        "resident_id": RESIDENT,
        "occurred_at": NOW,
    }
    defaults.update(kw)
    return AppliedChange(entity=entity, fields=fields, **defaults)


versions = st.integers(0, 10**12).map(lambda ms: make_version(f"{ms:015d}-00000-pc", "c"))
resident_fields = st.sampled_from([f for f in ENTITIES["resident"].fields])


@st.composite
def conflicts(draw: st.DrawFn) -> FieldConflict:
    spec = draw(resident_fields)
    value = (
        st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=spec.max_length)
        | st.integers()
        | st.booleans()
        | st.none()
    )
    kept, other = draw(st.lists(versions, min_size=2, max_size=2, unique=True))
    return FieldConflict(spec.name, draw(value), max(kept, other), draw(value), min(kept, other))


@given(conflicts(), st.sampled_from([None, RESIDENT]))
@example(FieldConflict("about_me", "x" * 4000, "v2", "y" * 4000, "v1"), RESIDENT)
def test_a_conflict_review_is_a_valid_review_item(
    conflict: FieldConflict, resident_id: str | None
) -> None:
    # Regression: a long "about me" put more than 1000 characters into the message, so a PC
    # pushing the review item would have had its whole batch refused.
    draft = rules.conflict_review("resident", RECORD, resident_id, conflict, NOW)
    validate_fields("review_item", draft.fields, partial=False)
    assert draft.fields["rule"] == "same_field_edited_concurrently"
    assert conflict.field.replace("_", " ") in draft.fields["message"]
    assert draft.fields["values"] == [
        {"value": conflict.kept_value, "version": conflict.kept_version, "shown": True},
        {"value": conflict.other_value, "version": conflict.other_version, "shown": False},
    ]


@given(conflicts(), st.text(min_size=1, max_size=30))
def test_every_replica_names_the_same_conflict_the_same_way(
    conflict: FieldConflict, other_time: str
) -> None:
    # The server keeps one value and a PC may have kept the other; both must make one item.
    swapped = FieldConflict(
        conflict.field,
        conflict.other_value,
        conflict.other_version,
        conflict.kept_value,
        conflict.kept_version,
    )
    server = rules.conflict_review("resident", RECORD, RESIDENT, conflict, NOW)
    pc = rules.conflict_review("resident", RECORD, None, swapped, other_time)
    assert server.record_id == pc.record_id
    elsewhere = rules.conflict_review("resident", RESIDENT, RESIDENT, conflict, NOW)
    assert elsewhere.record_id != server.record_id


def test_the_conflict_message_shows_short_values_whole() -> None:
    conflict = FieldConflict("room", "12A", "v2", "12", "v1")
    draft = rules.conflict_review("resident", RECORD, RESIDENT, conflict, NOW)
    assert draft.fields["message"] == (
        "Two people changed the room at the same time. Showing '12A'; the other value was '12'."
    )


@pytest.mark.parametrize("entity", ["care_note", "observation"])
def test_a_record_made_for_a_discharged_resident_is_flagged(entity: str) -> None:
    drafts = rules.recorded_after_discharge(
        applied(entity, {"text": "Ate well."}), Records(resident("discharged"))
    )
    assert len(drafts) == 1
    fields = drafts[0].fields
    validate_fields("review_item", fields, partial=False)
    assert fields["rule"] == "recorded_after_discharge"
    assert (fields["subject_entity"], fields["subject_id"]) == (entity, RECORD)
    assert fields["resident_id"] == RESIDENT
    assert fields["message"].startswith("A record was made after the resident was discharged.")


def test_the_same_late_record_makes_the_same_review_on_every_replica() -> None:
    lookup = Records(resident("discharged"))
    server = rules.recorded_after_discharge(applied("care_note", {}), lookup)
    pc = rules.recorded_after_discharge(applied("care_note", {}, occurred_at="later"), lookup)
    assert [d.record_id for d in server] == [d.record_id for d in pc]
    other = rules.recorded_after_discharge(
        applied("care_note", {}, record_id=str(uuid.UUID(int=9))), lookup
    )
    assert other[0].record_id != server[0].record_id


def test_an_edit_by_someone_who_had_not_seen_the_discharge_is_flagged() -> None:
    change = applied(
        "resident", {"diet": "Soft"}, op="update", base_versions={}, record_id=RESIDENT
    )
    drafts = rules.recorded_after_discharge(change, Records(resident("discharged")))
    assert len(drafts) == 1
    assert drafts[0].fields["message"].startswith("The resident's details were changed")


def test_an_edit_by_someone_who_had_seen_the_discharge_is_not_flagged() -> None:
    change = applied(
        "resident",
        {"diet": "Soft"},
        op="update",
        base_versions={"status": DISCHARGED_AT},
        record_id=RESIDENT,
    )
    assert rules.recorded_after_discharge(change, Records(resident("discharged"))) == []


def test_readmitting_a_resident_is_not_flagged() -> None:
    change = applied("resident", {"status": "admitted"}, op="update", record_id=RESIDENT)
    assert rules.recorded_after_discharge(change, Records(resident("discharged"))) == []


@pytest.mark.parametrize(
    ("change", "lookup"),
    [
        (applied("care_note", {}), Records(resident("admitted"))),
        (applied("care_note", {}), Records()),
        (applied("care_note", {}, resident_id=None), Records(resident("discharged"))),
        (applied("review_item", {}), Records(resident("discharged"))),
        (applied("record_view", {}), Records(resident("discharged"))),
    ],
)
def test_nothing_is_flagged_otherwise(change: AppliedChange, lookup: Records) -> None:
    assert rules.recorded_after_discharge(change, lookup) == []
    assert rules.run_rules(change, lookup) == []


def test_run_rules_runs_every_rule() -> None:
    change = applied("observation", {})
    lookup = Records(resident("discharged"))
    expected = [draft for rule in rules.RULES for draft in rule(change, lookup)]
    assert rules.run_rules(change, lookup) == expected
    assert len(expected) == 1
