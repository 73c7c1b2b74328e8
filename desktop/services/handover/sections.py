"""One resident's part of the handover: the shift's records (already reduced to their current
versions) turned into sections and flags. Pure: the service loads the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.services.care_common import iso, resident_name
from desktop.services.handover.report import (
    Current,
    Entry,
    Flag,
    FlagKind,
    FluidLine,
    NoteGroup,
    Remark,
    ResidentHandover,
    entry,
    in_shift,
    incident_flag,
    incident_text,
    local_clock,
    medicine_of,
    observation_flag,
    observation_score,
    observation_text,
    prn_text,
    refusal_text,
)
from desktop.services.handover.shifts import Shift
from desktop.services.notes import CATEGORY_LABELS, fluid_total_of
from desktop.services.residents import alerts_for
from desktop.services.reviews_due import DueItem
from desktop.store.records import StoredRecord
from shared.entities import NOTE_CATEGORIES
from shared.medication.ledger import TAKEN
from shared.medication.scheduling import UK

FLUID_PERIOD = dt.timedelta(hours=24)
NEXT_SHIFT = dt.timedelta(hours=12)  # reviews due before the end of the next shift are shown


def resident_handover(
    resident: StoredRecord,
    *,
    unit_name: str,
    shift: Shift,
    events: list[Current],
    fluid_to: dt.datetime,
    medicines: dict[str, dict[str, Any]],
    names: dict[str, str],
    due: list[DueItem],
    remarks: tuple[Remark, ...],
) -> ResidentHandover:
    f = resident.fields
    during = in_shift(events, shift)
    flags: list[Flag] = []
    notes = _notes([c for c in during if c.record.entity == "care_note"], names)
    fluid = _fluid(resident, events, shift, fluid_to)
    if fluid is not None and fluid.last_24h.low:
        total = fluid.last_24h
        flags.append(
            Flag(
                FlagKind.LOW_FLUIDS,
                f"Low fluids: {total.total_ml:,} of {total.target_ml or 0:,} ml in 24 hours",
                True,
            )
        )
    observations = []
    for item in (c for c in during if c.record.entity == "observation"):
        score = observation_score(item.fields)
        line = entry(item, observation_text(item.fields, score), names, flagged=score.flagged)
        observations.append(line)
        if score.flagged:
            flags.append(observation_flag(score, line.at))
    incidents = []
    for item in (c for c in during if c.record.entity == "incident"):
        line = entry(item, incident_text(item.fields), names, flagged=True)
        incidents.append(line)
        flags.append(incident_flag(item.fields, line.at))
    prn, refusals = [], []
    for item in (c for c in during if c.record.entity == "medication_administration"):
        medicine = medicine_of(item.fields, medicines)
        outcome = item.fields.get("outcome")
        if outcome in TAKEN and not item.fields.get("slot_id"):
            line = entry(item, prn_text(item.fields, medicine), names, flagged=True)
            prn.append(line)
            flags.append(Flag(FlagKind.PRN, f"PRN {medicine} at {line.clock}", False))
        elif outcome == "refused":
            line = entry(item, refusal_text(item.fields, medicine), names, flagged=True)
            refusals.append(line)
            flags.append(Flag(FlagKind.REFUSAL, f"Refused {medicine} at {line.clock}", False))
    reviews = _reviews(due, shift)
    if reviews:
        count = len(reviews)
        flags.append(
            Flag(FlagKind.REVIEW_DUE, f"{count} review{'s' if count > 1 else ''} due", False)
        )
    return ResidentHandover(
        resident.record_id,
        resident_name(f),
        str(f.get("room") or ""),
        unit_name,
        alerts_for(f),
        tuple(flags),
        notes,
        fluid,
        tuple(observations),
        tuple(incidents),
        tuple(prn),
        tuple(refusals),
        reviews,
        remarks,
    )


def _notes(notes: list[Current], names: dict[str, str]) -> tuple[NoteGroup, ...]:
    groups = []
    for category in NOTE_CATEGORIES:
        mine = [n for n in notes if n.fields.get("category") == category]
        if mine:
            groups.append(
                NoteGroup(
                    category,
                    CATEGORY_LABELS[category],
                    tuple(entry(n, _note_text(n.fields), names) for n in mine),
                )
            )
    return tuple(groups)


def _note_text(fields: dict[str, Any]) -> str:
    details = fields.get("details") if isinstance(fields.get("details"), dict) else {}
    assert isinstance(details, dict)
    parts = []
    if isinstance(details.get("fluid_ml"), int):
        parts.append(f"{details['fluid_ml']} ml")
    if details.get("food") and not fields.get("text"):
        parts.append(f"ate {details['food']}")
    if details.get("position"):
        parts.append(f"position: {details['position']}")
    if fields.get("text"):
        parts.append(str(fields["text"]))
    if details.get("next_turn_due"):
        parts.append(f"(next turn due {local_clock(str(details['next_turn_due']))})")
    return " · ".join(parts) or "(no details)"


def _fluid(
    resident: StoredRecord, events: list[Current], shift: Shift, to: dt.datetime
) -> FluidLine | None:
    notes = [c.record for c in events if c.record.entity == "care_note"]
    target = resident.fields.get("fluid_target_ml")
    target = target if isinstance(target, int) else None
    day = Shift(shift.kind, to - FLUID_PERIOD, to)
    # fluid_total_of collapses amendments itself, so give it every version in the period.
    last_24h = fluid_total_of(_versions_in(notes, events, day), target)
    in_shift_ml = fluid_total_of(_versions_in(notes, events, shift), None).total_ml
    if target is None and not last_24h.total_ml:
        return None
    return FluidLine(in_shift_ml, last_24h, iso(to))


def _versions_in(
    notes: list[StoredRecord], current: list[Current], period: Shift
) -> list[StoredRecord]:
    """Every version of the notes whose current version falls in ``period``."""
    roots = {c.root_id for c in in_shift(current, period)}
    return [n for n in notes if str(n.fields.get("amends_id") or n.record_id) in roots]


def _reviews(due: list[DueItem], shift: Shift) -> tuple[Entry, ...]:
    horizon = shift.end + NEXT_SHIFT
    lines = []
    for item in due:
        if item.due is not None and not item.overdue and item.due >= horizon:
            continue
        when = "now" if item.due is None else f"by {item.due.astimezone(UK).strftime('%a %H:%M')}"
        state = "Overdue" if item.overdue else f"Due {when}"
        lines.append(
            Entry(
                iso(item.due) if item.due else "",
                f"{item.kind_label}: {item.what} ({state})",
                "",
                flagged=item.overdue,
            )
        )
    return tuple(lines)
