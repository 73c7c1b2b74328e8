"""What a handover report holds, as plain frozen data (the screen, the PDF and the tests read
the same objects), and the pure rules that turn a resident's records into its sections and
flags. Loading the records is the service's job (``service.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop.services.handover.shifts import Shift
from desktop.services.notes import FluidTotal
from desktop.store.records import StoredRecord
from shared import news2
from shared.incidents import KINDS, SEVERITIES
from shared.medication.scheduling import UK

NEWS2_FLAG_AT = 5  # NEWS2 of 5 or more (or any single parameter scoring 3) is flagged


class FlagKind(StrEnum):
    LOW_FLUIDS = "low_fluids"
    NEWS2 = "news2"
    INCIDENT = "incident"
    PRN = "prn"
    REFUSAL = "refusal"
    REVIEW_DUE = "review_due"


@dataclass(frozen=True)
class Flag:
    """Something the next shift must know, in a few words ("NEWS2 6 at 14:05")."""

    kind: FlagKind
    text: str
    urgent: bool  # red: NEWS2, falls and incidents, low fluids; otherwise amber


@dataclass(frozen=True)
class Entry:
    """One line of a section: when, what, by whom."""

    at: str  # ISO time, "" when it has none
    text: str
    author: str  # the staff member's name, "" when not known
    flagged: bool = False
    amended: bool = False

    @property
    def clock(self) -> str:
        return local_clock(self.at)


@dataclass(frozen=True)
class NoteGroup:
    category: str
    label: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class FluidLine:
    in_shift_ml: int  # drunk during the shift
    last_24h: FluidTotal  # the 24 hours up to the end of the shift (or now)
    to: str  # ISO: the end of those 24 hours


@dataclass(frozen=True)
class Remark:
    remark_id: str
    resident_id: str | None
    unit_id: str | None
    text: str
    author: str
    at: str  # when it was written (ISO)
    amended: bool
    author_id: str | None = None


@dataclass(frozen=True)
class ResidentHandover:
    resident_id: str
    name: str
    room: str
    unit_name: str
    alerts: tuple[str, ...]
    flags: tuple[Flag, ...]
    notes: tuple[NoteGroup, ...]
    fluid: FluidLine | None  # None: no fluid target and nothing drunk
    observations: tuple[Entry, ...]
    incidents: tuple[Entry, ...]
    prn_doses: tuple[Entry, ...]
    refusals: tuple[Entry, ...]
    reviews_due: tuple[Entry, ...]
    remarks: tuple[Remark, ...]

    @property
    def note_count(self) -> int:
        return sum(len(g.entries) for g in self.notes)

    @property
    def happened(self) -> bool:
        """Whether anything was recorded for this resident in the shift, or remarked on."""
        return bool(
            self.notes
            or self.observations
            or self.incidents
            or self.prn_doses
            or self.refusals
            or self.remarks
        )

    @property
    def changed(self) -> bool:
        """Whether there is anything to hand over: something happened, or a flag (low
        fluids, a review due) stands even though nothing was recorded."""
        return self.happened or bool(self.flags or self.reviews_due)


@dataclass(frozen=True)
class HandoverReport:
    home: str
    unit_id: str | None
    unit_name: str  # "All units" for the whole home
    shift: Shift
    generated_at: dt.datetime
    residents: tuple[ResidentHandover, ...]
    general_remarks: tuple[Remark, ...]
    generated_by: str = ""

    @property
    def nothing_happened(self) -> bool:
        """Nothing was recorded for any resident in the shift and nobody added a remark."""
        return not self.general_remarks and not any(r.happened for r in self.residents)

    @property
    def flagged(self) -> tuple[ResidentHandover, ...]:
        return tuple(r for r in self.residents if r.flags)


# --- reading records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """A record as it stands: the latest version of an original and its amendments."""

    record: StoredRecord
    root_id: str
    amended: bool

    @property
    def fields(self) -> dict[str, Any]:
        return self.record.fields


def current_versions(events: Iterable[StoredRecord]) -> list[Current]:
    """Each original with its latest amendment (in clock order), leaving out those whose
    latest version marks them entered in error."""
    originals: dict[str, StoredRecord] = {}
    chains: dict[str, list[StoredRecord]] = {}
    for event in events:
        target = event.fields.get("amends_id")
        if target:
            chains.setdefault(str(target), []).append(event)
        else:
            originals[event.record_id] = event
    result = []
    for record_id, original in originals.items():
        chain = sorted(chains.get(record_id, []), key=lambda e: e.hlc)
        if chain and chain[-1].fields.get("amend_kind") == "entered_in_error":
            continue
        result.append(Current(chain[-1] if chain else original, record_id, bool(chain)))
    return sorted(result, key=lambda c: (c.record.occurred_at or "", c.root_id))


def moment(value: object) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def local_clock(iso: str) -> str:
    """'14:05' in UK time, with the day when it is not obvious ('Wed 14:05')."""
    parsed = moment(iso) if iso else None
    return parsed.astimezone(UK).strftime("%a %H:%M") if parsed else ""


def in_shift(items: Iterable[Current], shift: Shift) -> list[Current]:
    found = []
    for item in items:
        when = moment(item.record.occurred_at or item.fields.get("occurred_at"))
        if when is not None and shift.contains(when):
            found.append(item)
    return found


def entry(item: Current, text: str, names: Mapping[str, str], *, flagged: bool = False) -> Entry:
    return Entry(
        str(item.record.occurred_at or ""),
        text,
        names.get(item.record.user_id or "", ""),
        flagged,
        item.amended,
    )


# --- observations -------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationScore:
    total: int | None
    threes: tuple[str, ...]  # the parameters scoring 3
    band: str  # "" when not known

    @property
    def flagged(self) -> bool:
        return (self.total is not None and self.total >= NEWS2_FLAG_AT) or bool(self.threes)


def observation_score(fields: Mapping[str, Any]) -> ObservationScore:
    """NEWS2 of a stored observation: the stored score if there is one, and the parameters
    scoring 3 worked out from its values (a value of the wrong kind scores nothing)."""
    values = fields.get("values")
    stored = fields.get("news2")
    result = None
    if isinstance(values, dict):
        try:
            result = news2.score(news2.News2Input.from_values(values))
        except ValueError:
            result = None
    total = stored if isinstance(stored, int) else (result.total if result else None)
    threes: tuple[str, ...] = ()
    if result is not None:
        threes = tuple(news2.PARAMETERS[k] for k, v in result.scores.items() if v == 3)
    band = ""
    if result is not None and (result.band or result.minimum_band):
        band = (result.band or result.minimum_band).value
    return ObservationScore(total, threes, band)


def observation_text(fields: Mapping[str, Any], score: ObservationScore) -> str:
    values = fields.get("values") if isinstance(fields.get("values"), dict) else {}
    assert isinstance(values, dict)
    shown = ", ".join(_reading(k, v) for k, v in values.items() if k != "spo2_scale")
    head = f"NEWS2 {score.total}" if score.total is not None else "NEWS2 not complete"
    if score.threes:
        head += f" ({', '.join(score.threes)} scored 3)"
    return f"{head}: {shown}" if shown else head


def _reading(key: str, value: object) -> str:
    if key == "on_oxygen" and isinstance(value, bool):
        return "on oxygen" if value else "on air"
    if key == "consciousness":
        return f"ACVPU {value}"
    return f"{news2.PARAMETERS.get(key, key.replace('_', ' '))} {value}"


def observation_flag(score: ObservationScore, at: str) -> Flag:
    clock = local_clock(at)
    if score.total is not None and score.total >= NEWS2_FLAG_AT:
        return Flag(FlagKind.NEWS2, f"NEWS2 {score.total} at {clock}", True)
    return Flag(FlagKind.NEWS2, f"{score.threes[0].capitalize()} scored 3 at {clock}", True)


# --- incidents and medicines --------------------------------------------------------------


def incident_text(fields: Mapping[str, Any]) -> str:
    kind = KINDS.get(str(fields.get("kind")), "Incident")
    severity = SEVERITIES.get(str(fields.get("severity")), "")
    parts = [kind + (f" ({severity.split(' (')[0].lower()})" if severity else "")]
    if fields.get("location"):
        parts.append(f"in {fields['location']}")
    text = " ".join(parts) + f": {fields.get('description', '')}"
    if fields.get("immediate_actions"):
        text += f" Action taken: {fields['immediate_actions']}"
    return text


def incident_flag(fields: Mapping[str, Any], at: str) -> Flag:
    kind = KINDS.get(str(fields.get("kind")), "Incident")
    return Flag(FlagKind.INCIDENT, f"{kind} at {local_clock(at)}", True)


def medicine_of(fields: Mapping[str, Any], medicines: Mapping[str, Mapping[str, Any]]) -> str:
    source = medicines.get(str(fields.get("prescription_id") or fields.get("homely_remedy_id")))
    if source is None:
        return "A medicine"
    return f"{source.get('medicine', '')} {source.get('strength') or ''}".strip()


def prn_text(fields: Mapping[str, Any], medicine: str) -> str:
    quantity = fields.get("quantity")
    amount = f" x {quantity:g}" if isinstance(quantity, int | float) else ""
    text = f"{medicine}{amount}, given for: {fields.get('prn_reason') or 'no reason recorded'}"
    if fields.get("override_reason"):
        text += f". Given outside its limits: {fields['override_reason']}"
    return text


def refusal_text(fields: Mapping[str, Any], medicine: str) -> str:
    note = str(fields.get("note") or "").strip()
    return f"{medicine} refused" + (f": {note}" if note else "")
