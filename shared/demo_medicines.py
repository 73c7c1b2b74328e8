"""The demo provider's medicines (part of the one demo generator, ``shared.demo_data``): every
resident's prescriptions for the cycle that starts on the provider's day, the stock the pharmacy
delivered for it, controlled drugs with their register receipt, and each home's homely remedies
signed off by the GP. Deterministic for a provider's seed and ``now``.

What each home gets: two to four regular medicines a resident; paracetamol when required (PRN,
at least 4 hours apart, at most 8 tablets in 24 hours) for about half of them; a time-critical
Parkinson's medicine for the first resident of each unit; a regular controlled drug (oxycodone)
and a PRN one (oral morphine) with stock in the register; one medicine a home with less than a
week's stock left, so the low-stock warning has something to show. No doses are recorded: the
server writes these records, and a dose is always recorded by a person on a PC."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from shared.demo_data import DemoProvider, DemoStaff, SeedRecord, uuid7_at
from shared.medication.scheduling import UK

CYCLE_DAYS = 28
PHARMACY = "Riverside Pharmacy"


@dataclass(frozen=True)
class Medicine:
    medicine: str
    strength: str
    form: str
    dose: str
    quantity: float
    times: tuple[str, ...]
    indication: str
    instructions: str = ""


REGULAR = (
    Medicine("Amlodipine", "5 mg", "tablet", "1 tablet", 1, ("08:00",), "High blood pressure"),
    Medicine(
        "Metformin", "500 mg", "tablet", "1 tablet", 1, ("08:00", "18:00"), "Type 2 diabetes",
        "With or just after food",
    ),
    Medicine("Atorvastatin", "20 mg", "tablet", "1 tablet", 1, ("20:00",), "Cholesterol"),
    Medicine(
        "Lansoprazole", "15 mg", "capsule", "1 capsule", 1, ("08:00",), "Indigestion",
        "Before breakfast",
    ),
    Medicine("Donepezil", "10 mg", "tablet", "1 tablet", 1, ("20:00",), "Alzheimer's disease"),
    Medicine("Sertraline", "50 mg", "tablet", "1 tablet", 1, ("08:00",), "Low mood"),
    Medicine(
        "Furosemide", "40 mg", "tablet", "1 tablet", 1, ("08:00",), "Heart failure",
        "In the morning",
    ),
    Medicine(
        "Levothyroxine", "50 micrograms", "tablet", "1 tablet", 1, ("07:00",),
        "Underactive thyroid", "30 minutes before breakfast",
    ),
    Medicine("Bisoprolol", "2.5 mg", "tablet", "1 tablet", 1, ("08:00",), "Heart rhythm"),
    Medicine("Senna", "7.5 mg", "tablet", "2 tablets", 2, ("22:00",), "Constipation"),
    Medicine(
        "Adcal-D3", "750 mg/200 units", "tablet", "1 tablet", 1, ("08:00", "18:00"),
        "Bone health", "Chew, do not swallow whole",
    ),
)  # fmt: skip
PARKINSONS = Medicine(
    "Co-careldopa", "25 mg/100 mg", "tablet", "1 tablet", 1,
    ("07:00", "11:00", "15:00", "19:00"), "Parkinson's disease",
    "Time-critical: give within 30 minutes of the time",
)  # fmt: skip
OXYCODONE = Medicine(
    "Oxycodone modified-release", "5 mg", "tablet", "1 tablet", 1, ("08:00", "20:00"),
    "Back pain", "Swallow whole",
)  # fmt: skip
HOMELY_REMEDIES: tuple[dict[str, Any], ...] = (
    {
        "medicine": "Paracetamol", "strength": "500 mg", "form": "tablet",
        "dose": "1 to 2 tablets", "indication": "Mild pain or a temperature", "max_days": 2,
        "min_interval_minutes": 240, "max_per_24h": 8,
    },
    {
        "medicine": "Gaviscon Advance", "strength": "", "form": "liquid", "dose": "10 ml",
        "indication": "Indigestion or heartburn", "max_days": 2, "max_per_24h": 40,
    },
    {
        "medicine": "Senna", "strength": "7.5 mg", "form": "tablet", "dose": "2 tablets",
        "indication": "Constipation", "max_days": 3, "max_per_24h": 2,
    },
)  # fmt: skip


def medicine_records(provider: DemoProvider) -> list[SeedRecord]:
    """The medicines of every resident and home of ``provider`` (none when its ``medicines``
    is False), prescriptions first, then stock and register receipts, then homely remedies."""
    if not provider.medicines:
        return []
    return _Writer(provider).records()


class _Writer:
    def __init__(self, provider: DemoProvider) -> None:
        self.p = provider
        self.rng = random.Random(provider.seed * 104_729)
        self.ms = int(provider.now.timestamp() * 1000) - 3_600_000  # an hour before "now"
        self.start = provider.now.astimezone(UK).date()
        self.prescriptions: list[SeedRecord] = []
        self.stock: list[SeedRecord] = []

    def next_id(self) -> tuple[str, int]:
        self.ms += 1
        return str(uuid7_at(self.rng, self.ms)), self.ms

    def records(self) -> list[SeedRecord]:
        remedies: list[SeedRecord] = []
        for home in self.p.homes:
            residents = [r for r in self.p.residents if r.home_id == home.record_id]
            seniors = [
                s
                for s in self.p.staff
                if home.record_id in s.home_ids and s.role in ("senior_carer", "nurse")
            ]
            seen_units: set[str] = set()
            for index, resident in enumerate(residents):
                unit = str(resident.fields.get("unit_id"))
                self.resident(resident, index, first_of_unit=unit not in seen_units, staff=seniors)
                seen_units.add(unit)
            remedies += self.remedies(home)
        return [*self.prescriptions, *self.stock, *remedies]

    def resident(
        self, resident: SeedRecord, index: int, *, first_of_unit: bool, staff: list[DemoStaff]
    ) -> None:
        prescriber = str(resident.fields.get("gp") or "").split(",")[0]
        for n, medicine in enumerate(self.rng.sample(REGULAR, self.rng.randint(2, 4))):
            self.regular(resident, medicine, prescriber, low_stock=index == 3 and n == 0)
        if first_of_unit:
            self.regular(resident, PARKINSONS, prescriber, time_critical=True)
        if index == 1:
            self.regular(resident, OXYCODONE, prescriber, controlled_by=staff)
        if index == 2:
            self.morphine(resident, prescriber, staff)
        if self.rng.random() < 0.5:
            self.paracetamol(resident, prescriber)

    def prescription(
        self, resident: SeedRecord, fields: dict[str, Any], prescriber: str
    ) -> SeedRecord:
        record_id, ms = self.next_id()
        record = SeedRecord(
            "prescription",
            record_id,
            resident.home_id,
            resident.record_id,
            {
                "resident_id": resident.record_id,
                "route": "oral",
                "start_date": self.start.isoformat(),
                "review_date": (self.start + dt.timedelta(days=180)).isoformat(),
                "prescriber": prescriber,
                "status": "active",
                "source": "manual",
                **{k: v for k, v in fields.items() if v not in ("", None)},
            },
            ms,
        )
        self.prescriptions.append(record)
        return record

    def regular(
        self,
        resident: SeedRecord,
        medicine: Medicine,
        prescriber: str,
        *,
        time_critical: bool = False,
        low_stock: bool = False,
        controlled_by: list[DemoStaff] | None = None,
    ) -> None:
        record = self.prescription(
            resident,
            {
                "medicine": medicine.medicine,
                "strength": medicine.strength,
                "form": medicine.form,
                "dose": medicine.dose,
                "dose_quantity": medicine.quantity,
                "schedule": {"kind": "daily", "times": list(medicine.times)},
                "indication": medicine.indication,
                "instructions": medicine.instructions,
                "time_critical": time_critical,
                "controlled_drug": controlled_by is not None,
            },
            prescriber,
        )
        days = self.rng.randint(2, 5) if low_stock else CYCLE_DAYS
        supply = medicine.quantity * len(medicine.times) * days
        if controlled_by is not None:
            self.cd_receipt(record, supply, controlled_by)
        else:
            self.receipt(record, supply)

    def paracetamol(self, resident: SeedRecord, prescriber: str) -> None:
        record = self.prescription(
            resident,
            {
                "medicine": "Paracetamol",
                "strength": "500 mg",
                "form": "tablet",
                "dose": "1 to 2 tablets",
                "dose_quantity": 2.0,
                "dose_min": 1.0,
                "dose_max": 2.0,
                "schedule": {"kind": "prn", "times": []},
                "prn_min_interval_minutes": 240,
                "prn_max_per_24h": 8.0,
                "indication": "Pain or a temperature",
            },
            prescriber,
        )
        self.receipt(record, 32)

    def morphine(self, resident: SeedRecord, prescriber: str, staff: list[DemoStaff]) -> None:
        record = self.prescription(
            resident,
            {
                "medicine": "Morphine sulfate oral solution",
                "strength": "10 mg/5 ml",
                "form": "liquid",
                "dose": "2.5 to 5 ml",
                "dose_quantity": 2.5,
                "dose_min": 2.5,
                "dose_max": 5.0,
                "dose_unit": "ml",
                "schedule": {"kind": "prn", "times": []},
                "prn_min_interval_minutes": 240,
                "prn_max_per_24h": 20.0,
                "indication": "Breakthrough pain",
                "controlled_drug": True,
            },
            prescriber,
        )
        self.cd_receipt(record, 100, staff)

    def receipt(self, prescription: SeedRecord, quantity: float) -> None:
        record_id, ms = self.next_id()
        self.stock.append(
            SeedRecord(
                "stock_event",
                record_id,
                prescription.home_id,
                prescription.resident_id,
                {
                    "resident_id": prescription.resident_id,
                    "prescription_id": prescription.record_id,
                    "kind": "receipt",
                    "quantity": float(quantity),
                    "note": f"Monthly cycle from {PHARMACY}",
                    "occurred_at": _iso(ms),
                },
                ms,
            )
        )

    def cd_receipt(self, prescription: SeedRecord, quantity: float, staff: list[DemoStaff]) -> None:
        record_id, ms = self.next_id()
        f = prescription.fields
        self.stock.append(
            SeedRecord(
                "cd_register_entry",
                record_id,
                prescription.home_id,
                prescription.resident_id,
                {
                    "resident_id": prescription.resident_id,
                    "prescription_id": prescription.record_id,
                    "medicine": f["medicine"],
                    "strength": f.get("strength"),
                    "kind": "receipt",
                    "quantity": float(quantity),
                    "balance_after": float(quantity),
                    "witness_id": staff[-1].user_id,
                    "counterparty": PHARMACY,
                    "occurred_at": _iso(ms),
                },
                ms,
            )
        )

    def remedies(self, home: SeedRecord) -> list[SeedRecord]:
        signed = self.start - dt.timedelta(days=60)
        found = []
        for remedy in HOMELY_REMEDIES:
            record_id, ms = self.next_id()
            fields = {k: v for k, v in remedy.items() if v != ""}
            fields.update(
                {"gp_name": "Dr A. Shah", "gp_signed_off_on": signed.isoformat(), "active": True}
            )
            found.append(SeedRecord("homely_remedy", record_id, home.record_id, None, fields, ms))
        return found


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")
