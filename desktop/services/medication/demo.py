"""Demo medicines for the screenshots, the demo and tests: a realistic set of prescriptions
and some days of recorded rounds, written through the services as a nurse would."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from desktop.services.medication.prescriptions import PrescriptionInput
from desktop.services.medication.prn import PrnService
from desktop.services.medication.round import RoundService
from desktop.services.session import VerifiedWitness


def demo_prescriptions(start: dt.date) -> list[PrescriptionInput]:
    def daily(*times: str) -> dict[str, Any]:
        return {"kind": "daily", "times": list(times)}

    prn: dict[str, Any] = {"kind": "prn", "times": []}
    return [
        PrescriptionInput(
            medicine="Amlodipine",
            form="tablet",
            route="oral",
            dose="1 tablet",
            schedule=daily("08:00"),
            start_date=start,
            strength="5 mg",
            dose_quantity=1,
            indication="Blood pressure",
        ),
        PrescriptionInput(
            medicine="Metformin",
            form="tablet",
            route="oral",
            dose="1 tablet",
            schedule=daily("08:00", "18:00"),
            start_date=start,
            strength="500 mg",
            dose_quantity=1,
            instructions="With food",
        ),
        PrescriptionInput(
            medicine="Co-careldopa",
            form="tablet",
            route="oral",
            dose="1 tablet",
            schedule=daily("07:00", "11:00", "15:00", "19:00"),
            start_date=start,
            strength="25 mg/100 mg",
            dose_quantity=1,
            time_critical=True,
            instructions="Parkinson's: give on time",
        ),
        PrescriptionInput(
            medicine="Paracetamol",
            form="tablet",
            route="oral",
            dose="1 to 2 tablets",
            schedule=prn,
            start_date=start,
            strength="500 mg",
            dose_quantity=2,
            prn_min_interval_minutes=240,
            prn_max_per_24h=8,
            indication="Pain or fever",
        ),
        PrescriptionInput(
            medicine="Morphine sulfate oral solution",
            form="liquid",
            route="oral",
            dose="2.5 to 5 ml",
            schedule=prn,
            start_date=start,
            strength="10 mg/5 ml",
            dose_quantity=2.5,
            dose_unit="ml",
            prn_min_interval_minutes=240,
            prn_max_per_24h=20,
            controlled_drug=True,
            indication="Breakthrough pain",
        ),
    ]


def record_history(
    round_service: RoundService,
    resident_id: str,
    *,
    days: int,
    now: dt.datetime,
    seed: int = 1,
    witness: VerifiedWitness | None = None,
) -> int:
    """Record ``days`` days of past rounds for one resident (mostly given, some refused)."""
    rng = random.Random(seed)
    recorded = 0
    for step in range(days * 4, -1, -1):
        moment = now - dt.timedelta(hours=6 * step)
        for item in round_service.round(now=moment):
            due = dt.datetime.fromisoformat(item.due_at)
            if item.resident.resident_id != resident_id or item.status == "done" or due > moment:
                continue
            if item.controlled_drug and witness is None:
                continue
            roll = rng.random()
            outcome, reason = ("refused", "refused") if roll < 0.06 else ("given", None)
            if 0.06 <= roll < 0.09:
                outcome, reason = "omitted", "asleep"
            round_service.record_dose(
                item,
                outcome,
                reason_code=reason,
                witness=witness,
                when=due + dt.timedelta(minutes=rng.randint(0, 20)),
            )
            recorded += 1
    return recorded


def give_prn(prn: PrnService, prescription_id: str, when: dt.datetime, reason: str) -> str:
    return prn.record_prn(prescription_id, reason, when=when)
