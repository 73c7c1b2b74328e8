"""A resident's medicines: the list (allergies beside every medicine), adding, changing and
discontinuing with a reason (and a witness when the provider asks for one), and each
prescription's history. Prescriptions are never deleted; each change also writes an
append-only ``prescription_event`` so the history is on every PC."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import (
    MedicationBase,
    ResidentInfo,
    events,
    iso,
    medicine_name,
)
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from shared.medication.ledger import stock_level
from shared.medication.scheduling import ScheduleError, check_schedule, describe_schedule

NOT_CHANGEABLE = frozenset({"resident_id", "status", "discontinued_at", "change_reason", "source"})


@dataclass(frozen=True)
class PrescriptionInput:
    """A new prescription as a nurse types it or a pharmacy MAR gives it."""

    medicine: str
    form: str
    route: str
    dose: str
    schedule: dict[str, Any]
    start_date: dt.date
    strength: str = ""
    dose_quantity: float | None = None
    dose_min: float | None = None
    dose_max: float | None = None
    dose_unit: str = ""
    prn_min_interval_minutes: int | None = None
    prn_max_per_24h: float | None = None
    time_critical: bool = False
    instructions: str = ""
    indication: str = ""
    controlled_drug: bool = False
    covert: bool = False
    covert_authorisation_ref: str = ""
    self_administered: bool = False
    monitoring: str = ""
    review_date: dt.date | None = None
    prescriber: str = ""
    end_date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def fields(self, resident_id: str) -> dict[str, Any]:
        values = {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"
        }
        for name in ("start_date", "end_date", "review_date"):
            if values[name] is not None:
                values[name] = values[name].isoformat()
        values.update(self.extra)
        values["resident_id"] = resident_id
        values["status"] = "active"
        return values


@dataclass(frozen=True)
class MedicineLine:
    prescription_id: str
    medicine: str  # name and strength
    form: str
    route: str
    dose: str
    schedule: str  # in words
    instructions: str
    status: str
    allergies: str  # the resident's, beside every medicine
    controlled_drug: bool
    time_critical: bool
    prn: bool
    covert: bool
    self_administered: bool
    stock: float | None
    review_date: str
    change_reason: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class MedicationList:
    resident: ResidentInfo
    lines: list[MedicineLine]


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: str
    action: str
    changes: dict[str, Any]
    reason: str
    user_id: str | None
    witness_id: str | None


def check_fields(fields: dict[str, Any]) -> None:
    """Plain-English checks a registry type check cannot make."""
    if not str(fields.get("medicine") or "").strip():
        raise InvalidInput("Name the medicine.", field="medicine")
    if not str(fields.get("dose") or "").strip():
        raise InvalidInput("Give the dose, e.g. '1 tablet'.", field="dose")
    try:
        schedule = check_schedule(fields.get("schedule"))
    except ScheduleError as exc:
        raise InvalidInput(str(exc), field="schedule") from None
    if schedule["kind"] == "prn" and not fields.get("prn_max_per_24h"):
        raise InvalidInput(
            "A when-required (PRN) medicine needs its most in 24 hours.", field="prn_max_per_24h"
        )
    low, high = fields.get("dose_min"), fields.get("dose_max")
    if low is not None and high is not None and low > high:
        raise InvalidInput("The smallest dose is more than the largest.", field="dose_min")
    if fields.get("covert") and not str(fields.get("covert_authorisation_ref") or "").strip():
        raise InvalidInput(
            "Covert administration needs the reference of its best-interests decision and "
            "the pharmacist's advice.",
            field="covert_authorisation_ref",
        )
    end = fields.get("end_date")
    if end and str(end) < str(fields.get("start_date")):
        raise InvalidInput("The end date is before the start date.", field="end_date")


class PrescriptionService(MedicationBase):
    def medication_list(
        self, resident_id: str, *, include_discontinued: bool = False
    ) -> MedicationList:
        self._user()
        with self._context.store.read() as conn:
            resident = self._resident(conn, resident_id)
            found = records_repo.for_resident(
                conn, resident_id, ("prescription", "stock_event", "medication_administration")
            )
        by_kind: dict[str, list[records_repo.StoredRecord]] = {}
        for record in found:
            by_kind.setdefault(record.entity, []).append(record)
        lines = []
        for p in by_kind.get("prescription", []):
            f = p.fields
            if f.get("status") == "discontinued" and not include_discontinued:
                continue
            stock = stock_level(
                events(
                    [
                        s
                        for s in by_kind.get("stock_event", [])
                        if s.fields.get("prescription_id") == p.record_id
                    ]
                ),
                events(
                    [
                        a
                        for a in by_kind.get("medication_administration", [])
                        if a.fields.get("prescription_id") == p.record_id
                    ]
                ),
                float(f.get("dose_quantity") or 1),
            )
            lines.append(
                MedicineLine(
                    p.record_id,
                    medicine_name(f),
                    str(f.get("form", "")),
                    str(f.get("route", "")),
                    str(f.get("dose", "")),
                    describe_schedule(f),
                    str(f.get("instructions") or ""),
                    str(f.get("status", "")),
                    resident.allergies,
                    bool(f.get("controlled_drug")),
                    bool(f.get("time_critical")),
                    (f.get("schedule") or {}).get("kind") == "prn",
                    bool(f.get("covert")),
                    bool(f.get("self_administered")),
                    stock,
                    str(f.get("review_date") or ""),
                    str(f.get("change_reason") or ""),
                    dict(f),
                )
            )
        lines.sort(key=lambda line: (line.status != "active", line.prn, line.medicine.lower()))
        return MedicationList(resident, lines)

    def add(
        self,
        resident_id: str,
        spec: PrescriptionInput,
        *,
        reason: str = "New prescription",
        witness: VerifiedWitness | None = None,
    ) -> str:
        self._require_senior("add a medicine")
        with self._context.store.write() as conn:
            return self.add_in(conn, resident_id, spec, reason=reason, witness=witness)

    def add_in(
        self,
        conn: sa.Connection,
        resident_id: str,
        spec: PrescriptionInput,
        *,
        reason: str,
        witness: VerifiedWitness | None,
        transcription_id: str | None = None,
    ) -> str:
        """Add within the caller's transaction (a pharmacy import adds many at once)."""
        resident = self._resident(conn, resident_id)
        if resident.status != "admitted":
            raise InvalidInput("This resident is not admitted.")
        witness_id = self._check_witness(conn, witness)
        fields = spec.fields(resident_id)
        fields["source"] = "pharmacy_import" if transcription_id else "manual"
        fields["transcription_id"] = transcription_id
        check_fields(fields)
        record = self._create(conn, "prescription", fields)
        self._event(
            conn,
            record.record_id,
            resident_id,
            "started",
            changes={},
            reason=reason,
            witness_id=witness_id,
        )
        return record.record_id

    def change(
        self,
        prescription_id: str,
        changes: dict[str, Any],
        reason: str,
        *,
        witness: VerifiedWitness | None = None,
    ) -> None:
        self._require_senior("change a medicine")
        if not reason.strip():
            raise InvalidInput("Say why the medicine is changing.", field="reason")
        refused = sorted(set(changes) & NOT_CHANGEABLE)
        if refused:
            raise InvalidInput(f"The {refused[0].replace('_', ' ')} cannot be changed here.")
        with self._context.store.write() as conn:
            current = self._record(conn, prescription_id, "prescription", "medicine")
            if current.fields.get("status") == "discontinued":
                raise InvalidInput("This medicine was discontinued: add a new one instead.")
            witness_id = self._check_witness(conn, witness)
            diff = {k: v for k, v in changes.items() if current.fields.get(k) != v}
            if not diff:
                return
            check_fields({**current.fields, **diff})
            self._update(conn, prescription_id, {**diff, "change_reason": reason.strip()})
            before = {k: [current.fields.get(k), v] for k, v in diff.items()}
            self._event(
                conn,
                prescription_id,
                str(current.resident_id),
                "changed",
                changes=before,
                reason=reason,
                witness_id=witness_id,
            )

    def discontinue(
        self,
        prescription_id: str,
        reason: str,
        *,
        witness: VerifiedWitness | None = None,
        when: dt.datetime | None = None,
    ) -> None:
        self._require_senior("discontinue a medicine")
        if not reason.strip():
            raise InvalidInput("Say why the medicine is stopped.", field="reason")
        stopped = iso(when or self._now())
        with self._context.store.write() as conn:
            current = self._record(conn, prescription_id, "prescription", "medicine")
            if current.fields.get("status") == "discontinued":
                raise InvalidInput("This medicine is already discontinued.")
            witness_id = self._check_witness(conn, witness)
            self._update(
                conn,
                prescription_id,
                {
                    "status": "discontinued",
                    "discontinued_at": stopped,
                    "change_reason": reason.strip(),
                },
            )
            self._event(
                conn,
                prescription_id,
                str(current.resident_id),
                "discontinued",
                changes={"status": [current.fields.get("status"), "discontinued"]},
                reason=reason,
                witness_id=witness_id,
            )

    def history(self, prescription_id: str) -> list[HistoryLine]:
        self._user()
        with self._context.store.read() as conn:
            current = self._record(conn, prescription_id, "prescription", "medicine")
            found = records_repo.for_resident(
                conn, str(current.resident_id), ("prescription_event",)
            )
        lines = [
            HistoryLine(
                str(e.fields.get("occurred_at", "")),
                str(e.fields.get("action", "")),
                dict(e.fields.get("changes") or {}),
                str(e.fields.get("reason") or ""),
                e.user_id,
                e.fields.get("witness_id"),
            )
            for e in sorted(found, key=lambda e: (e.occurred_at or "", e.record_id))
            if e.fields.get("prescription_id") == prescription_id
        ]
        return lines

    def _event(
        self,
        conn: sa.Connection,
        prescription_id: str,
        resident_id: str,
        action: str,
        *,
        changes: dict[str, Any],
        reason: str,
        witness_id: str | None,
    ) -> None:
        self._create(
            conn,
            "prescription_event",
            {
                "resident_id": resident_id,
                "prescription_id": prescription_id,
                "action": action,
                "changes": changes or None,
                "reason": reason.strip(),
                "witness_id": witness_id,
                "occurred_at": iso(self._now()),
            },
        )
