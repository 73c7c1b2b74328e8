"""Merge rules for mutable records: per-field, with versions, never silently overwriting.

A field version is ``"<hlc>|<change_id>"``, so versions order by hybrid clock, then by id.
An incoming write to a field applies cleanly when its base version is the field's current
version. Otherwise two people changed the field without seeing each other's change: both
values are kept in a conflict, the value with the greater version is shown (the same on every
replica, whatever order the writes arrive in), and a review item is raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def make_version(hlc: str, change_id: str) -> str:
    return f"{hlc}|{change_id}"


@dataclass(frozen=True)
class FieldConflict:
    field: str
    kept_value: Any
    kept_version: str
    other_value: Any
    other_version: str


@dataclass
class MergeResult:
    values: dict[str, Any]
    versions: dict[str, str]
    changed_fields: list[str] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)


def merge_fields(
    values: dict[str, Any],
    versions: dict[str, str],
    incoming: dict[str, Any],
    base_versions: dict[str, str],
    incoming_version: str,
) -> MergeResult:
    """Merge one incoming write into a record's current fields. Pure; inputs are not changed."""
    result = MergeResult(values=dict(values), versions=dict(versions))
    for name, new_value in incoming.items():
        current_version = versions.get(name)
        base = base_versions.get(name)
        if current_version is None or (
            current_version == base and incoming_version > current_version
        ):
            result.values[name] = new_value
            result.versions[name] = incoming_version
            result.changed_fields.append(name)
            continue
        # Based on the current version but with an older clock (the author's clock was
        # behind): handled below like a concurrent write, so the value is kept in a
        # conflict rather than dropped, and versions only ever move forward.
        if incoming_version == current_version:
            continue  # the same write delivered twice
        current_value = values.get(name)
        if current_value == new_value:
            # Both wrote the same value: no disagreement for a person to resolve.
            if incoming_version > current_version:
                result.versions[name] = incoming_version
            continue
        if incoming_version > current_version:
            kept_value, kept_version = new_value, incoming_version
            other_value, other_version = current_value, current_version
            result.values[name] = new_value
            result.versions[name] = incoming_version
            result.changed_fields.append(name)
        else:
            kept_value, kept_version = current_value, current_version
            other_value, other_version = new_value, incoming_version
        result.conflicts.append(
            FieldConflict(name, kept_value, kept_version, other_value, other_version)
        )
    return result
