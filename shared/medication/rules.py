"""Medication safety rules that only show once records from several PCs meet: the same dose
recorded twice, a PRN limit broken by doses from different PCs, a dose after the medicine was
discontinued, and a controlled-drug balance that does not add up.

They run with every other rule (``shared.rules.RULES``) on the server at merge and on each PC
after a pull; like every rule they never drop or change a record, they raise review items
whose ids derive from what they are about, so every replica raises the same item once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from shared.ids import stable_id
from shared.medication import ledger
from shared.medication.ledger import TAKEN, Event
from shared.medication.scheduling import UK, PrnDose, prn_violations

if TYPE_CHECKING:
    from shared.rules import AppliedChange, RecordLookup, ReviewDraft

DOSE = "medication_administration"
CD = "cd_register_entry"
# A PRN dose's limits look back a day from it, and only doses within a day of the change are
# reported: doses two days or more from it cannot change what is.
_PRN_REACH = dt.timedelta(hours=48)


def _review(
    review_id: str,
    rule: str,
    message: str,
    change: AppliedChange,
    subject_id: str,
    *,
    subject_entity: str = DOSE,
    values: Any = None,
) -> ReviewDraft:
    from shared.rules import ReviewDraft  # shared.rules gathers this module's rules

    return ReviewDraft(
        review_id,
        {
            "rule": rule,
            "message": message[:1000],
            "subject_entity": subject_entity,
            "subject_id": subject_id,
            "field": None,
            "values": values,
            "resident_id": change.resident_id,
            "occurred_at": change.occurred_at,
        },
    )


def _events(
    lookup: RecordLookup,
    entity: str,
    resident_id: str,
    change: AppliedChange,
    wanted: Callable[[Mapping[str, Any]], bool],
) -> list[Event]:
    """The resident's events of ``entity`` as they stand (``ledger.live_events``, the change's
    own record included) that ``wanted`` accepts, in the replica's order.

    A resident's history grows with every dose, and a rule runs for each change: only
    candidates are made into events, those ``wanted`` accepts as recorded, every amendment
    and the events they amend (what stands of those is the latest amendment). An event that
    is not a candidate stands as recorded, which ``wanted`` refuses."""
    recorded = {r.record_id: r.fields for r in lookup.events_for_resident(entity, resident_id)}
    if change.entity == entity and change.op == "create":
        recorded.setdefault(change.record_id, change.fields)
    amended: set[str] = set()
    picked: list[str] = []
    for record_id, fields in recorded.items():
        target = fields.get("amends_id")
        if target:
            amended.add(str(target))
            picked.append(record_id)
        elif wanted(fields):
            picked.append(record_id)
    if amended:
        picked_set = set(picked)
        picked = [i for i in recorded if i in picked_set or i in amended]
    live = ledger.live_events(Event(i, recorded[i]) for i in picked)
    return [e for e in live if wanted(e.fields)]


def _medicine(lookup: RecordLookup, fields: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The medicine's name and the fields holding its limits (prescription or homely remedy)."""
    if fields.get("prescription_id"):
        found = lookup.get_record("prescription", str(fields["prescription_id"]))
    elif fields.get("homely_remedy_id"):
        found = lookup.get_record("homely_remedy", str(fields["homely_remedy_id"]))
    else:
        found = None
    if found is None:
        return "medicine", {}
    name = f"{found.fields.get('medicine', '')} {found.fields.get('strength') or ''}".strip()
    return name or "medicine", dict(found.fields)


def _name(fields: Mapping[str, Any]) -> str:
    return f"{fields.get('medicine', '')} {fields.get('strength') or ''}".strip()


def _when(iso: Any) -> str:
    moment = ledger.occurred({"occurred_at": iso})
    local = moment.astimezone(UK)
    return f"{local:%H:%M} on {local.day} {local:%b}"


