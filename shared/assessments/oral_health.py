"""Oral health assessment: record the assessor's findings about a resident's mouth care in the
shape every assessment shares, and turn them into care plan actions.

Gap in the reference: uk-care-standards.md describes no oral health assessment at all (no
tool, items, scoring or timing). NICE NG48 "Oral health for adults in care homes" is the likely
source to add to it. Until then this module scores nothing and invents no items, thresholds or
clinical rules: it records three decisions the assessor makes (does the resident need help
with daily mouth care, do they wear dentures, do they need to see a dentist) and restates each
"yes" as an action. Replace it with the tool the reference settles on.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from shared.assessments.common import CarePlanArea, check_yes_no, missing_items

QUESTIONS: Mapping[str, str] = {
    "needs_help_with_mouth_care": "needs help with daily mouth care",
    "wears_dentures": "wears dentures",
    "needs_dentist": "needs to see a dentist",
}

ACTIONS: Mapping[str, str] = {
    "needs_help_with_mouth_care": "Plan the help with daily mouth care the resident needs.",
    "wears_dentures": "Record the resident's dentures and how they are cared for.",
    "needs_dentist": "Arrange for the resident to see a dentist.",
}


@dataclass(frozen=True)
class OralHealthInput:
    """The assessor's answer to each question. ``None`` means not assessed."""

    needs_help_with_mouth_care: bool | None = None
    wears_dentures: bool | None = None
    needs_dentist: bool | None = None

    def __post_init__(self) -> None:
        for name, question in QUESTIONS.items():
            check_yes_no(getattr(self, name), name, question)


@dataclass(frozen=True)
class OralHealthResult:
    """The actions for each "yes"; ``actions`` is empty when the assessment is incomplete, so
    that a partial record is not mistaken for a finished plan."""

    missing: tuple[str, ...]
    actions: tuple[str, ...]
    answers: tuple[bool | None, ...]  # in QUESTIONS order
    tool: str = field(default="Oral health assessment", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.PERSONAL_CARE, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        """Any answer changing calls for a review: the module has no band."""
        return self.answers if self.complete else None


def score(assessment: OralHealthInput) -> OralHealthResult:
    """The care plan actions that follow from the assessor's answers."""
    missing = missing_items(assessment, QUESTIONS)
    answers = tuple(getattr(assessment, name) for name in QUESTIONS)
    actions = () if missing else tuple(ACTIONS[n] for n in QUESTIONS if getattr(assessment, n))
    return OralHealthResult(missing=missing, actions=actions, answers=answers)
