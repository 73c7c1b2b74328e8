"""The medicine round: per unit, the doses due now, overdue and coming up, each with the
resident's name, initials and allergies; recording a dose in two calls for the common case
(``round()`` then ``record_dose(item)``), with a dose already recorded on this PC refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import (
    WITNESS_SETTING,
    AlreadyRecorded,
    MedicationBase,
    ResidentInfo,
    events,
    iso,
    medicine_name,
    resident_info,
    setting,
    staff_names,
)
from desktop.services.medication.controlled import append_cd_entry
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared.entities.medication import REASON_CODES
from shared.medication.ledger import TAKEN, live_events
from shared.medication.scheduling import UK, slot_id_for, slots_between

LOOK_BACK = dt.timedelta(hours=12)  # overdue doses stay on the round this long
LOOK_AHEAD = dt.timedelta(hours=2)  # "coming up"
STATUS_ORDER = {"overdue": 0, "due": 1, "coming_up": 2, "done": 3}
REASON_LABELS = {
    "refused": "Refused",
    "nausea_vomiting": "Nausea or vomiting",
    "hospital": "In hospital",
    "on_leave": "On leave",
    "asleep": "Asleep",
    "not_available": "Not available",
    "withheld_clinical": "Withheld on clinical advice",
    "other": "Other (say why)",
}


@dataclass(frozen=True)
class RoundItem:
    slot_id: str
    prescription_id: str
    resident: ResidentInfo
    medicine: str
    dose: str
    form: str
    route: str
    instructions: str
    due_at: str  # ISO, UTC
    status: str  # overdue, due, coming_up, done
    time_critical: bool
    controlled_drug: bool
    covert: bool
    self_administered: bool
    variable_dose: tuple[float, float] | None
    recorded: str  # "Given by Amara Khan at 08:04", or ""
    reviews: tuple[str, ...]  # open review items about the resident

    @property
    def due_local(self) -> str:
        return dt.datetime.fromisoformat(self.due_at).astimezone(UK).strftime("%H:%M")


def open_reviews(conn: sa.Connection) -> dict[str, list[str]]:
    resolved = {
        r.fields.get("review_item_id") for r in records_repo.by_entity(conn, "review_resolution")
    }
    found: dict[str, list[str]] = {}
    for item in records_repo.by_entity(conn, "review_item"):
        resident = item.fields.get("resident_id")
        if resident and item.record_id not in resolved:
            found.setdefault(str(resident), []).append(str(item.fields.get("message", "")))
    return found


class RoundService(MedicationBase):
    def round(
        self, unit_id: str | None = None, *, now: dt.datetime | None = None
    ) -> list[RoundItem]:
        """Doses of the unit's residents from 12 hours ago to 2 hours ahead, overdue first."""
        self._user()
        now = now or self._now()
        start, end = now - LOOK_BACK, now + LOOK_AHEAD
        with self._context.store.read() as conn:
            residents = {
                r.record_id: resident_info(r)
                for r in records_repo.by_entity(conn, "resident")
                if r.fields.get("status") == "admitted"
                and (unit_id is None or r.fields.get("unit_id") == unit_id)
            }
            prescriptions = [
                p
                for p in records_repo.by_entity(conn, "prescription")
                if p.resident_id in residents and p.fields.get("status") != "suspended"
            ]
            doses = records_repo.for_residents_since(
                conn,
                [str(r) for r in {p.resident_id for p in prescriptions}],
                ("medication_administration",),
                iso(start - dt.timedelta(hours=24)),
            )
            live = {e.record_id for e in live_events(events(doses))}
            recorded: dict[str, StoredRecord] = {}
            for dose in doses:  # newest first
                slot = dose.fields.get("slot_id")
                if slot and dose.record_id in live:
                    recorded.setdefault(str(slot), dose)
            names = staff_names(conn)
            reviews = open_reviews(conn)
        items = []
        for p in prescriptions:
            resident = residents[str(p.resident_id)]
            for slot in slots_between(p.record_id, p.fields, start, end):
                done = recorded.get(slot.slot_id)
                if done is not None:
                    status = "done"
                elif now < slot.window_start:
                    status = "coming_up"
                elif now <= slot.window_end:
                    status = "due"
                else:
                    status = "overdue"
                items.append(
                    self._item(
                        p,
                        resident,
                        slot.slot_id,
                        slot.due_at,
                        status=status,
                        done=done,
                        names=names,
                        reviews=reviews,
                    )
                )
        return sorted(
            items,
            key=lambda i: (STATUS_ORDER[i.status], i.due_at, _room(i.resident.room), i.medicine),
        )

    @staticmethod
    def _item(
        p: StoredRecord,
        resident: ResidentInfo,
        slot_id: str,
        due: dt.datetime,
        *,
        status: str,
        done: StoredRecord | None,
        names: dict[str, str],
        reviews: dict[str, list[str]],
    ) -> RoundItem:
        f = p.fields
        low, high = f.get("dose_min"), f.get("dose_max")
        recorded = ""
        if done is not None:
            outcome = str(done.fields.get("outcome", "")).replace("_", " ").capitalize()
            when = dt.datetime.fromisoformat(str(done.fields["occurred_at"])).astimezone(UK)
            who = names.get(done.user_id or "", "someone")
            recorded = f"{outcome} by {who} at {when:%H:%M}"
        return RoundItem(
            slot_id,
            p.record_id,
            resident,
            medicine_name(f),
            str(f.get("dose", "")),
            str(f.get("form", "")),
            str(f.get("route", "")),
            str(f.get("instructions") or ""),
            iso(due),
            status,
            bool(f.get("time_critical")),
            bool(f.get("controlled_drug")),
            bool(f.get("covert")),
            bool(f.get("self_administered")),
            (float(low), float(high)) if low is not None and high is not None else None,
            recorded,
            tuple(reviews.get(resident.resident_id, [])),
        )

    def witness_required(self) -> bool:
        """Whether this provider asks for a witness on every medicine (CDs always need one)."""
        with self._context.store.read() as conn:
            return bool(setting(conn, WITNESS_SETTING, False))

    def record_dose(
        self,
        item: RoundItem,
        outcome: str = "given",
        *,
        reason_code: str | None = None,
        note: str = "",
        quantity: float | None = None,
        patch_site: str = "",
        witness: VerifiedWitness | None = None,
        when: dt.datetime | None = None,
    ) -> str:
        """Record what happened at one scheduled dose; returns the new record's id."""
        now = self._now()
        at = when or now
        if at > now + dt.timedelta(minutes=5):
            raise InvalidInput("A dose cannot be recorded in the future.", field="when")
        with self._context.store.write() as conn:
            self._require_administer(conn)
            p = self._record(conn, item.prescription_id, "prescription", "medicine")
            due = dt.datetime.fromisoformat(item.due_at)
            if slot_id_for(p.record_id, due) != item.slot_id:
                raise InvalidInput("That dose does not belong to this medicine.")
            if p.fields.get("status") != "active":
                stopped = p.fields.get("discontinued_at") or ""
                raise InvalidInput(
                    f"{medicine_name(p.fields)} was discontinued {stopped[:16].replace('T', ' ')}: "
                    "do not give it. Tell the nurse in charge."
                )
            self._refuse_if_recorded(conn, p, item)
            fields = self._outcome_fields(
                p,
                outcome,
                reason_code=reason_code,
                note=note,
                quantity=quantity,
                patch_site=patch_site,
            )
            taken = outcome in TAKEN
            witness_id = self._check_witness(
                conn, witness, always=taken and bool(p.fields.get("controlled_drug"))
            )
            record = self._create(
                conn,
                "medication_administration",
                {
                    **fields,
                    "resident_id": p.resident_id,
                    "prescription_id": p.record_id,
                    "slot_id": item.slot_id,
                    "scheduled_for": item.due_at,
                    "witness_id": witness_id,
                    "occurred_at": iso(at),
                },
            )
            if taken and p.fields.get("controlled_drug") and witness_id:
                amount = float(fields.get("quantity") or p.fields.get("dose_quantity") or 1)
                append_cd_entry(
                    self,
                    conn,
                    p,
                    "administration",
                    amount,
                    witness_id=witness_id,
                    administration_id=record.record_id,
                )
            return record.record_id

    def _refuse_if_recorded(self, conn: sa.Connection, p: StoredRecord, item: RoundItem) -> None:
        doses = records_repo.doses_of_slot(conn, item.slot_id)
        live = {e.record_id for e in live_events(events(doses))}
        for dose in doses:
            if dose.fields.get("slot_id") == item.slot_id and dose.record_id in live:
                who = staff_names(conn).get(dose.user_id or "", "someone")
                at = dt.datetime.fromisoformat(str(dose.fields["occurred_at"])).astimezone(UK)
                outcome = str(dose.fields.get("outcome", "")).replace("_", " ")
                raise AlreadyRecorded(
                    f"Already recorded: {medicine_name(p.fields)} due {item.due_local} for "
                    f"{item.resident.name} was recorded as {outcome} by {who} at {at:%H:%M}. "
                    "It was not recorded again."
                )

    @staticmethod
    def _outcome_fields(
        p: StoredRecord,
        outcome: str,
        *,
        reason_code: str | None,
        note: str,
        quantity: float | None,
        patch_site: str,
    ) -> dict[str, Any]:
        f = p.fields
        fields: dict[str, Any] = {"outcome": outcome, "note": note.strip()}
        if outcome in TAKEN:
            low, high = f.get("dose_min"), f.get("dose_max")
            if low is not None and high is not None:
                if quantity is None:
                    unit = f" {f['dose_unit']}" if f.get("dose_unit") else ""
                    raise InvalidInput(
                        f"Say how much was given ({low:g} to {high:g}{unit}).", field="quantity"
                    )
                if not low <= quantity <= high:
                    raise InvalidInput(
                        f"The dose must be between {low:g} and {high:g}.", field="quantity"
                    )
            fields["quantity"] = quantity if quantity is not None else f.get("dose_quantity")
            if f.get("form") == "patch":
                if not patch_site.strip():
                    raise InvalidInput("Record where the patch was put.", field="patch_site")
                fields["patch_site"] = patch_site.strip()
            if f.get("covert"):
                fields["covert_authorisation_ref"] = f.get("covert_authorisation_ref")
            if outcome == "given" and f.get("self_administered"):
                fields["outcome"] = "self_administered"
        elif outcome in ("refused", "omitted"):
            code = reason_code or ("refused" if outcome == "refused" else None)
            if code not in REASON_CODES:
                raise InvalidInput("Choose why the dose was not given.", field="reason_code")
            if code == "other" and not note.strip():
                raise InvalidInput("Say why the dose was not given.", field="note")
            fields["reason_code"] = code
        else:
            raise InvalidInput(f"Unknown outcome {outcome!r}.", field="outcome")
        return fields


def _room(room: str) -> tuple[int, str]:
    digits = "".join(ch for ch in room if ch.isdigit())
    return (int(digits) if digits else 1 << 30, room)
