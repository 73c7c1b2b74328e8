"""The handover service: the report for one unit (or the whole home) and one shift, built from
this PC's store, and the remarks staff add to it.

For each admitted resident the report gathers what happened in the shift: care notes by
category, fluids (drunk in the shift, and the 24 hours to the end of the shift against the
target, reusing the notes' fluid total), observations (flagged at NEWS2 5 or more or any single
parameter scoring 3), falls and other incidents, PRN doses, refused medicines, and reviews that
are overdue or due before the end of the next shift (for a shift that is current or has just
ended: what is due now is not part of an old shift's handover). Records entered in error are
left out; amended ones show their latest version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from desktop.services.care_common import CareServiceBase, iso, now_utc, resident_name
from desktop.services.errors import InvalidInput
from desktop.services.handover.report import (
    HandoverReport,
    Remark,
    current_versions,
    moment,
)
from desktop.services.handover.sections import FLUID_PERIOD, NEXT_SHIFT, resident_handover
from desktop.services.handover.shifts import Shift
from desktop.services.medication.common import staff_names
from desktop.services.reviews_due import DueItem, ReviewsDueService
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared.entities.handover import MAX_REMARK_LENGTH

EVENTS = ("care_note", "observation", "incident", "medication_administration")
SLACK = dt.timedelta(days=1)  # times stored with another offset still fall inside the query
ALL_UNITS = "All units"


@dataclass(frozen=True)
class UnitChoice:
    unit_id: str
    name: str


class HandoverService(CareServiceBase):
    def units(self) -> list[UnitChoice]:
        """The units of this PC's home, by name."""
        with self._context.store.read() as conn:
            units = records_repo.by_entity(conn, "unit")
        home = self._context.device.home_id
        return sorted(
            (
                UnitChoice(u.record_id, str(u.fields.get("name", "")))
                for u in units
                if u.fields.get("home_id") in (home, None)
            ),
            key=lambda u: u.name.lower(),
        )

    def report(
        self, shift: Shift, unit_id: str | None = None, *, now: dt.datetime | None = None
    ) -> HandoverReport:
        """The handover of ``unit_id`` (None: every unit) for ``shift``, as of ``now``."""
        user = self._session.require()
        now = now or now_utc()
        fluid_to = min(shift.end, now)
        since = iso(min(shift.start, fluid_to - FLUID_PERIOD) - SLACK)
        before = iso(shift.end + SLACK)
        with self._context.store.read() as conn:
            units = {
                u.record_id: str(u.fields.get("name", ""))
                for u in records_repo.by_entity(conn, "unit")
            }
            if unit_id is not None and unit_id not in units:
                raise InvalidInput("That unit is not on this PC.", field="unit")
            residents = [
                r
                for r in records_repo.by_entity(conn, "resident")
                if r.fields.get("status") == "admitted"
                and (unit_id is None or r.fields.get("unit_id") == unit_id)
            ]
            names = staff_names(conn)
            found = records_repo.for_residents(
                conn, [r.record_id for r in residents], EVENTS, since=since, before=before
            )
            events = {rid: _with_originals(conn, rows) for rid, rows in found.items()}
            wanted = {
                str(e.fields.get("prescription_id") or e.fields.get("homely_remedy_id"))
                for rows in events.values()
                for e in rows
                if e.entity == "medication_administration"
            }
            medicines = {k: v.fields for k, v in records_repo.get_many(conn, wanted).items()}
            remarks = records_repo.by_entity(conn, "handover_remark")
        due: list[DueItem] = []
        if shift.end + NEXT_SHIFT > now:  # reviews due "now" belong to a current handover
            due = ReviewsDueService(self._context, self._session).dashboard(now=now)
        ids = {r.record_id for r in residents}
        shown_remarks = self._remarks(remarks, shift, unit_id, ids, names)
        people = []
        for resident in sorted(residents, key=_room_order):
            people.append(
                resident_handover(
                    resident,
                    unit_name=units.get(str(resident.fields.get("unit_id")), ""),
                    shift=shift,
                    events=current_versions(events[resident.record_id]),
                    fluid_to=fluid_to,
                    medicines=medicines,
                    names=names,
                    due=[d for d in due if d.resident_id == resident.record_id],
                    remarks=tuple(r for r in shown_remarks if r.resident_id == resident.record_id),
                )
            )
        return HandoverReport(
            self._context.device.home_name,
            unit_id,
            units[unit_id] if unit_id is not None else ALL_UNITS,
            shift,
            now,
            tuple(people),
            tuple(r for r in shown_remarks if r.resident_id is None),
            names.get(user.user_id, user.display_name),
        )

    # --- remarks ---------------------------------------------------------------------------

    def add_remark(
        self,
        shift: Shift,
        text: str,
        *,
        unit_id: str | None = None,
        resident_id: str | None = None,
    ) -> str:
        """Add a remark to the handover of ``shift``: about a resident, or (without one) about
        the unit or home in general. Returns the remark's id."""
        cleaned = text.strip()
        if not cleaned:
            raise InvalidInput("Write the remark.", field="text")
        if len(cleaned) > MAX_REMARK_LENGTH:
            raise InvalidInput(
                f"A remark is at most {MAX_REMARK_LENGTH:,} characters: shorten it.", field="text"
            )
        with self._writing() as (conn, author):
            if resident_id is not None:
                self._resident(conn, resident_id)
            if unit_id is not None and _unit(conn, unit_id) is None:
                raise InvalidInput("That unit is not on this PC.", field="unit")
            fields = {
                "resident_id": resident_id,
                "unit_id": unit_id,
                "shift_start": iso(shift.start),
                "shift_end": iso(shift.end),
                "text": cleaned,
                "occurred_at": iso(now_utc()),
            }
            record = self._context.recorder.create(
                conn, "handover_remark", {k: v for k, v in fields.items() if v is not None}, author
            )
        return record.record_id

    def withdraw_remark(self, remark_id: str, reason: str) -> str:
        """Mark a remark entered in error (it no longer shows); the reason is kept."""
        if not reason.strip():
            raise InvalidInput("Say why the remark is being withdrawn.", field="reason")
        with self._writing() as (conn, author):
            original = records_repo.get(conn, remark_id)
            if original is None or original.entity != "handover_remark":
                raise InvalidInput("That remark is not on this PC.")
            fields = {
                **{
                    k: v for k, v in original.fields.items() if k not in ("amends_id", "amend_kind")
                },
                "amends_id": remark_id,
                "amend_kind": "entered_in_error",
                "amend_reason": reason.strip(),
            }
            return self._context.recorder.create(conn, "handover_remark", fields, author).record_id

    @staticmethod
    def _remarks(
        records: list[StoredRecord],
        shift: Shift,
        unit_id: str | None,
        residents: set[str],
        names: dict[str, str],
    ) -> list[Remark]:
        shown = []
        for item in current_versions(records):
            f = item.fields
            start, end = moment(f.get("shift_start")), moment(f.get("shift_end"))
            if start is None or end is None or not shift.overlaps(start, end):
                continue
            resident = f.get("resident_id")
            if resident is not None and resident not in residents:
                continue
            if resident is None and unit_id is not None and f.get("unit_id") not in (unit_id, None):
                continue
            shown.append(
                Remark(
                    item.root_id,
                    resident,
                    f.get("unit_id"),
                    str(f.get("text", "")),
                    names.get(item.record.user_id or "", ""),
                    str(item.record.occurred_at or ""),
                    item.amended,
                    item.record.user_id,
                )
            )
        return shown


def _with_originals(conn: sa.Connection, events: list[StoredRecord]) -> list[StoredRecord]:
    """Add the originals of amendments found without them (stored with another time)."""
    known = {e.record_id for e in events}
    missing = {str(e.fields["amends_id"]) for e in events if e.fields.get("amends_id")} - known
    if not missing:
        return events
    return [*events, *records_repo.get_many(conn, missing).values()]


def _unit(conn: sa.Connection, unit_id: str) -> StoredRecord | None:
    found = records_repo.get(conn, unit_id)
    return found if found is not None and found.entity == "unit" else None


def _room_order(resident: StoredRecord) -> tuple[int, str, str]:
    room = str(resident.fields.get("room") or "")
    digits = "".join(ch for ch in room if ch.isdigit())
    return (int(digits) if digits else 1 << 30, room, resident_name(resident.fields))
