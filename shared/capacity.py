"""Mental capacity and deprivation of liberty: the two-stage capacity test for one decision,
and where a DoLS authorisation stands (urgent or standard, its expiry and when to renew).

From uk-care-standards.md §2.12–2.13. Capacity is decision- and time-specific and presumed;
the functional question comes first (can the person understand, retain, use or weigh the
information, and communicate a decision?), then the diagnostic one (an impairment of, or
disturbance in, the mind or brain), and the inability must be because of it. The software
records the assessor's answers and applies that logic; it makes no clinical judgement.

DoLS (§2.12): an urgent authorisation lasts 7 days and can be extended once for up to 7 more;
a standard authorisation runs to the end date the supervisory body set. The 12-month longest
standard authorisation is [U] in the reference ("widely known"), and renewing 28 days before
the end is a policy choice [U] (Form 2 must reach the supervisory body before expiry, and
their assessments take time). These are the rules of the MCA 2005 in England and Wales;
Scotland and Northern Ireland have their own law (§2.4), which these checks do not cover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from shared.errors import WcnError

URGENT_DAYS = 7
URGENT_EXTENSION_DAYS = 7
LONGEST_STANDARD_DAYS = 366  # 12 months [U], allowing for a leap year
RENEW_BEFORE_DAYS = 28  # policy [U]
EXTENSION_WARNING_DAYS = 2  # policy [U]: ask for the extension before the urgent one lapses


class CapacityError(WcnError, ValueError):
    code = "invalid_capacity_record"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CapacityOutcome(StrEnum):
    HAS_CAPACITY = "has_capacity"
    LACKS_CAPACITY = "lacks_capacity"


FUNCTIONAL = {
    "can_understand": "understand the information relevant to the decision",
    "can_retain": "retain that information",
    "can_use_or_weigh": "use or weigh that information",
    "can_communicate": "communicate the decision",
}


@dataclass(frozen=True)
class McaInput:
    """The assessor's answers for one decision. ``None`` means not answered yet."""

    decision: str = ""
    can_understand: bool | None = None
    can_retain: bool | None = None
    can_use_or_weigh: bool | None = None
    can_communicate: bool | None = None
    impairment: bool | None = None  # of, or disturbance in, the mind or brain
    because_of_impairment: bool | None = None  # the inability is because of it
    practicable_steps: str = ""  # what was done to help the person decide


@dataclass(frozen=True)
class McaResult:
    missing: tuple[str, ...]
    outcome: CapacityOutcome | None
    reasons: tuple[str, ...]
    missing_fields: tuple[str, ...] = ()  # the McaInput fields of ``missing``, in order

    @property
    def complete(self) -> bool:
        return not self.missing


def mca_outcome(answers: McaInput) -> McaResult:
    """Whether the person has capacity for this decision, or what is still to be answered.

    Functional first: a person who can do all four has capacity and the diagnostic question
    does not arise. Someone who cannot do one of them lacks capacity only if they have an
    impairment and the inability is because of it; otherwise capacity is presumed.
    """
    missing: list[str] = []
    fields: list[str] = []
    if not answers.decision.strip():
        missing.append("the decision being assessed")
        fields.append("decision")
    unable = [label for name, label in FUNCTIONAL.items() if getattr(answers, name) is False]
    unknown = [name for name in FUNCTIONAL if getattr(answers, name) is None]
    if not unable:
        missing += [f"whether the person can {FUNCTIONAL[name]}" for name in unknown]
        fields += unknown
        if missing:
            return McaResult(tuple(missing), None, (), tuple(fields))
        return McaResult(
            (), CapacityOutcome.HAS_CAPACITY, ("The person can make this decision themselves.",)
        )
    # At least one inability: the diagnostic stage decides.
    if answers.impairment is None:
        missing.append("whether there is an impairment of, or disturbance in, the mind or brain")
        fields.append("impairment")
    elif answers.impairment and answers.because_of_impairment is None:
        missing.append("whether the inability is because of that impairment")
        fields.append("because_of_impairment")
    if (
        answers.impairment is not False
        and answers.because_of_impairment is not False
        and not answers.practicable_steps.strip()
    ):
        missing.append("the practicable steps taken to help the person decide")
        fields.append("practicable_steps")
    if missing:
        return McaResult(tuple(missing), None, (), tuple(fields))
    if not answers.impairment:
        return McaResult(
            (),
            CapacityOutcome.HAS_CAPACITY,
            ("There is no impairment of the mind or brain, so capacity is presumed.",),
        )
    if not answers.because_of_impairment:
        return McaResult(
            (),
            CapacityOutcome.HAS_CAPACITY,
            ("The inability is not because of an impairment, so capacity is presumed.",),
        )
    reasons = tuple(f"The person cannot {label}." for label in unable)
    return McaResult((), CapacityOutcome.LACKS_CAPACITY, reasons)


