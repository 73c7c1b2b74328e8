"""Medication reports: the MAR chart of one resident for one cycle (as a grid of cells, for
the PDF in ``mar_chart``), missed and refused doses over a period with "not given 3 days
running" flagged, and the controlled-drug register for printing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import (
    MedicationBase,
    ResidentInfo,
    events,
    initials,
    medicine_name,
    resident_info,
    staff_names,
)
from desktop.services.medication.controlled import CdLine, ControlledDrugService
from desktop.services.medication.mar_chart import (
    MarChart,
    MarRow,
    cd_register_pdf,
    mar_pdf,
    missed_doses_pdf,
)
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared.medication.ledger import TAKEN, live_events
from shared.medication.scheduling import UK, describe_schedule, local_instant, slots_between

CYCLE_DAYS = 28
RUN_TO_FLAG = 3
# The letters written in a MAR cell (and the chart's key).
CODES = {
    "refused": "R",
    "nausea_vomiting": "N",
    "hospital": "H",
    "on_leave": "L",
    "asleep": "S",
    "not_available": "A",
    "withheld_clinical": "W",
    "other": "O",
}
CODE_KEY = (
    ("R", "Refused"),
    ("N", "Nausea or vomiting"),
    ("H", "In hospital"),
    ("L", "On leave"),
    ("S", "Asleep"),
    ("A", "Not available"),
    ("W", "Withheld on clinical advice"),
    ("O", "Other (see notes)"),
    ("SA", "Self-administered"),
    ("?", "Due but not recorded"),
)


@dataclass(frozen=True)
class MissedDose:
    resident: ResidentInfo
    prescription_id: str
    medicine: str
    due_at: str  # ISO
    what: str  # "Refused", "Not recorded", "Omitted: in hospital"


@dataclass
class MissedReport:
    lines: list[MissedDose] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # "not given 3 days running"


def _cell(dose: StoredRecord, names: dict[str, str]) -> str:
    outcome = dose.fields.get("outcome")
    if outcome == "given":
        return initials(names.get(dose.user_id or "", "?"))
    if outcome == "self_administered":
        return "SA"
    return CODES.get(str(dose.fields.get("reason_code")), "O")


def _what(dose: StoredRecord | None) -> str:
    if dose is None:
        return "Not recorded"
    if dose.fields.get("outcome") == "refused":
        return "Refused"
    reason = str(dose.fields.get("reason_code") or "other").replace("_", " ")
    return f"Omitted: {reason}"


class ReportService(MedicationBase):
    def _load(
        self, resident_id: str
    ) -> tuple[ResidentInfo, list[StoredRecord], list[StoredRecord], dict[str, str]]:
        with self._context.store.read() as conn:
            resident = self._record(conn, resident_id, "resident", "resident")
            found = records_repo.for_resident(
                conn, resident_id, ("prescription", "medication_administration")
            )
            names = staff_names(conn)
        prescriptions = [r for r in found if r.entity == "prescription"]
        doses = [r for r in found if r.entity == "medication_administration"]
        live = {e.record_id for e in live_events(events(doses))}
        return (
            resident_info(resident),
            prescriptions,
            [d for d in doses if d.record_id in live],
            names,
        )

    def mar_chart(
        self, resident_id: str, cycle_start: dt.date, *, now: dt.datetime | None = None
    ) -> MarChart:
        self._user()
        now = now or self._now()
        resident, prescriptions, doses, names = self._load(resident_id)
        days = [cycle_start + dt.timedelta(days=n) for n in range(CYCLE_DAYS)]
        start = local_instant(days[0], dt.time(0, 0))
        end = local_instant(days[-1] + dt.timedelta(days=1), dt.time(0, 0))
        by_slot = {str(d.fields.get("slot_id")): d for d in doses if d.fields.get("slot_id")}
        rows: list[MarRow] = []
        for p in sorted(prescriptions, key=lambda r: medicine_name(r.fields).lower()):
            f = p.fields
            if str(f.get("start_date")) > days[-1].isoformat():
                continue
            route = f"{f.get('form', '')} ({f.get('route', '')})"
            label = f"{medicine_name(f)} {route} - {f.get('dose', '')}"
            notes = " ".join(
                str(x)
                for x in (
                    describe_schedule(f),
                    f.get("instructions") or "",
                    "CONTROLLED DRUG" if f.get("controlled_drug") else "",
                    f"DISCONTINUED {str(f.get('discontinued_at'))[:10]}"
                    if f.get("status") == "discontinued"
                    else "",
                )
                if x
            )
            if (f.get("schedule") or {}).get("kind") == "prn":
                cells: dict[int, str] = {}
                for dose in doses:
                    if (
                        dose.fields.get("prescription_id") != p.record_id
                        or dose.fields.get("outcome") not in TAKEN
                    ):
                        continue
                    day = (
                        dt.datetime.fromisoformat(str(dose.fields["occurred_at"]))
                        .astimezone(UK)
                        .date()
                    )
                    if day in days:
                        index = days.index(day)
                        cells[index] = f"{int(cells[index]) + 1}" if index in cells else "1"
                rows.append(
                    MarRow(label, notes, "PRN", [cells.get(i, "") for i in range(len(days))])
                )
                continue
            slots = slots_between(p.record_id, f, start, end)
            for at in sorted({s.local_due.strftime("%H:%M") for s in slots}):
                cells_for_time = ["-"] * len(days)  # "-": not due that day
                for slot in slots:
                    if slot.local_due.strftime("%H:%M") != at:
                        continue
                    index = days.index(slot.local_due.date())
                    found = by_slot.get(slot.slot_id)
                    if found is not None:
                        cells_for_time[index] = _cell(found, names)
                    elif slot.window_end < now:
                        cells_for_time[index] = "?"
                    else:
                        cells_for_time[index] = ""
                rows.append(MarRow(label, notes, at, cells_for_time))
        return MarChart(
            self._context.device.home_name, resident, days, rows, CODE_KEY, now.astimezone(UK)
        )

    def mar_chart_pdf(
        self, resident_id: str, cycle_start: dt.date, *, now: dt.datetime | None = None
    ) -> bytes:
        return mar_pdf(self.mar_chart(resident_id, cycle_start, now=now))

    def missed_doses(
        self,
        start: dt.date,
        end: dt.date,
        *,
        unit_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> MissedReport:
        """Refused, omitted and unrecorded scheduled doses due from ``start`` to ``end``
        (inclusive, UK dates), with any medicine not given on RUN_TO_FLAG days running flagged."""
        self._user()
        if end < start:
            raise InvalidInput("The end of the period is before its start.", field="end")
        now = now or self._now()
        with self._context.store.read() as conn:
            residents = [
                r
                for r in records_repo.by_entity(conn, "resident")
                if r.fields.get("status") == "admitted"
                and (unit_id is None or r.fields.get("unit_id") == unit_id)
            ]
        report = MissedReport()
        period_start = local_instant(start, dt.time(0, 0))
        period_end = min(now, local_instant(end + dt.timedelta(days=1), dt.time(0, 0)))
        for record in residents:
            resident, prescriptions, doses, _names = self._load(record.record_id)
            by_slot = {str(d.fields.get("slot_id")): d for d in doses if d.fields.get("slot_id")}
            for p in prescriptions:
                missed_days: set[dt.date] = set()
                for slot in slots_between(p.record_id, p.fields, period_start, period_end):
                    if slot.window_end > now:
                        continue
                    dose = by_slot.get(slot.slot_id)
                    if dose is not None and dose.fields.get("outcome") in TAKEN:
                        continue
                    missed_days.add(slot.local_due.date())
                    report.lines.append(
                        MissedDose(
                            resident,
                            p.record_id,
                            medicine_name(p.fields),
                            slot.due_at.isoformat(),
                            _what(dose),
                        )
                    )
                run = _longest_run(missed_days)
                if run >= RUN_TO_FLAG:
                    report.flagged.append(
                        f"{medicine_name(p.fields)} for {resident.name}: not given {run} days "
                        "running. Tell the prescriber."
                    )
        report.lines.sort(key=lambda m: (m.due_at, m.resident.name))
        return report

    def missed_doses_pdf(
        self,
        start: dt.date,
        end: dt.date,
        *,
        unit_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> bytes:
        """The missed-doses report for printing (the same lines and flags as ``missed_doses``)."""
        report = self.missed_doses(start, end, unit_id=unit_id, now=now)
        lines = [
            (
                f"{dt.datetime.fromisoformat(m.due_at).astimezone(UK):%d %b %Y %H:%M}",
                m.resident.name,
                m.resident.room,
                m.medicine,
                m.what,
            )
            for m in report.lines
        ]
        period = f"From {start:%d %b %Y} to {end:%d %b %Y} (UK dates)"
        return missed_doses_pdf(self._context.device.home_name, period, lines, report.flagged)

    def cd_register_pdf(self, resident_id: str, key: str) -> bytes:
        controlled = ControlledDrugService(self._context, self._session, self._now)
        pages = [p for p in controlled.pages(resident_id) if p.key == key]
        if not pages:
            raise InvalidInput("There is no such register page.")
        lines: list[CdLine] = controlled.register(resident_id, key)
        with self._context.store.read() as conn:
            resident = self._resident(conn, resident_id)
            names = staff_names(conn)
        page = pages[0]
        return cd_register_pdf(
            self._context.device.home_name,
            resident,
            f"{page.medicine} {page.strength}".strip(),
            lines,
            names,
        )


def _longest_run(days: set[dt.date]) -> int:
    best = 0
    for day in days:
        if day - dt.timedelta(days=1) in days:
            continue
        length = 1
        while day + dt.timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best
