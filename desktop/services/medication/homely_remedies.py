"""The home's list of homely remedies (medicines bought over the counter that staff may give
without a prescription, within the limits the GP signed off): listing, adding and recording
the GP's sign-off. Giving one is in ``prn``."""

from __future__ import annotations

import datetime as dt

from desktop.services.errors import InvalidInput
from desktop.services.medication.common import MedicationBase
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord


class HomelyRemedyList(MedicationBase):
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