# --- DoLS ---------------------------------------------------------------------------------


class DolsOutcome(StrEnum):
    PENDING = "pending"  # applied for; no decision yet
    GRANTED = "granted"  # a standard authorisation
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # the application was withdrawn (moved, died, no longer needed)
    ENDED = "ended"


class DolsStatus(StrEnum):
    URGENT = "urgent authorisation in force"
    AWAITING_DECISION = "awaiting the supervisory body"
    STANDARD = "standard authorisation in force"
    EXPIRED = "expired"
    CLOSED = "closed"


@dataclass(frozen=True)
class DolsRecord:
    applied_on: dt.date | None = None
    urgent_granted_on: dt.date | None = None
    urgent_extended: bool = False
    standard_granted_on: dt.date | None = None
    standard_ends_on: dt.date | None = None
    outcome: DolsOutcome = DolsOutcome.PENDING


@dataclass(frozen=True)
class DolsPosition:
    status: DolsStatus
    expires_on: dt.date | None
    action_due_on: dt.date | None  # when to ask for an extension or a renewal (Form 2)
    action: str  # what to do next, in words (empty when nothing is due)


def urgent_expiry(granted_on: dt.date, extended: bool) -> dt.date:
    """The last day of an urgent authorisation: 7 days, plus 7 if it was extended (once)."""
    return granted_on + dt.timedelta(days=URGENT_DAYS + (URGENT_EXTENSION_DAYS if extended else 0))


def check_dols(record: DolsRecord, today: dt.date) -> None:
    """Refuse what cannot be right: dates out of order, in the future, or too long."""
    if record.urgent_extended and record.urgent_granted_on is None:
        raise CapacityError(
            "urgent_extended", "Only an urgent authorisation can be extended: record it first."
        )
    for name in ("applied_on", "urgent_granted_on", "standard_granted_on"):
        value = getattr(record, name)
        if value is not None and value > today:
            raise CapacityError(name, "That date is in the future.")
    if (
        record.applied_on
        and record.standard_granted_on
        and record.standard_granted_on < record.applied_on
    ):
        raise CapacityError(
            "standard_granted_on",
            "A standard authorisation cannot start before it was applied for.",
        )
    if record.outcome is DolsOutcome.GRANTED and (
        record.standard_granted_on is None or record.standard_ends_on is None
    ):
        raise CapacityError(
            "standard_ends_on",
            "Record when the standard authorisation starts and when it ends.",
        )
    if record.standard_ends_on is not None:
        start = record.standard_granted_on
        if start is None:
            raise CapacityError(
                "standard_granted_on", "Record when the standard authorisation starts."
            )
        if record.standard_ends_on <= start:
            raise CapacityError("standard_ends_on", "The end date must be after the start date.")
        if (record.standard_ends_on - start).days > LONGEST_STANDARD_DAYS:
            raise CapacityError(
                "standard_ends_on", "A standard authorisation lasts at most 12 months."
            )


def dols_position(record: DolsRecord, today: dt.date) -> DolsPosition:
    """Where the authorisation stands today and what to do next."""
    if record.outcome in (DolsOutcome.REFUSED, DolsOutcome.WITHDRAWN, DolsOutcome.ENDED):
        return DolsPosition(DolsStatus.CLOSED, None, None, "")
    if record.outcome is DolsOutcome.GRANTED and record.standard_ends_on is not None:
        ends = record.standard_ends_on
        renew = ends - dt.timedelta(days=RENEW_BEFORE_DAYS)
        if ends < today:
            return DolsPosition(
                DolsStatus.EXPIRED,
                ends,
                renew,
                "The standard authorisation has expired: apply again now if it is still needed.",
            )
        action = (
            "Request a further authorisation (Form 2) before it expires."
            if (today >= renew)
            else ""
        )
        return DolsPosition(DolsStatus.STANDARD, ends, renew, action)
    if record.urgent_granted_on is not None:
        ends = urgent_expiry(record.urgent_granted_on, record.urgent_extended)
        if ends < today:
            return DolsPosition(
                DolsStatus.EXPIRED,
                ends,
                None,
                "The urgent authorisation has lapsed with no standard decision: chase the "
                "supervisory body and record what was decided.",
            )
        if record.urgent_extended:
            return DolsPosition(
                DolsStatus.URGENT, ends, None, "The urgent authorisation cannot be extended again."
            )
        ask_on = ends - dt.timedelta(days=EXTENSION_WARNING_DAYS)
        action = "Ask the supervisory body to extend the urgent authorisation (once, up to 7 days)."
        return DolsPosition(DolsStatus.URGENT, ends, ask_on, action if today >= ask_on else "")
    return DolsPosition(DolsStatus.AWAITING_DECISION, None, None, "")
