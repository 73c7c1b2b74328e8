"""When-required (PRN) medicines and homely remedies: the reason for each dose, the minimum
gap and the 24-hour maximum counted over doses from every PC this one knows about, an override
that needs its own reason (kept on the record and raised for review), the later follow-up of
whether it worked, and the most days a homely remedy may be used before the GP reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services.errors import InvalidInput, NeedsConfirmation, NotAllowed
from desktop.services.medication.common import MedicationBase, events, iso, medicine_name
from desktop.services.medication.controlled import append_cd_entry
from desktop.services.session import VerifiedWitness
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared.entities.medication import EFFECTIVENESS
from shared.medication.ledger import TAKEN, live_events, occurred
from shared.medication.scheduling import UK, PrnDose, describe_schedule, prn_problems
from shared.permissions import SENIOR_ROLES

GP_SIGN_OFF_VALID = dt.timedelta(days=366)  # reviewed yearly [U: local policy]


class PrnLimitReached(NeedsConfirmation):
    """Too soon or over the 24-hour maximum: give only with a reason (``override_reason``)."""

    code = "prn_limit"


@dataclass(frozen=True)
class PrnOption:
    prescription_id: str
    medicine: str
    dose: str
    limits: str
    last_given: str | None  # ISO
    given_24h: float
    next_allowed: str | None  # ISO, when a gap applies
    controlled_drug: bool
    quantity: float = 1.0  # the usual dose, in units
    dose_range: tuple[float, float] | None = None  # a variable dose ("1 to 2 tablets")
    unit: str = ""  # "ml"; empty for tablets and the like


@dataclass(frozen=True)
class PrnGiven:
    """A when-required dose waiting for its "did it work?" follow-up."""

    administration_id: str
    medicine: str
    given_at: str  # ISO
    quantity: float
    reason: str
    overridden: bool


class PrnService(MedicationBase):
    def _doses(self, conn: sa.Connection, resident_id: str, key: str, value: str) -> list[PrnDose]:
        found = records_repo.for_resident(conn, resident_id, ("medication_administration",))
        return [
            PrnDose(e.record_id, occurred(e.fields), float(e.fields.get("quantity") or 1))
            for e in live_events(events(found))
            if e.fields.get(key) == value and e.fields.get("outcome") in TAKEN
        ]

    def options(self, resident_id: str, *, now: dt.datetime | None = None) -> list[PrnOption]:
        """The resident's PRN medicines with when each was last given (by any PC)."""
        self._user()
        now = now or self._now()
        result = []
        with self._context.store.read() as conn:
            for p in records_repo.for_resident(conn, resident_id, ("prescription",)):
                f = p.fields
                if f.get("status") != "active" or (f.get("schedule") or {}).get("kind") != "prn":
                    continue
                doses = self._doses(conn, resident_id, "prescription_id", p.record_id)
                past = [d for d in doses if d.given_at <= now]
                last = max(past, key=lambda d: d.given_at) if past else None
                day = sum(d.quantity for d in past if d.given_at > now - dt.timedelta(hours=24))
                gap = f.get("prn_min_interval_minutes")
                upcoming = last.given_at + dt.timedelta(minutes=int(gap)) if last and gap else None
                result.append(
                    PrnOption(
                        p.record_id,
                        medicine_name(f),
                        str(f.get("dose", "")),
                        describe_schedule(f),
                        iso(last.given_at) if last else None,
                        day,
                        iso(upcoming) if upcoming and upcoming > now else None,
                        bool(f.get("controlled_drug")),
                        float(f.get("dose_quantity") or 1),
                        _dose_range(f),
                        str(f.get("dose_unit") or ""),
                    )
                )
        return sorted(result, key=lambda o: o.medicine.lower())

    def record_prn(
        self,
        prescription_id: str,
        reason: str,
        *,
        quantity: float | None = None,
        override_reason: str = "",
        witness: VerifiedWitness | None = None,
        when: dt.datetime | None = None,
    ) -> str:
        """Give a PRN dose. Too soon or over the maximum raises PrnLimitReached, with each
        problem in words; call again with ``override_reason`` to record it anyway."""
        if not reason.strip():
            raise InvalidInput(
                "Say why it is needed (e.g. 'pain in left hip, 6/10').", field="prn_reason"
            )
        at = when or self._now()
        with self._context.store.write() as conn:
            self._require_administer(conn)
            p = self._record(conn, prescription_id, "prescription", "medicine")
            if p.fields.get("status") != "active":
                raise InvalidInput(f"{medicine_name(p.fields)} is not an active medicine.")
            if (p.fields.get("schedule") or {}).get("kind") != "prn":
                raise InvalidInput("That medicine is not a when-required (PRN) one.")
            amount = float(quantity if quantity is not None else p.fields.get("dose_quantity") or 1)
            allowed = _dose_range(p.fields)
            if amount <= 0:
                raise InvalidInput("The amount must be more than 0.", field="quantity")
            if allowed and not allowed[0] <= amount <= allowed[1]:
                raise InvalidInput(
                    f"The dose must be between {allowed[0]:g} and {allowed[1]:g}.",
                    field="quantity",
                )
            doses = self._doses(conn, str(p.resident_id), "prescription_id", p.record_id)
            self._limits(p.fields, doses, at, amount, override_reason)
            witness_id = self._check_witness(
                conn, witness, always=bool(p.fields.get("controlled_drug"))
            )
            record = self._create(
                conn,
                "medication_administration",
                {
                    "resident_id": p.resident_id,
                    "prescription_id": p.record_id,
                    "outcome": "given",
                    "quantity": amount,
                    "prn_reason": reason.strip(),
                    "override_reason": override_reason.strip(),
                    "witness_id": witness_id,
                    "covert_authorisation_ref": p.fields.get("covert_authorisation_ref"),
                    "occurred_at": iso(at),
                },
            )
            if p.fields.get("controlled_drug") and witness_id:
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

    def _limits(
        self,
        fields: dict[str, Any],
        doses: list[PrnDose],
        at: dt.datetime,
        amount: float,
        override: str,
    ) -> None:
        """Too soon or over the maximum: refused, unless a senior gives a reason (kept on the
        dose, in the audit trail, and raised for review by the PRN safety rule)."""
        problems = prn_problems(fields, doses, at, amount)
        if not problems:
            return
        if not override.strip():
            raise PrnLimitReached(
                [p.message for p in problems]
                + ["Give it only if the prescriber or nurse in charge agrees, and say why."]
            )
        if self._user().role not in SENIOR_ROLES:
            raise NotAllowed(
                " ".join(p.message for p in problems)
                + " Only a senior carer, nurse or manager can give it anyway: ask them."
            )

    def awaiting_follow_up(
        self, resident_id: str, *, now: dt.datetime | None = None
    ) -> list[PrnGiven]:
        """The resident's PRN and homely-remedy doses of the last 24 hours without a "did it
        work?" follow-up yet, newest first."""
        self._user()
        now = now or self._now()
        since = iso(now - dt.timedelta(hours=24))
        with self._context.store.read() as conn:
            found = records_repo.for_resident(
                conn,
                resident_id,
                ("medication_administration", "prn_follow_up", "prescription", "homely_remedy"),
            )
            remedies = {r.record_id: r for r in records_repo.by_entity(conn, "homely_remedy")}
        followed = {
            str(r.fields.get("administration_id")) for r in found if r.entity == "prn_follow_up"
        }
        medicines = {r.record_id: r for r in found if r.entity == "prescription"}
        doses = [r for r in found if r.entity == "medication_administration"]
        live = {e.record_id for e in live_events(events(doses))}
        result = []
        for dose in doses:
            f = dose.fields
            if dose.record_id not in live or dose.record_id in followed or not f.get("prn_reason"):
                continue
            if str(f.get("occurred_at", "")) < since:
                continue
            source = medicines.get(str(f.get("prescription_id"))) or remedies.get(
                str(f.get("homely_remedy_id"))
            )
            name = medicine_name(source.fields) if source is not None else "Medicine"
            result.append(
                PrnGiven(
                    dose.record_id,
                    name,
                    str(f.get("occurred_at")),
                    float(f.get("quantity") or 0),
                    str(f.get("prn_reason")),
                    bool(f.get("override_reason")),
                )
            )
        return sorted(result, key=lambda g: (g.given_at, g.administration_id), reverse=True)

    def record_follow_up(self, administration_id: str, effectiveness: str, note: str = "") -> str:
        """Whether a PRN dose worked (usually 30-60 minutes later)."""
        if effectiveness not in EFFECTIVENESS:
            raise InvalidInput("Choose whether it worked.", field="effectiveness")
        with self._context.store.write() as conn:
            dose = self._record(conn, administration_id, "medication_administration", "dose")
            return self._create(
                conn,
                "prn_follow_up",
                {
                    "resident_id": dose.resident_id,
                    "administration_id": administration_id,
                    "effectiveness": effectiveness,
                    "note": note.strip(),
                    "occurred_at": iso(self._now()),
                },
            ).record_id

    def give_homely_remedy(
        self,
        remedy_id: str,
        resident_id: str,
        reason: str,
        *,
        quantity: float = 1,
        override_reason: str = "",
        when: dt.datetime | None = None,
    ) -> str:
        """A homely remedy (signed off by the GP) for a resident, within its limits: at most
        ``max_days`` days running before the GP reviews the resident."""
        if not reason.strip():
            raise InvalidInput("Say why it is needed.", field="prn_reason")
        at = when or self._now()
        with self._context.store.write() as conn:
            self._require_administer(conn)
            remedy = self._record(conn, remedy_id, "homely_remedy", "homely remedy")
            self._check_remedy(remedy, at)
            resident = self._resident(conn, resident_id)
            if resident.status != "admitted":
                raise InvalidInput("This resident is not admitted.")
            doses = self._doses(conn, resident_id, "homely_remedy_id", remedy_id)
            days = int(remedy.fields["max_days"])
            used = {d.given_at.astimezone(UK).date() for d in doses}
            today = at.astimezone(UK).date()
            running = [today - dt.timedelta(days=n) for n in range(1, days + 1)]
            if all(day in used for day in running):
                raise NotAllowed(
                    f"{medicine_name(remedy.fields)} has been given on {days} days running: the "
                    "GP must review the resident before it is given again."
                )
            self._limits(remedy.fields, doses, at, quantity, override_reason)
            return self._create(
                conn,
                "medication_administration",
                {
                    "resident_id": resident_id,
                    "homely_remedy_id": remedy_id,
                    "outcome": "given",
                    "quantity": float(quantity),
                    "prn_reason": reason.strip(),
                    "override_reason": override_reason.strip(),
                    "occurred_at": iso(at),
                },
            ).record_id

    @staticmethod
    def _check_remedy(remedy: StoredRecord, at: dt.datetime) -> None:
        if not remedy.fields.get("active"):
            raise InvalidInput("That homely remedy is no longer in use.")
        signed = remedy.fields.get("gp_signed_off_on")
        if not signed:
            raise NotAllowed("This homely remedy has no GP sign-off yet, so it cannot be given.")
        signed_on = dt.date.fromisoformat(str(signed))
        if at.astimezone(UK).date() - signed_on > GP_SIGN_OFF_VALID:
            raise NotAllowed(
                "The GP sign-off of this homely remedy is over a year old: ask for a review."
            )


def _dose_range(fields: dict[str, Any]) -> tuple[float, float] | None:
    low, high = fields.get("dose_min"), fields.get("dose_max")
    return (float(low), float(high)) if low is not None and high is not None else None
