"""The controlled-drug register (a page per resident and medicine, with a running balance and
a witness on every line), stock of every other medicine (receipts, counts, waste and returns,
low-stock warnings), and (from ``HomelyRemedyList``) the home's homely remedies."""

from __future__ import annotations

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
from desktop.services.medication.homely_remedies import HomelyRemedyList
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


class ControlledDrugService(HomelyRemedyList):
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

    @staticmethod
    def _cd_page(conn: sa.Connection, prescription: StoredRecord) -> list[StoredRecord]:
        resident_id = str(prescription.resident_id)
        key = cd_key(resident_id, prescription.fields)
        return [
            r
            for r in records_repo.for_resident(conn, resident_id, ("cd_register_entry",))
            if cd_key(resident_id, r.fields) == key
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
            if kind in ("disposal", "return"):
                balance = cd_balance(events(self._cd_page(conn, prescription)))
                if quantity > balance + 1e-9:
                    raise InvalidInput(
                        f"The register holds only {balance:g}: count the stock with a witness "
                        "before taking out more than that.",
                        field="quantity",
                    )
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
            page = self._cd_page(conn, self._cd_prescription(conn, prescription_id))
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
        if quantity == 0 and kind != "count":
            raise InvalidInput("The quantity must be more than 0.", field="quantity")
        with self._context.store.write() as conn:
            prescription = self._record(conn, prescription_id, "prescription", "medicine")
            if prescription.fields.get("controlled_drug"):
                raise InvalidInput(
                    "A controlled drug's stock is kept in its register: record it there, with "
                    "a witness."
                )
            if kind in ("waste", "return"):
                level = self._stock_level(conn, prescription) or 0.0
                if quantity > level + 1e-9:
                    raise InvalidInput(
                        f"Only {level:g} are in stock, so {quantity:g} cannot be "
                        f"{'wasted' if kind == 'waste' else 'returned'}: count the stock first.",
                        field="quantity",
                    )
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

    @staticmethod
    def _stock_level(conn: sa.Connection, prescription: StoredRecord) -> float | None:
        found = records_repo.for_resident(
            conn, str(prescription.resident_id), ("stock_event", "medication_administration")
        )
        mine = [r for r in found if r.fields.get("prescription_id") == prescription.record_id]
        return stock_level(
            events([r for r in mine if r.entity == "stock_event"]),
            events([r for r in mine if r.entity == "medication_administration"]),
            float(prescription.fields.get("dose_quantity") or 1),
        )

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
