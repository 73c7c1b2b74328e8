"""Statutory notifications: from an incident (or a DoLS outcome), which regulator must be told
and of what, by the home's nation; a draft with what the form asks for filled in; how long it
has been since the event ("without delay"); and the check that a notification is marked sent
only with when and how it was sent.

Everything here is from uk-care-standards.md §2.3–2.4. Where the reference is silent the
choice is marked [U] and is a policy proposal for the clinical safety officer to confirm:

- CIW (Wales): the care-home list of Schedule 3 Part 2 was not retrieved, so the CQC list is
  used as the closest known list [U], with "without delay" (older guidance said 24 hours);
- RQIA (Northern Ireland): the grid appendix was not retrieved; the CQC list is used [U];
- Care Inspectorate (Scotland): "accidents, incidents, injuries" has no threshold in the
  reference; any incident with injury or harm is treated as notifiable [U];
- "without delay" is not quantified: a notification still unsent 24 hours after the event is
  shown as late [U];
- a grade 3+ pressure ulcer whose start (before or after admission) is not recorded is treated
  as developed after admission, so that the prompt errs towards telling the regulator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.errors import WcnError


class NotificationError(WcnError, ValueError):
    code = "invalid_notification"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Regulator(StrEnum):
    CQC = "cqc"
    CARE_INSPECTORATE = "care_inspectorate"
    CIW = "ciw"
    RQIA = "rqia"


REGULATOR_NAMES: Mapping[Regulator, str] = {
    Regulator.CQC: "Care Quality Commission (CQC)",
    Regulator.CARE_INSPECTORATE: "Care Inspectorate",
    Regulator.CIW: "Care Inspectorate Wales (CIW)",
    Regulator.RQIA: "Regulation and Quality Improvement Authority (RQIA)",
}
REGULATOR_BY_NATION: Mapping[str, Regulator] = {
    "england": Regulator.CQC,
    "scotland": Regulator.CARE_INSPECTORATE,
    "wales": Regulator.CIW,
    "northern_ireland": Regulator.RQIA,
}
TIMESCALES: Mapping[Regulator, str] = {
    Regulator.CQC: "Without delay.",
    Regulator.CARE_INSPECTORATE: "Immediately, through the Care Inspectorate's eForms.",
    Regulator.CIW: "Without delay (older guidance said within 24 hours).",
    Regulator.RQIA: (
        "Without delay. A notification made by telephone must be confirmed in writing within "
        "3 working days."
    ),
}
LATE_AFTER = dt.timedelta(hours=24)  # policy [U]: see the module docstring
WRITTEN_CONFIRMATION_WORKING_DAYS = 3  # RQIA, §2.4


class NotificationType(StrEnum):
    DEATH = "death"
    SERIOUS_INJURY = "serious_injury"
    ABUSE_OR_ALLEGATION = "abuse_or_allegation"
    POLICE_INCIDENT = "police_incident"
    DOLS_OUTCOME = "dols_outcome"
    MEDICATION_ERROR = "medication_error"
    INSUFFICIENT_STAFFING = "insufficient_staffing"
    UTILITIES_INTERRUPTED = "utilities_interrupted"
    PREMISES_DAMAGE = "premises_damage"
    ACCIDENT_OR_INJURY = "accident_or_injury"
    INFECTIOUS_OUTBREAK = "infectious_outbreak"
    EQUIPMENT_BREAKDOWN = "equipment_breakdown"
    MISCONDUCT_ALLEGATION = "misconduct_allegation"
    CONTROLLED_DRUG_EVENT = "controlled_drug_event"
    RESTRICTIVE_PRACTICE = "restrictive_practice"
    MISSED_CARE = "missed_care"


TYPE_LABELS: Mapping[NotificationType, str] = {
    NotificationType.DEATH: "Death of a person using the service",
    NotificationType.SERIOUS_INJURY: "Serious injury",
    NotificationType.ABUSE_OR_ALLEGATION: "Abuse or an allegation of abuse",
    NotificationType.POLICE_INCIDENT: "Incident reported to or investigated by the police",
    NotificationType.DOLS_OUTCOME: "Deprivation of Liberty Safeguards application outcome",
    NotificationType.MEDICATION_ERROR: "Medication error causing harm or referred to safeguarding",
    NotificationType.INSUFFICIENT_STAFFING: "Insufficient staffing",
    NotificationType.UTILITIES_INTERRUPTED: "Utilities interrupted for more than 24 hours",
    NotificationType.PREMISES_DAMAGE: "Damage to the premises",
    NotificationType.ACCIDENT_OR_INJURY: "Accident, incident or injury",
    NotificationType.INFECTIOUS_OUTBREAK: "Outbreak of infectious disease",
    NotificationType.EQUIPMENT_BREAKDOWN: "Significant equipment breakdown",
    NotificationType.MISCONDUCT_ALLEGATION: "Allegation of staff misconduct",
    NotificationType.CONTROLLED_DRUG_EVENT: (
        "Adverse event involving a Schedule 2–5 controlled drug"
    ),
    NotificationType.RESTRICTIVE_PRACTICE: "Restrictive practice",
    NotificationType.MISSED_CARE: "Missed care or missed medication",
}
LEGAL_BASIS: Mapping[Regulator, str] = {
    Regulator.CQC: "Care Quality Commission (Registration) Regulations 2009",
    Regulator.CARE_INSPECTORATE: "Care Inspectorate notification guidance",
    Regulator.CIW: "Regulated Services (Wales) Regulations 2017, reg 60 and Schedule 3",
    Regulator.RQIA: "RQIA statutory notification of incidents and deaths",
}

# Events beyond a resident's own incident, ticked on the incident form.
OTHER_EVENTS: Mapping[str, str] = {
    "insufficient_staffing": "Not enough staff to keep people safe",
    "utilities_interrupted": "Gas, electricity, water or heating off for more than 24 hours",
    "premises_damage": "Damage to the building",
    "infectious_outbreak": "Outbreak of infectious disease",
    "equipment_breakdown": "Significant equipment breakdown",
    "misconduct_allegation": "Allegation of misconduct by staff",
    "controlled_drug": "A Schedule 2–5 controlled drug was involved",
    "restrictive_practice": "Restraint or another restrictive practice was used",
    "missed_care": "Care or medication was missed",
}
# Which of those each regulator asks about (§2.3 for CQC, §2.4 for the Care Inspectorate).
_CQC_OTHER = {
    "insufficient_staffing": NotificationType.INSUFFICIENT_STAFFING,
    "utilities_interrupted": NotificationType.UTILITIES_INTERRUPTED,
    "premises_damage": NotificationType.PREMISES_DAMAGE,
}
_SCOTLAND_OTHER = {
    "infectious_outbreak": NotificationType.INFECTIOUS_OUTBREAK,
    "equipment_breakdown": NotificationType.EQUIPMENT_BREAKDOWN,
    "misconduct_allegation": NotificationType.MISCONDUCT_ALLEGATION,
    "controlled_drug": NotificationType.CONTROLLED_DRUG_EVENT,
    "restrictive_practice": NotificationType.RESTRICTIVE_PRACTICE,
    "missed_care": NotificationType.MISSED_CARE,
}
SEND_METHODS: Mapping[str, str] = {
    "online_form": "Online form or portal",
    "eform": "eForm",
    "email": "Email",
    "telephone": "Telephone",
    "post": "Post",
}


@dataclass(frozen=True)
class IncidentFacts:
    """What the notification decision needs to know about an incident."""

    kind: str
    occurred_at: dt.datetime
    severity: str | None = None
    lasting_harm: bool = False  # permanent, or likely to last more than 28 days
    pressure_ulcer_grade: int | None = None
    developed_after_admission: bool | None = None
    resident_died: bool = False
    abuse_alleged: bool = False
    safeguarding_referral: bool = False
    police_involved: bool = False
    harm_caused: bool = False
    other_events: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class DueNotification:
    regulator: Regulator
    type: NotificationType
    reason: str
    timescale: str
    legal_basis: str

    @property
    def title(self) -> str:
        return f"{TYPE_LABELS[self.type]}: notify the {REGULATOR_NAMES[self.regulator]}"


def regulator_for(nation: str) -> Regulator:
    try:
        return REGULATOR_BY_NATION[nation]
    except KeyError:
        raise NotificationError("nation", f"{nation!r} is not a UK nation.") from None


def serious_injury(facts: IncidentFacts) -> bool:
    """§2.3: harm that is permanent or likely to last over 28 days, or a pressure ulcer of
    grade 3 or above that developed after admission."""
    grade = facts.pressure_ulcer_grade
    ulcer = grade is not None and grade >= 3 and facts.developed_after_admission is not False
    return facts.severity == "serious" or facts.lasting_harm or ulcer


def _reasons(facts: IncidentFacts, regulator: Regulator) -> dict[NotificationType, str]:
    found: dict[NotificationType, str] = {}
    if facts.resident_died or facts.kind == "death":
        found[NotificationType.DEATH] = "The resident died."
    abuse = facts.abuse_alleged or facts.kind == "safeguarding"
    if abuse:
        found[NotificationType.ABUSE_OR_ALLEGATION] = "Abuse was alleged or suspected."
    if facts.kind == "medication_error" and (facts.harm_caused or facts.safeguarding_referral):
        found[NotificationType.MEDICATION_ERROR] = (
            "A medication error caused harm or was referred to safeguarding."
        )
    if regulator is Regulator.CARE_INSPECTORATE:
        harmed = facts.severity not in (None, "none") or facts.harm_caused
        if harmed or serious_injury(facts):
            found[NotificationType.ACCIDENT_OR_INJURY] = "Someone was injured or harmed."
        for event, kind in _SCOTLAND_OTHER.items():
            if event in facts.other_events:
                found[kind] = OTHER_EVENTS[event] + "."
        return found
    if serious_injury(facts):
        grade = facts.pressure_ulcer_grade
        found[NotificationType.SERIOUS_INJURY] = (
            f"A grade {grade} pressure ulcer developed after admission."
            if grade is not None
            and grade >= 3
            and facts.severity != "serious"
            and not facts.lasting_harm
            else "The injury is serious or likely to last more than 28 days."
        )
    if facts.police_involved:
        found[NotificationType.POLICE_INCIDENT] = "The police were told or are investigating."
    for event, kind in _CQC_OTHER.items():
        if event in facts.other_events:
            found[kind] = OTHER_EVENTS[event] + "."
    return found


def notifications_due(facts: IncidentFacts, nation: str) -> tuple[DueNotification, ...]:
    """Every notification the incident calls for in the home's nation, in type order."""
    regulator = regulator_for(nation)
    reasons = _reasons(facts, regulator)
    return tuple(
        DueNotification(
            regulator, kind, reasons[kind], TIMESCALES[regulator], LEGAL_BASIS[regulator]
        )
        for kind in NotificationType
        if kind in reasons
    )


