"""Safety rules that run across replicas: on the server at merge, and on each PC after a pull.

A rule never drops or changes what was recorded; it returns review items for a person to
resolve. Review item ids are derived from what they are about, so the server and a PC that
both notice the same problem make the same record, which then merges instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from shared.ids import stable_id
from shared.medication import rules as medication_rules
from shared.merge import FieldConflict


@dataclass(frozen=True)
class StoredRecord:
    entity: str
    record_id: str
    # Read-only: a replica may parse and open stored values as they are read.
    fields: Mapping[str, Any]
    versions: Mapping[str, str]


@dataclass(frozen=True)
class AppliedChange:
    """A change as merged into a replica, with what the rules need to know about it."""

    entity: str
    record_id: str
    op: str
    fields: Mapping[str, Any]
    base_versions: dict[str, str]
    resident_id: str | None
    occurred_at: str


@dataclass(frozen=True)
class ReviewDraft:
    record_id: str
    fields: dict[str, Any]


class RecordLookup(Protocol):
    def get_record(self, entity: str, record_id: str) -> StoredRecord | None: ...

    def events_for_resident(self, entity: str, resident_id: str) -> list[StoredRecord]:
        """Every record of ``entity`` about one resident that this replica holds, including
        those being merged right now (the server's current batch, a PC's unsent ones)."""
        ...


Rule = Callable[[AppliedChange, RecordLookup], list[ReviewDraft]]

CLINICAL_EVENT_ENTITIES = frozenset({"care_note", "observation"})


def _brief(value: Any) -> str:
    # Both values are kept whole in "values"; the message must fit the review item's 1000
    # characters whatever was typed into a long field such as "about me".
    text = repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def conflict_review(
    entity: str, record_id: str, resident_id: str | None, conflict: FieldConflict, occurred_at: str
) -> ReviewDraft:
    versions = sorted([conflict.kept_version, conflict.other_version])
    review_id = stable_id("conflict", entity, record_id, conflict.field, *versions)
    return ReviewDraft(
        review_id,
        {
            "rule": "same_field_edited_concurrently",
            "message": (
                f"Two people changed the {conflict.field.replace('_', ' ')} at the same time. "
                f"Showing {_brief(conflict.kept_value)}; "
                f"the other value was {_brief(conflict.other_value)}."
            ),
            "subject_entity": entity,
            "subject_id": record_id,
            "field": conflict.field,
            "values": [
                {"value": conflict.kept_value, "version": conflict.kept_version, "shown": True},
                {"value": conflict.other_value, "version": conflict.other_version, "shown": False},
            ],
            "resident_id": resident_id,
            "occurred_at": occurred_at,
        },
    )


def recorded_after_discharge(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    """A resident's record edited, or a clinical event recorded, by someone who had not seen
    that the resident was discharged."""
    if change.resident_id is None:
        return []
    resident = lookup.get_record("resident", change.resident_id)
    if resident is None or resident.fields.get("status") != "discharged":
        return []
    discharge_version = resident.versions.get("status", "")
    if change.entity == "resident":
        if "status" in change.fields or change.base_versions.get("status") == discharge_version:
            return []
        what = "The resident's details were changed"
    elif change.entity in CLINICAL_EVENT_ENTITIES:
        what = "A record was made"
    else:
        return []
    review_id = stable_id("after_discharge", change.entity, change.record_id, discharge_version)
    return [
        ReviewDraft(
            review_id,
            {
                "rule": "recorded_after_discharge",
                "message": f"{what} after the resident was discharged. Check it belongs here.",
                "subject_entity": change.entity,
                "subject_id": change.record_id,
                "field": None,
                "values": None,
                "resident_id": change.resident_id,
                "occurred_at": change.occurred_at,
            },
        )
    ]


RULES: tuple[Rule, ...] = (recorded_after_discharge, *medication_rules.RULES)


def run_rules(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    drafts: list[ReviewDraft] = []
    for rule in RULES:
        drafts.extend(rule(change, lookup))
    return drafts
