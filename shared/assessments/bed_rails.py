"""Bed rails risk assessment: record the assessor's decision and reasons, check it against the
Mental Capacity Act principles, and give the outcome with every reason that led to it.

Gap in the reference: uk-care-standards.md has nothing on bed rails (no risk factors, no
entrapment checks, no decision rules). The MHRA guidance "Bed rails: management and safe use"
is the likely source to add to it. Until then the clinical decision (are rails safe and
needed for this resident?) is the assessor's, with their reasons, and this module authors none
of it (as §2.14 puts it for ReSPECT: software records, it does not make clinical decisions).

What the module does check comes from §2.13 (MCA): capacity is decision-specific and
presumed; a resident with capacity may refuse, even unwisely; for a resident who lacks
capacity for this decision, rails may be used only as a recorded best-interests decision that
has considered less restrictive options. When those conditions are not met the outcome is
"not yet": rails are not to be used until they are. These are the principles of the Mental
Capacity Act 2005 (England and Wales). Scotland and Northern Ireland have their own law (§2.4)
whose principles the reference does not give: confirm the checks there before use.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.assessments.common import (
    AssessmentInputError,
    CarePlanArea,
    check_choice,
    check_yes_no,
)


class BedRailsDecision(StrEnum):
    """The assessor's clinical decision."""

    USE = "use bed rails"
    DO_NOT_USE = "do not use bed rails"


class BedRailsOutcome(StrEnum):
    USE = "use bed rails"
    DO_NOT_USE = "do not use bed rails"
    NOT_YET = "do not use bed rails yet"  # the decision to use them lacks a lawful basis


LABELS: Mapping[str, str] = {
    "decision": "decision about bed rails",
    "reasons": "reasons for the decision",
    "has_capacity_for_this_decision": "whether the resident has capacity for this decision",
    "resident_agrees": "whether the resident agrees to bed rails",
    "best_interests_decision_recorded": "whether a best-interests decision is recorded",
    "less_restrictive_options_considered": "whether less restrictive options were considered",
}
MAX_REASON_LENGTH = 1000


@dataclass(frozen=True)
class BedRailsInput:
    """The assessor's decision and reasons, and the consent questions. ``None`` means not
    answered. Which consent questions apply depends on the decision and on capacity."""

    decision: BedRailsDecision | None = None
    reasons: tuple[str, ...] = ()
    has_capacity_for_this_decision: bool | None = None
    resident_agrees: bool | None = None  # asked when the resident has capacity
    best_interests_decision_recorded: bool | None = None  # asked when they lack capacity
    less_restrictive_options_considered: bool | None = None  # asked when they lack capacity

    def __post_init__(self) -> None:
        check_choice(self.decision, BedRailsDecision, "decision", LABELS["decision"])
        if not isinstance(self.reasons, tuple) or not all(
            isinstance(reason, str) for reason in self.reasons
        ):
            raise AssessmentInputError("reasons", "Reasons for the decision must be text.")
        for reason in self.reasons:
            if len(reason) > MAX_REASON_LENGTH:
                raise AssessmentInputError(
                    "reasons",
                    f"Each reason for the decision must be at most {MAX_REASON_LENGTH} characters.",
                )
        for name in (
            "has_capacity_for_this_decision",
            "resident_agrees",
            "best_interests_decision_recorded",
            "less_restrictive_options_considered",
        ):
            check_yes_no(getattr(self, name), name, LABELS[name])


@dataclass(frozen=True)
class BedRailsResult:
    """``outcome`` is ``None`` when incomplete. ``reasons`` are the assessor's, then any the
    Mental Capacity Act checks add."""

    missing: tuple[str, ...]
    outcome: BedRailsOutcome | None
    reasons: tuple[str, ...]
    tool: str = field(default="Bed rails risk assessment", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.MOBILITY_AND_FALLS, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return self.outcome


def _applicable(assessment: BedRailsInput) -> tuple[str, ...]:
    """The fields that must be answered, given the answers so far."""
    names = ["decision", "reasons"]
    if assessment.decision is BedRailsDecision.USE:
        names.append("has_capacity_for_this_decision")
        if assessment.has_capacity_for_this_decision is True:
            names.append("resident_agrees")
        elif assessment.has_capacity_for_this_decision is False:
            names += ["best_interests_decision_recorded", "less_restrictive_options_considered"]
    return tuple(names)


def score(assessment: BedRailsInput) -> BedRailsResult:
    """The outcome of the assessment, with its reasons."""
    given = tuple(reason.strip() for reason in assessment.reasons if reason.strip())
    missing = tuple(
        LABELS[name]
        for name in _applicable(assessment)
        if (not given if name == "reasons" else getattr(assessment, name) is None)
    )
    if missing:
        return BedRailsResult(missing=missing, outcome=None, reasons=given)
    if assessment.decision is BedRailsDecision.DO_NOT_USE:
        return BedRailsResult(missing=(), outcome=BedRailsOutcome.DO_NOT_USE, reasons=given)
    added: list[str] = []
    if assessment.has_capacity_for_this_decision:
        if not assessment.resident_agrees:
            added.append(
                "The resident has capacity for this decision and does not agree to bed rails."
            )
    else:
        if not assessment.best_interests_decision_recorded:
            added.append(
                "The resident lacks capacity for this decision and no best-interests decision "
                "is recorded."
            )
        if not assessment.less_restrictive_options_considered:
            added.append("Less restrictive options have not been considered.")
    outcome = BedRailsOutcome.NOT_YET if added else BedRailsOutcome.USE
    return BedRailsResult(missing=(), outcome=outcome, reasons=(*given, *added))
