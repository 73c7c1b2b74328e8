"""The controlled-drug register (a page per resident and medicine, with a running balance and
a witness on every line), stock of every other medicine (receipts, counts, waste and returns,
low-stock warnings), and the home's homely remedies with their GP sign-off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import (
    MedicationBase,
    ResidentInfo,
    events,
    iso,
    medicine_name,
    resident_info,
)
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared.medication.ledger import cd_balance, cd_key, cd_ledger, stock_level
from shared.medication.scheduling import doses_per_day

LOW_STOCK_DAYS = 7  # warn a week ahead: time to order from the pharmacy [U: policy choice]


@dataclass(frozen=True)
class CdLine:
    record_id: str
    occurred_at: str
    kind: str
    quantity: float
    balance: float  # what the register adds up to after this line
    recorded_balance: float  # what the person wrote
    mismatch: bool
    user_id: str | None
    witness_id: str | None
    counterparty: str
    note: str


@dataclass(frozen=True)
class CdPage:
    key: str
    resident_id: str
    medicine: str
    strength: str
    prescription_id: str | None
    balance: float
    discrepancies: int


@dataclass(frozen=True)
class StockCheck:
    expected: float
    counted: float

    @property
    def discrepancy(self) -> float:
        return self.counted - self.expected


@dataclass(frozen=True)
class LowStock:
    resident: ResidentInfo
    prescription_id: str
    medicine: str
    level: float
    days_left: float | None


def append_cd_entry(
    service: MedicationBase,
    conn: sa.Connection,
    prescription: StoredRecord,
    kind: str,
    quantity: float,
    *,
    witness_id: str,
    **extra: Any,
) -> StoredRecord:
    """A register line with the balance this PC computes (the same way every replica does)."""
    resident_id = str(prescription.resident_id)
    key = cd_key(resident_id, prescription.fields)
    page = [
        r
        for r in records_repo.for_resident(conn, resident_id, ("cd_register_entry",))
        if cd_key(resident_id, r.fields) == key
    ]
    balance = cd_balance(events(page))
    after = (
        quantity if kind == "check" else balance + (quantity if kind == "receipt" else -quantity)
    )
    return service._create(
        conn,
        "cd_register_entry",
        {
            "resident_id": resident_id,
            "prescription_id": prescription.record_id,
            "medicine": prescription.fields.get("medicine"),
            "strength": prescription.fields.get("strength"),
            "kind": kind,
            "quantity": float(quantity),
            "balance_after": after,
            "witness_id": witness_id,
            "occurred_at": iso(service._now()),
            **extra,
        },
    )


class ControlledDrugService(MedicationBase):
    # --- the controlled-drug register ------------------------------------------------------

    def pages(self, resident_id: str) -> list[CdPage]:
        self._user()
        with self._context.store.read() as conn:
            found = records_repo.for_resident(
                conn, resident_id, ("cd_register_entry", "prescription")
            )
        pages: dict[str, list[StoredRecord]] = {}
        names: dict[str, tuple[str, str, str | None]] = {}
        for record in found:
            f = record.fields
            if record.entity == "prescription" and not f.get("controlled_drug"):
                continue
            key = cd_key(resident_id, f)
            pid = record.record_id if record.entity == "prescription" else f.get("prescription_id")
            names.setdefault(key, (str(f.get("medicine", "")), str(f.get("strength") or ""), pid))
            if record.entity == "cd_register_entry":
                pages.setdefault(key, []).append(record)
        result = []
        for key, (medicine, strength, pid) in names.items():
            lines = cd_ledger(events(pages.get(key, [])))
            result.append(
                CdPage(
                    key,
                    resident_id,
                    medicine,
                    strength,
                    pid,
                    lines[-1].balance if lines else 0.0,
                    sum(1 for line in lines if line.mismatch),
                )
            )
        return sorted(result, key=lambda p: p.medicine.lower())

    def register(self, resident_id: str, key: str) -> list[CdLine]:
        self._user()
        with self._context.store.read() as conn:
            found = [
                r
                for r in records_repo.for_resident(conn, resident_id, ("cd_register_entry",))
                if cd_key(resident_id, r.fields) == key
            ]
        authors = {r.record_id: r.user_id for r in found}
        return [
            CdLine(
                line.record_id,
                str(line.fields.get("occurred_at", "")),
                str(line.fields.get("kind", "")),
                float(line.fields.get("quantity") or 0),
                line.balance,
                float(line.fields.get("balance_after") or 0),
                line.mismatch,
                authors.get(line.record_id),
                line.fields.get("witness_id"),
                str(line.fields.get("counterparty") or ""),
                str(line.fields.get("note") or ""),
            )
            for line in cd_ledger(events(found))
        ]

    def _cd_prescription(self, conn: sa.Connection, prescription_id: str) -> StoredRecord:
        prescription = self._record(conn, prescription_id, "prescription", "medicine")
        if not prescription.fields.get("controlled_drug"):
            raise InvalidInput("That medicine is not a controlled drug.")
        return prescription

    def _cd(
        self,
        prescription_id: str,
        kind: str,
        quantity: float,
        witness: VerifiedWitness | None,
        **extra: Any,
    ) -> str:
        if quantity < 0 or (quantity == 0 and kind != "check"):
            raise InvalidInput("The quantity must be more than 0.", field="quantity")
        with self._context.store.write() as conn:
            self._require_administer(conn)
            prescription = self._cd_prescription(conn, prescription_id)
            witness_id = self._check_witness(conn, witness, always=True)
            assert witness_id is not None
            return append_cd_entry(
                self, conn, prescription, kind, quantity, witness_id=witness_id, **extra
            ).record_id

    def receive(
        self,
        prescription_id: str,
        quantity: float,
        *,
        witness: VerifiedWitness | None,
        supplier: str = "Pharmacy",
    ) -> str:
        return self._cd(prescription_id, "receipt", quantity, witness, counterparty=supplier)

    def dispose(
        self,
        prescription_id: str,
        quantity: float,
        *,
        witness: VerifiedWitness | None,
        reason: str,
        returned_to: str = "",
    ) -> str:
        if not reason.strip():
            raise InvalidInput(
                "Say why (dropped, refused after preparing, expired…).", field="note"
            )
        kind = "return" if returned_to else "disposal"
        return self._cd(
            prescription_id, kind, quantity, witness, note=reason.strip(), counterparty=returned_to
        )

    def check(
        self, prescription_id: str, counted: float, *, witness: VerifiedWitness | None
    ) -> StockCheck:
        """A count with a witness; a count that differs is a discrepancy to report (the safety
        rule raises a review item for it on every replica)."""
        with self._context.store.read() as conn:
            prescription = self._cd_prescription(conn, prescription_id)
            key = cd_key(str(prescription.resident_id), prescription.fields)
            page = [
                r
                for r in records_repo.for_resident(
                    conn, str(prescription.resident_id), ("cd_register_entry",)
                )
                if cd_key(str(prescription.resident_id), r.fields) == key
            ]
        expected = cd_balance(events(page))
        self._cd(prescription_id, "check", counted, witness)
        return StockCheck(expected, counted)

    # --- stock of every other medicine ------------------------------------------------------

    def record_stock(
        self, prescription_id: str, kind: str, quantity: float, *, note: str = ""
    ) -> str:
        """A receipt, a count, waste or a return (``kind``)."""
        self._require_senior("record medicine stock")
        if kind in ("waste", "return") and not note.strip():
            raise InvalidInput("Say why the medicine was wasted or returned.", field="note")
        if quantity < 0:
            raise InvalidInput("The quantity cannot be negative.", field="quantity")
        with self._context.store.write() as conn:
            prescription = self._record(conn, prescription_id, "prescription", "medicine")
            return self._create(
                conn,
                "stock_event",
                {
                    "resident_id": prescription.resident_id,
                    "prescription_id": prescription_id,
                    "kind": kind,
                    "quantity": float(quantity),
                    "note": note.strip(),
                    "occurred_at": iso(self._now()),
                },
            ).record_id

    def low_stock(
        self, unit_id: str | None = None, *, days: int = LOW_STOCK_DAYS
    ) -> list[LowStock]:
        self._user()
        with self._context.store.read() as conn:
            residents = {
                r.record_id: resident_info(r) for r in records_repo.by_entity(conn, "resident")
            }
            prescriptions = records_repo.by_entity(conn, "prescription")
            stock = records_repo.by_entity(conn, "stock_event")
            doses = records_repo.by_entity(conn, "medication_administration")
            cds = records_repo.by_entity(conn, "cd_register_entry")
        found = []
        for p in prescriptions:
            resident = residents.get(str(p.resident_id))
            if p.fields.get("status") != "active" or resident is None:
                continue
            if resident.status != "admitted" or (unit_id and resident.unit_id != unit_id):
                continue
            if p.fields.get("controlled_drug"):
                key = cd_key(resident.resident_id, p.fields)
                page = [
                    c
                    for c in cds
                    if c.resident_id == resident.resident_id
                    and cd_key(resident.resident_id, c.fields) == key
                ]
                level: float | None = cd_balance(events(page)) if page else None
            else:
                level = stock_level(
                    events([s for s in stock if s.fields.get("prescription_id") == p.record_id]),
                    events([d for d in doses if d.fields.get("prescription_id") == p.record_id]),
                    float(p.fields.get("dose_quantity") or 1),
                )
            if level is None:
                continue
            per_day = doses_per_day(p.fields) * float(p.fields.get("dose_quantity") or 1)
            days_left = level / per_day if per_day else None
            if level <= 0 or (days_left is not None and days_left < days):
                found.append(
                    LowStock(resident, p.record_id, medicine_name(p.fields), level, days_left)
                )
        return sorted(found, key=lambda s: s.days_left if s.days_left is not None else -1)

    # --- homely remedies ---------------------------------------------------------------------

    def homely_remedies(self, *, include_inactive: bool = False) -> list[StoredRecord]:
        self._user()
        with self._context.store.read() as conn:
            remedies = records_repo.by_entity(conn, "homely_remedy")
        return sorted(
            (r for r in remedies if include_inactive or r.fields.get("active")),
            key=lambda r: str(r.fields.get("medicine", "")).lower(),
        )

    def add_homely_remedy(
        self,
        medicine: str,
        form: str,
        dose: str,
        indication: str,
        *,
        max_days: int = 2,
        min_interval_minutes: int | None = None,
        max_per_24h: float | None = None,
        strength: str = "",
        gp_name: str = "",
        gp_signed_off_on: dt.date | None = None,
    ) -> str:
        self._require_senior("add a homely remedy")
        fields = {
            "medicine": medicine.strip(),
            "strength": strength.strip(),
            "form": form,
            "dose": dose.strip(),
            "indication": indication.strip(),
            "max_days": max_days,
            "min_interval_minutes": min_interval_minutes,
            "max_per_24h": max_per_24h,
            "gp_name": gp_name.strip(),
            "gp_signed_off_on": gp_signed_off_on.isoformat() if gp_signed_off_on else None,
            "active": True,
        }
        with self._context.store.write() as conn:
            return self._create(conn, "homely_remedy", fields).record_id

    def sign_off_homely_remedy(self, remedy_id: str, gp_name: str, on: dt.date) -> None:
        """Record the GP's sign-off (the remedy can be given only once it is signed off)."""
        self._require_senior("record a GP sign-off")
        if not gp_name.strip():
            raise InvalidInput("Name the GP who signed it off.", field="gp_name")
        with self._context.store.write() as conn:
            self._record(conn, remedy_id, "homely_remedy", "homely remedy")
            self._update(
                conn, remedy_id, {"gp_name": gp_name.strip(), "gp_signed_off_on": on.isoformat()}
            )
