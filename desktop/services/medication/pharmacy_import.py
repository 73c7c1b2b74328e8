"""Importing a pharmacy's MAR (a CSV file, format in docs/user-guide.md, "eMAR"): checked line
by line with every rejected line reported, then applied completely or not at all once a second
senior member of staff has checked it and confirmed with their own password or PIN."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import sqlalchemy as sa

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import MedicationBase, iso, resident_info
from desktop.services.medication.controlled import append_cd_entry
from desktop.services.medication.prescriptions import (
    PrescriptionInput,
    PrescriptionService,
    check_fields,
)
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from shared.entities.medication import MEDICINE_FORMS, ROUTES
from shared.ids import new_id
from shared.nhs_number import normalise
from shared.permissions import SENIOR_ROLES

REQUIRED = ("nhs_number", "medicine", "form", "route", "dose", "times", "start_date")
OPTIONAL = (
    "strength",
    "dose_quantity",
    "frequency",
    "prn_min_interval_hours",
    "prn_max_per_24h",
    "end_date",
    "controlled_drug",
    "time_critical",
    "instructions",
    "quantity_received",
)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
MAX_BYTES = 2 * 1024 * 1024


class ImportRejected(InvalidInput):
    code = "import_rejected"


@dataclass(frozen=True)
class ImportLine:
    line_no: int
    resident_id: str
    resident_name: str
    spec: PrescriptionInput
    quantity_received: float | None


@dataclass(frozen=True)
class Rejection:
    line_no: int
    reason: str


@dataclass(frozen=True)
class ImportPreview:
    lines: list[ImportLine]
    rejected: list[Rejection]
    content_hash: str

    @property
    def report(self) -> str:
        if not self.rejected:
            return f"{len(self.lines)} line(s) ready to import."
        problems = "\n".join(f"Line {r.line_no}: {r.reason}" for r in self.rejected)
        return (
            f"{len(self.rejected)} line(s) rejected, so nothing will be imported until the file "
            f"is fixed:\n{problems}"
        )


@dataclass(frozen=True)
class ImportResult:
    transcription_id: str
    prescription_ids: list[str]


def _date(text: str, column: str) -> dt.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{column} {text!r} is not a date like 2025-03-31 or 31/03/2025")


def _flag(text: str) -> bool:
    return text.strip().lower() in ("y", "yes", "true", "1")


def _number(text: str, column: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None


def _schedule(times: str, frequency: str) -> dict[str, object]:
    if times.strip().upper() == "PRN":
        return {"kind": "prn", "times": []}
    slots = [t.strip() for t in times.replace(",", ";").split(";") if t.strip()]
    kind, _, days = frequency.strip().lower().partition(":")
    kind = kind or "daily"
    if kind == "daily":
        return {"kind": "daily", "times": slots}
    parts = [d.strip() for d in days.split(";") if d.strip()]
    if kind == "weekly":
        try:
            return {"kind": "weekly", "times": slots, "weekdays": [WEEKDAYS[d[:3]] for d in parts]}
        except KeyError:
            raise ValueError(f"frequency {frequency!r} names an unknown day") from None
    if kind == "monthly":
        try:
            return {"kind": "monthly", "times": slots, "month_days": [int(d) for d in parts]}
        except ValueError:
            raise ValueError(f"frequency {frequency!r} has a day that is not a number") from None
    raise ValueError(f"frequency {frequency!r} is not daily, weekly:Mon;Thu or monthly:1;15")


class PharmacyImportService(MedicationBase):
    def preview(self, csv_text: str) -> ImportPreview:
        """Every line checked; nothing is written."""
        self._require_senior("import a pharmacy MAR")
        if len(csv_text.encode()) > MAX_BYTES:
            raise ImportRejected("The file is too large for a MAR (over 2 MB).")
        with self._context.store.read() as conn:
            by_nhs = {
                normalise(str(r.fields.get("nhs_number") or "")): r
                for r in records_repo.by_entity(conn, "resident")
                if r.fields.get("nhs_number") and r.fields.get("status") == "admitted"
            }
        reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        digest = hashlib.sha256(csv_text.encode()).hexdigest()
        if missing:
            return ImportPreview(
                [], [Rejection(1, f"missing column(s): {', '.join(missing)}")], digest
            )
        lines: list[ImportLine] = []
        rejected: list[Rejection] = []
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            try:
                lines.append(self._line(number, row, by_nhs))
            except (ValueError, InvalidInput) as exc:
                rejected.append(Rejection(number, str(exc)))
        if not lines and not rejected:
            rejected.append(Rejection(1, "the file has no medicines in it"))
        return ImportPreview(lines, rejected, digest)

    def _line(
        self, number: int, row: dict[str, str], by_nhs: dict[str, records_repo.StoredRecord]
    ) -> ImportLine:
        empty = [c for c in REQUIRED if not row.get(c)]
        if empty:
            raise ValueError(f"missing {', '.join(empty)}")
        resident = by_nhs.get(normalise(row["nhs_number"]))
        if resident is None:
            raise ValueError(f"no admitted resident has NHS number {row['nhs_number']}")
        form = row["form"].lower()
        if form not in MEDICINE_FORMS:
            raise ValueError(f"unknown medicine form {row['form']!r}")
        route = row["route"].lower()
        if route not in ROUTES:
            raise ValueError(f"unknown route {row['route']!r}")
        gap = _number(row.get("prn_min_interval_hours", ""), "prn_min_interval_hours")
        spec = PrescriptionInput(
            medicine=row["medicine"],
            strength=row.get("strength", ""),
            form=form,
            route=route,
            dose=row["dose"],
            dose_quantity=_number(row.get("dose_quantity", ""), "dose_quantity"),
            schedule=_schedule(row["times"], row.get("frequency", "")),
            prn_min_interval_minutes=int(gap * 60) if gap else None,
            prn_max_per_24h=_number(row.get("prn_max_per_24h", ""), "prn_max_per_24h"),
            start_date=_date(row["start_date"], "start_date"),
            end_date=_date(row["end_date"], "end_date") if row.get("end_date") else None,
            controlled_drug=_flag(row.get("controlled_drug", "")),
            time_critical=_flag(row.get("time_critical", "")),
            instructions=row.get("instructions", ""),
        )
        check_fields(spec.fields(resident.record_id))
        received = _number(row.get("quantity_received", ""), "quantity_received")
        return ImportLine(number, resident.record_id, resident_info(resident).name, spec, received)

    def apply(self, csv_text: str, source: str, checker: VerifiedWitness) -> ImportResult:
        """Import every line, or nothing. ``checker`` is the second person who checked the
        transcription against the pharmacy's MAR (verified with ``verify_witness``)."""
        self._require_senior("import a pharmacy MAR")
        if checker.role not in SENIOR_ROLES:
            raise InvalidInput(
                "The second checker must be a senior carer, nurse or manager.", field="witness"
            )
        preview = self.preview(csv_text)
        if preview.rejected:
            raise ImportRejected(preview.report)
        transcription_id = new_id()
        prescriptions = PrescriptionService(self._context, self._session, self._now)
        ids: list[str] = []
        with self._context.store.write() as conn:
            if self._check_witness(conn, checker) is None:
                raise InvalidInput("A second person must check the import.", field="witness")
            for line in preview.lines:
                pid = prescriptions.add_in(
                    conn,
                    line.resident_id,
                    line.spec,
                    reason=f"Pharmacy MAR import ({source})",
                    witness=checker,
                    transcription_id=transcription_id,
                )
                ids.append(pid)
                if line.quantity_received:
                    self._receive(conn, pid, line.quantity_received, checker, source)
            self._create(
                conn,
                "mar_transcription",
                {
                    "source": source.strip() or "Pharmacy MAR",
                    "lines": len(preview.lines),
                    "prescription_ids": ids,
                    "checked_by": checker.user_id,
                    "content_hash": preview.content_hash,
                    "occurred_at": iso(self._now()),
                },
                record_id=transcription_id,
            )
        return ImportResult(transcription_id, ids)

    def _receive(
        self,
        conn: sa.Connection,
        prescription_id: str,
        quantity: float,
        checker: VerifiedWitness,
        source: str,
    ) -> None:
        prescription = self._record(conn, prescription_id, "prescription", "medicine")
        if prescription.fields.get("controlled_drug"):
            append_cd_entry(
                self,
                conn,
                prescription,
                "receipt",
                quantity,
                witness_id=checker.user_id,
                counterparty=source,
            )
            return
        self._create(
            conn,
            "stock_event",
            {
                "resident_id": prescription.resident_id,
                "prescription_id": prescription_id,
                "kind": "receipt",
                "quantity": float(quantity),
                "note": f"From the pharmacy MAR ({source})",
                "occurred_at": iso(self._now()),
            },
        )