def dols_notifications_due(nation: str, outcome: str) -> tuple[DueNotification, ...]:
    """§2.3: CQC is told of DoLS outcomes and withdrawals. Wales and Northern Ireland are
    assumed to follow [U]; Scotland has no DoLS (Adults with Incapacity Act)."""
    regulator = regulator_for(nation)
    if regulator is Regulator.CARE_INSPECTORATE or outcome not in (
        "granted",
        "refused",
        "withdrawn",
    ):
        return ()
    return (
        DueNotification(
            regulator,
            NotificationType.DOLS_OUTCOME,
            f"The DoLS application was {outcome}.",
            TIMESCALES[regulator],
            LEGAL_BASIS[regulator],
        ),
    )


# --- the draft ----------------------------------------------------------------------------

COMMON_FIELDS: Mapping[str, str] = {
    "provider_id": "Provider ID",
    "location_id": "Location ID",
    "service_name": "Service",
    "person_identifier": "Person's identifier (not their name)",
    "age_range": "Age range",
    "event_at": "Date and time of the event",
    "what_happened": "What happened",
    "actions_taken": "What was done",
}
DEATH_FIELDS: Mapping[str, str] = {
    "date_admitted": "Date admitted",
    "cause_of_death": "Cause of death",
    "place_of_death": "Place of death",
    "expected": "Was the death expected?",
    "end_of_life_care": "Was the person receiving end of life care?",
    "last_carer_identifier": "If unexpected: identifier of the last member of staff to care",
    "restraint_within_7_days": "Was restraint used in the 7 days before death?",
    "controlled_drug_or_device_concerns": "Concerns about controlled drugs or medical devices?",
}
EXTRA_FIELDS: Mapping[NotificationType, Mapping[str, str]] = {
    NotificationType.DEATH: DEATH_FIELDS,
    NotificationType.SERIOUS_INJURY: {"injury": "The injury and its treatment"},
    NotificationType.ABUSE_OR_ALLEGATION: {
        "safeguarding_referral": "Safeguarding referral made?",
    },
    NotificationType.POLICE_INCIDENT: {"police_reference": "Police reference"},
    NotificationType.MEDICATION_ERROR: {"injury": "The harm caused"},
    NotificationType.ACCIDENT_OR_INJURY: {"injury": "The injury and its treatment"},
}
# Filled in by the person, never guessed: optional unless the death was unexpected.
_OPTIONAL = frozenset({"last_carer_identifier", "police_reference"})


