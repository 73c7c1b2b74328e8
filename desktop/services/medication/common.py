"""What every medication service shares: who may do what, tenant settings, the resident as a
medicine round shows them, and recording a record with its errors in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.session import CurrentUser, SessionService, VerifiedWitness
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from desktop.sync.errors import PermissionDenied
from desktop.sync.local_changes import Author
from shared.entities import FieldError
from shared.medication.ledger import Event
from shared.permissions import SENIOR_ROLES

WITNESS_SETTING = "medication_witness_required"
CARE_ASSISTANTS_SETTING = "medication_care_assistants_administer"
NO_ALLERGY_WORDS = ("none known", "nkda", "none", "no known allergies")


class AlreadyRecorded(InvalidInput):
    """This dose is already recorded on this PC."""

    code = "already_recorded"


@dataclass(frozen=True)
class ResidentInfo:
    resident_id: str
    name: str
    initials: str
    room: str
    unit_id: str
    date_of_birth: str
    nhs_number: str
    allergies: str  # "Allergy: penicillin", "No known allergies" or "Allergies not recorded"
    status: str


def allergy_text(fields: dict[str, Any]) -> str:
    allergies = str(fields.get("allergies") or "").strip()
    if not allergies:
        return "Allergies not recorded"
    if allergies.lower() in NO_ALLERGY_WORDS:
        return "No known allergies"
    return f"Allergy: {allergies}"


def resident_info(record: StoredRecord) -> ResidentInfo:
    f = record.fields
    preferred = f.get("preferred_name") or f.get("first_name", "")
    return ResidentInfo(
        record.record_id,
        f"{preferred} {f.get('last_name', '')}".strip(),
        (str(f.get("first_name", " "))[:1] + str(f.get("last_name", " "))[:1]).upper(),
        str(f.get("room") or ""),
        str(f.get("unit_id") or ""),
        str(f.get("date_of_birth") or ""),
        str(f.get("nhs_number") or ""),
        allergy_text(f),
        str(f.get("status") or ""),
    )


def medicine_name(fields: dict[str, Any]) -> str:
    return f"{fields.get('medicine', '')} {fields.get('strength') or ''}".strip()


def events(records: list[StoredRecord]) -> list[Event]:
    return [Event(r.record_id, r.fields) for r in records]


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class MedicationBase:
    """Base of the medication services: the store, the signed-in person, the checks."""

    def __init__(
        self,
        context: AppContext,
        session: SessionService,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._context = context
        self._session = session
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    def _user(self) -> CurrentUser:
        return self._session.require()

    def _require_senior(self, what: str) -> CurrentUser:
        user = self._user()
        if user.role not in SENIOR_ROLES:
            raise NotAllowed(f"Only a senior carer, nurse or manager can {what}.")
        return user

    def _require_administer(self, conn: sa.Connection) -> CurrentUser:
        user = self._user()
        if user.role in SENIOR_ROLES:
            return user
        if user.role == "care_assistant" and setting(conn, CARE_ASSISTANTS_SETTING, False):
            return user
        raise NotAllowed(
            "Only staff assessed as competent can record medicines here: ask the senior or "
            "nurse on duty."
        )

    def _check_witness(
        self, conn: sa.Connection, witness: VerifiedWitness | None, *, always: bool = False
    ) -> str | None:
        needed = always or bool(setting(conn, WITNESS_SETTING, False))
        if witness is None:
            if needed:
                raise InvalidInput(
                    "A second member of staff must witness this: ask them to confirm with "
                    "their password or PIN.",
                    field="witness",
                )
            return None
        if witness.user_id == self._user().user_id:
            raise InvalidInput("The witness must be someone else.", field="witness")
        return witness.user_id

    def _create(
        self,
        conn: sa.Connection,
        entity: str,
        fields: dict[str, Any],
        *,
        record_id: str | None = None,
    ) -> StoredRecord:
        user = self._user()
        clean = {k: v for k, v in fields.items() if v is not None and v != ""}
        try:
            return self._context.recorder.create(
                conn, entity, clean, Author(user.user_id, user.role), record_id=record_id
            )
        except PermissionDenied as exc:
            raise NotAllowed(exc.message) from None
        except FieldError as exc:
            raise InvalidInput(str(exc), field=exc.field) from None

    def _update(self, conn: sa.Connection, record_id: str, fields: dict[str, Any]) -> StoredRecord:
        user = self._user()
        try:
            return self._context.recorder.update(
                conn, record_id, fields, Author(user.user_id, user.role)
            )
        except PermissionDenied as exc:
            raise NotAllowed(exc.message) from None
        except FieldError as exc:
            raise InvalidInput(str(exc), field=exc.field) from None

    def _record(self, conn: sa.Connection, record_id: str, entity: str, what: str) -> StoredRecord:
        found = records_repo.get(conn, record_id)
        if found is None or found.entity != entity:
            raise InvalidInput(f"That {what} is not on this PC.")
        return found

    def _resident(self, conn: sa.Connection, resident_id: str) -> ResidentInfo:
        return resident_info(self._record(conn, resident_id, "resident", "resident"))


def setting(conn: sa.Connection, key: str, default: Any) -> Any:
    record = records_repo.setting(conn, key)
    return default if record is None else record.fields.get("value")


def staff_names(conn: sa.Connection) -> dict[str, str]:
    return {
        r.record_id: str(r.fields.get("display_name", ""))
        for r in records_repo.by_entity(conn, "staff_user")
    }


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:3]).upper() or "?"
