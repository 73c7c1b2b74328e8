"""Care plan rules: the areas of need a plan is written in, which section a resident's area is
(one per area, so two PCs writing the same area merge instead of duplicating), what an edit
changed, and when a section's review is due or overdue.

Sections are reviewed monthly unless the writer sets another date: a policy choice [U] (the
reference gives monthly monitoring only for MUST, §2.7), with a latest date of a year ahead
so that a plan can never drop out of review.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.errors import WcnError
from shared.ids import stable_id

# The areas of need, in the order a plan is read, then pain management: the
# assessments' area for the two pain tools (shared.assessments.CarePlanArea), which fit no other.
AREAS: Mapping[str, str] = {
    "personal_care": "Personal care",
    "eating_and_drinking": "Eating and drinking",
    "continence": "Continence",
    "mobility_and_falls": "Mobility and falls",
    "skin_integrity": "Skin integrity",
    "communication": "Communication",
    "cognition_and_mental_health": "Cognition and mental health",
    "medication_support": "Medication support",
    "social_and_spiritual": "Social and spiritual",
    "end_of_life": "End of life and advance care planning",
    "pain_management": "Pain management",
}

# What a person writes in a section, in form order.
SECTION_FIELDS: Mapping[str, str] = {
    "needs": "needs",
    "goals": "goals",
    "actions": "agreed actions",
    "resident_involvement": "the resident's involvement",
    "family_involvement": "the family's involvement",
    "review_due": "review date",
}
TEXT_FIELDS = ("needs", "goals", "actions", "resident_involvement", "family_involvement")
MAX_TEXT = 4000
MAX_REASON = 1000
LONGEST_REVIEW_INTERVAL_DAYS = 366  # policy [U]: no section goes more than a year unreviewed
DUE_SOON_DAYS = 7


class CarePlanError(WcnError, ValueError):
    """A care plan entry that cannot be right; ``field`` names the part to fix."""

    code = "invalid_care_plan"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class RevisionKind(StrEnum):
    WRITTEN = "written"  # the section's first version
    EDITED = "edited"  # changed between reviews
    REVIEWED = "reviewed"  # the scheduled review, whether or not anything changed


class ReviewState(StrEnum):
    NOT_SET = "no review date"
    DUE_LATER = "review due"
    DUE_SOON = "review due soon"
    OVERDUE = "review overdue"


def section_id(resident_id: str, area: str) -> str:
    """The one id of a resident's section for ``area``: every PC makes the same one."""
    check_area(area)
    return stable_id("care_plan_section", resident_id, area)


def check_area(area: str) -> None:
    if area not in AREAS:
        raise CarePlanError("area", f"{area!r} is not an area of the care plan.")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_due(today: dt.date) -> dt.date:
    return add_months(today, 1)


def check_review_due(review_due: dt.date, today: dt.date) -> None:
    """A review date must be from today to a year ahead."""
    if review_due < today:
        raise CarePlanError("review_due", "The review date cannot be in the past.")
    if (review_due - today).days > LONGEST_REVIEW_INTERVAL_DAYS:
        raise CarePlanError(
            "review_due", "Review the section at least once a year: choose an earlier date."
        )


def review_state(review_due: dt.date | None, today: dt.date) -> ReviewState:
    if review_due is None:
        return ReviewState.NOT_SET
    if review_due < today:
        return ReviewState.OVERDUE
    if (review_due - today).days <= DUE_SOON_DAYS:
        return ReviewState.DUE_SOON
    return ReviewState.DUE_LATER


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


def clean_text(values: Mapping[str, Any]) -> dict[str, Any]:
    """Text fields stripped; anything not a section field refused."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in SECTION_FIELDS:
            raise CarePlanError(name, f"A care plan section has no {name.replace('_', ' ')}.")
        if name in TEXT_FIELDS:
            if value is not None and not isinstance(value, str):
                raise CarePlanError(name, f"The {SECTION_FIELDS[name]} must be text.")
            text = (value or "").strip()
            if len(text) > MAX_TEXT:
                raise CarePlanError(
                    name,
                    f"The {SECTION_FIELDS[name]} is longer than {MAX_TEXT} characters: shorten it.",
                )
            cleaned[name] = text
        else:
            cleaned[name] = value
    return cleaned


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The section fields ``after`` sets to something other than ``before``, in form order.
    A missing value and an empty one are the same."""
    found = []
    for name in SECTION_FIELDS:
        if name not in after:
            continue
        old, new = before.get(name) or None, after.get(name) or None
        if old != new:
            found.append(FieldChange(name, old, new))
    return tuple(found)


def check_first_version(values: Mapping[str, Any]) -> None:
    """A new section says at least what the need is and what is agreed to meet it."""
    if not (values.get("needs") or "").strip():
        raise CarePlanError("needs", "Write the resident's needs in this area.")
    if not (values.get("actions") or "").strip():
        raise CarePlanError("actions", "Write the agreed actions: what staff will do.")


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise CarePlanError("reason", "Say why the care plan is changing.")
    if len(text) > MAX_REASON:
        raise CarePlanError("reason", f"Keep the reason under {MAX_REASON} characters.")
    return text