def field_labels(kind: NotificationType) -> dict[str, str]:
    return {**COMMON_FIELDS, **EXTRA_FIELDS.get(kind, {})}


def age_range(born: dt.date, on: dt.date) -> str:
    """A ten-year band ("80–89"), so the notification identifies nobody by age."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    low = max(0, age) // 10 * 10
    return f"{low}–{low + 9}"


@dataclass(frozen=True)
class Draft:
    fields: dict[str, str]
    missing: tuple[str, ...]  # labels of what is still to be filled in


def draft(kind: NotificationType, known: Mapping[str, str | None]) -> Draft:
    """The form for ``kind`` with what is ``known`` filled in (keys of ``field_labels``)."""
    labels = field_labels(kind)
    fields = {name: (known.get(name) or "").strip() for name in labels}
    return Draft(fields, missing_fields(kind, fields))


def missing_fields(kind: NotificationType, fields: Mapping[str, str]) -> tuple[str, ...]:
    labels = field_labels(kind)
    unexpected_death = kind is NotificationType.DEATH and (
        fields.get("expected") or ""
    ).lower() in (
        "no",
        "false",
    )
    missing = []
    for name, label in labels.items():
        optional = name in _OPTIONAL and not (name == "last_carer_identifier" and unexpected_death)
        if not optional and not (fields.get(name) or "").strip():
            missing.append(label)
    return tuple(missing)


# --- timing and sending -------------------------------------------------------------------


@dataclass(frozen=True)
class Urgency:
    elapsed: dt.timedelta
    late: bool
    text: str


def _duration(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def urgency(event_at: dt.datetime, now: dt.datetime, sent_at: dt.datetime | None = None) -> Urgency:
    """How long since the event (until it was sent), and whether that is late."""
    end = sent_at or now
    elapsed = max(dt.timedelta(0), end - event_at)
    late = elapsed > LATE_AFTER
    if sent_at is not None:
        return Urgency(elapsed, late, f"Sent {_duration(elapsed)} after the event.")
    text = f"Not sent yet: {_duration(elapsed)} since the event."
    if late:
        text += " This is late: send it now."
    return Urgency(elapsed, late, text)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``start``. Bank holidays are not known
    here [U]: a holiday in the period makes the true date later, never earlier."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def written_confirmation_due(
    regulator: Regulator, method: str, sent_at: dt.datetime
) -> dt.date | None:
    """RQIA: a telephone notification is confirmed in writing within 3 working days."""
    if regulator is Regulator.RQIA and method == "telephone":
        return add_working_days(sent_at.date(), WRITTEN_CONFIRMATION_WORKING_DAYS)
    return None


def check_sent(
    event_at: dt.datetime, sent_at: dt.datetime | None, method: str | None, now: dt.datetime
) -> None:
    """A notification is marked sent only with when and how; neither can be impossible."""
    if sent_at is None:
        raise NotificationError("sent_at", "Record the date and time the notification was sent.")
    if not method:
        raise NotificationError("sent_method", "Record how the notification was sent.")
    if method not in SEND_METHODS:
        raise NotificationError("sent_method", f"{method!r} is not a way of sending it.")
    if sent_at.tzinfo is None:
        raise NotificationError("sent_at", "The time sent must include a time zone.")
    if sent_at < event_at:
        raise NotificationError("sent_at", "It cannot have been sent before the event happened.")
    if sent_at > now + dt.timedelta(minutes=5):
        raise NotificationError("sent_at", "The time sent cannot be in the future.")