def dose_recorded_twice(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    """One scheduled dose recorded more than once (two PCs, or two people)."""
    slot = change.fields.get("slot_id")
    if change.entity != DOSE or change.op != "create" or not slot or change.resident_id is None:
        return []
    if change.fields.get("amends_id"):
        return []  # a correction of a record, not another dose
    same = _events(lookup, DOSE, change.resident_id, change, lambda f: f.get("slot_id") == slot)
    if len(same) < 2:
        return []
    same.sort(key=lambda e: e.record_id)
    name, _limits = _medicine(lookup, change.fields)
    outcomes = ", ".join(str(e.fields.get("outcome", "")).replace("_", " ") for e in same)
    due = change.fields.get("scheduled_for") or change.fields.get("occurred_at")
    message = (
        f"The {name} dose due {_when(due)} was recorded {len(same)} times ({outcomes}), "
        "probably on different PCs. Check whether it was given twice; mark the wrong record "
        "entered in error and tell the prescriber if a double dose was given."
    )
    values = [
        {
            "record_id": e.record_id,
            "outcome": e.fields.get("outcome"),
            "occurred_at": e.fields.get("occurred_at"),
        }
        for e in same
    ]
    return [
        _review(
            stable_id("dose_twice", str(slot)),
            "dose_recorded_twice",
            message,
            change,
            same[0].record_id,
            values=values,
        )
    ]


def prn_limit_broken(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    """A when-required dose too soon after another, or over the 24-hour maximum, counting
    doses from every PC."""
    if change.entity != DOSE or change.op != "create" or change.resident_id is None:
        return []
    if change.fields.get("outcome") not in TAKEN or change.fields.get("slot_id"):
        return []
    name, limits = _medicine(lookup, change.fields)
    is_prn = (limits.get("schedule") or {}).get("kind") == "prn" or "max_days" in limits
    if not is_prn:
        return []
    medicine = [(k, change.fields.get(k)) for k in ("prescription_id", "homely_remedy_id")]
    at = ledger.occurred(change.fields)

    def same_medicine_near(fields: Mapping[str, Any]) -> bool:
        # Only doses this change could have made wrong are reported: it and those within a
        # day of it, each judged on the doses in the day before it. Doses further away
        # change nothing reported.
        return (
            fields.get("outcome") in TAKEN
            and all(fields.get(k) == v for k, v in medicine)
            and abs(ledger.occurred(fields) - at) < _PRN_REACH
        )

    same_medicine = _events(lookup, DOSE, change.resident_id, change, same_medicine_near)
    default = float(limits.get("dose_quantity") or 1)
    doses = [
        PrnDose(e.record_id, ledger.occurred(e.fields), float(e.fields.get("quantity") or default))
        for e in same_medicine
    ]
    violations = prn_violations(limits, doses)
    drafts = []
    for dose in sorted(doses, key=lambda d: (d.given_at, d.record_id)):
        why = violations.get(dose.record_id)
        if why is None or abs((dose.given_at - at).total_seconds()) >= 24 * 3600:
            continue
        override = next(
            (
                e.fields.get("override_reason")
                for e in same_medicine
                if e.record_id == dose.record_id
            ),
            None,
        )
        message = f"{name} given {_when(dose.given_at.isoformat())}: {why}"
        if override:
            message += f" Override reason given: {override}"
        drafts.append(
            _review(
                stable_id("prn_limit", dose.record_id),
                "prn_limit_broken",
                message,
                change,
                dose.record_id,
            )
        )
    return drafts


def dose_after_discontinuation(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    """A dose recorded after its medicine was discontinued, by someone whose PC did not know."""
    if change.resident_id is None:
        return []
    if change.entity == DOSE and change.op == "create":
        prescription_id = change.fields.get("prescription_id")
    elif change.entity == "prescription" and change.fields.get("status") == "discontinued":
        prescription_id = change.record_id
    else:
        return []
    if not prescription_id:
        return []
    prescription = lookup.get_record("prescription", str(prescription_id))
    if prescription is None or prescription.fields.get("status") != "discontinued":
        return []
    stopped = ledger.occurred({"occurred_at": prescription.fields.get("discontinued_at")})
    name = _name(prescription.fields)
    drafts = []
    of_prescription = _events(
        lookup,
        DOSE,
        change.resident_id,
        change,
        lambda f: f.get("prescription_id") == prescription_id,
    )
    for dose in of_prescription:
        if dose.fields.get("outcome") not in TAKEN or ledger.occurred(dose.fields) < stopped:
            continue
        message = (
            f"{name} was recorded as given {_when(dose.fields.get('occurred_at'))}, after it was "
            f"discontinued ({_when(prescription.fields.get('discontinued_at'))}). Check with the "
            "prescriber and record what was done."
        )
        drafts.append(
            _review(
                stable_id("after_discontinued", dose.record_id),
                "dose_after_discontinuation",
                message,
                change,
                dose.record_id,
            )
        )
    return drafts


def cd_balance_mismatch(change: AppliedChange, lookup: RecordLookup) -> list[ReviewDraft]:
    """A controlled-drug register page whose balances do not add up once every PC's entries
    are together (two PCs each took a dose from the same stock offline, say)."""
    if change.entity != CD or change.op != "create" or change.resident_id is None:
        return []
    key = ledger.cd_key(change.resident_id, change.fields)
    resident_id = change.resident_id
    page = _events(lookup, CD, resident_id, change, lambda f: ledger.cd_key(resident_id, f) == key)
    lines = ledger.cd_ledger(page)
    start = ledger.occurred(change.fields)
    drafts = []
    for line in lines:
        if not line.mismatch or (
            ledger.occurred(line.fields) < start and line.record_id != change.record_id
        ):
            continue
        medicine = f"{line.fields.get('medicine', '')} {line.fields.get('strength') or ''}".strip()
        said = (
            line.fields.get("quantity")
            if line.fields.get("kind") == "check"
            else line.fields.get("balance_after")
        )
        message = (
            f"The controlled drug register for {medicine} does not add up: the "
            f"{line.fields.get('kind')} at {_when(line.fields.get('occurred_at'))} shows "
            f"{float(said or 0):g}, but the register entries add up to {line.computed_balance:g}. "
            "Count the stock with a witness, record a check, and report the discrepancy."
        )
        drafts.append(
            _review(
                stable_id("cd_balance", line.record_id),
                "cd_balance_mismatch",
                message,
                change,
                line.record_id,
                subject_entity=CD,
            )
        )
    return drafts


RULES = (dose_recorded_twice, prn_limit_broken, dose_after_discontinuation, cd_balance_mismatch)
