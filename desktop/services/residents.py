"""Residents of this PC's home: the list with alerts, the profile, and the changes of
admission: admitting (or recording a prospective resident for pre-admission, then admitting
them), moving to another unit or room, and discharge.

A prospective resident is a resident record with status "prospective": on this PC for the
pre-admission assessment, but not on the floor lists (residents, medicines, dashboard)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, NeedsConfirmation, NotAllowed
from desktop.services.session import SessionService
from desktop.store import records as records_repo
from desktop.sync.errors import PermissionDenied
from desktop.sync.local_changes import Author
from shared import nhs_number
from shared.entities import ENTITIES, FieldError
from shared.entities.core import DISCHARGE_REASONS

CLINICAL_EVENTS = ("care_note", "observation")
REQUIRED = {
    "first_name": "Write the first name.",
    "last_name": "Write the surname.",
    "date_of_birth": "Enter the date of birth.",
    "unit_id": "Choose the unit.",
}
OLDEST_YEARS = 120  # a date of birth further back is refused as a mistake
DISCHARGE_BACKDATE_DAYS = 31  # a discharge recorded later than this is a date typed wrong


@dataclass(frozen=True)
class ResidentSummary:
    resident_id: str
    display_name: str
    full_name: str
    initials: str
    room: str
    unit_id: str
    unit_name: str
    nhs_number: str
    status: str
    alerts: tuple[str, ...]
    seen_today: bool
    last_recorded_at: str | None


@dataclass(frozen=True)
class UnitOption:
    unit_id: str
    name: str


@dataclass(frozen=True)
class ResidentProfile:
    resident_id: str
    fields: dict[str, Any]
    unit_name: str
    alerts: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return _display_name(self.fields)


def _display_name(f: dict[str, Any]) -> str:
    preferred = f.get("preferred_name") or f.get("first_name", "")
    return f"{preferred} {f.get('last_name', '')}".strip()


def alerts_for(f: dict[str, Any]) -> tuple[str, ...]:
    alerts = []
    allergies = (f.get("allergies") or "").strip()
    if allergies and allergies.lower() not in ("none known", "nkda", "none"):
        alerts.append(f"Allergy: {allergies}")
    if f.get("dnacpr"):
        alerts.append("DNACPR")
    if f.get("falls_risk"):
        alerts.append("Falls risk")
    diet = (f.get("diet") or "").strip()
    if diet and diet.lower() != "normal":
        alerts.append(f"Diet: {diet}")
    return tuple(alerts)


class ResidentService:
    def __init__(self, context: AppContext, session: SessionService) -> None:
        self._context = context
        self._session = session

    def list_residents(
        self,
        *,
        include_discharged: bool = False,
        now: dt.datetime | None = None,
        statuses: tuple[str, ...] = ("admitted",),
    ) -> list[ResidentSummary]:
        """The residents with these statuses (admitted by default), by unit and room."""
        now = now or dt.datetime.now(dt.UTC)
        today = now.astimezone().date().isoformat()
        wanted = (*statuses, "discharged") if include_discharged else statuses
        with self._context.store.read() as conn:
            units = {u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")}
            residents = [
                r
                for r in records_repo.by_entity(conn, "resident")
                if r.fields.get("status") in wanted
            ]
            shown = [r.record_id for r in residents]
            latest = records_repo.latest_event_time_by_resident(conn, CLINICAL_EVENTS, shown)
        summaries = []
        for r in residents:
            f = r.fields
            last = latest.get(r.record_id)
            seen_today = last is not None and _local_date(last) == today
            summaries.append(
                ResidentSummary(
                    r.record_id,
                    _display_name(f),
                    f"{f.get('first_name', '')} {f.get('last_name', '')}".strip(),
                    (f.get("first_name", " ")[:1] + f.get("last_name", " ")[:1]).upper(),
                    str(f.get("room") or ""),
                    f.get("unit_id", ""),
                    units.get(f.get("unit_id", ""), ""),
                    f.get("nhs_number") or "",
                    f.get("status", ""),
                    alerts_for(f),
                    seen_today,
                    last,
                )
            )
        return sorted(summaries, key=lambda s: (s.unit_name, _room_key(s.room), s.display_name))

    def get(self, resident_id: str) -> ResidentProfile:
        """The profile; opening it is recorded (who saw whose record is audited centrally)."""
        user = self._session.require()
        with self._context.store.write() as conn:
            record = records_repo.get(conn, resident_id)
            if record is None or record.entity != "resident":
                raise InvalidInput("That resident is not on this PC.")
            units = {u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")}
            self._context.recorder.create(
                conn,
                "record_view",
                {"resident_id": resident_id, "occurred_at": _now_iso()},
                Author(user.user_id, user.role),
                check_permission=False,
            )
        return ResidentProfile(
            resident_id,
            record.fields,
            units.get(record.fields.get("unit_id", ""), ""),
            alerts_for(record.fields),
        )

    def refresh(self, resident_id: str) -> ResidentProfile:
        """The profile of a record already opened with ``get()``, read again (after a sync, say)
        without recording another view: the screen showing it has not been opened again."""
        self._session.require()
        with self._context.store.read() as conn:
            record = records_repo.get(conn, resident_id)
            if record is None or record.entity != "resident":
                raise InvalidInput("That resident is not on this PC.")
            units = {u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")}
        return ResidentProfile(
            resident_id,
            record.fields,
            units.get(record.fields.get("unit_id", ""), ""),
            alerts_for(record.fields),
        )

    def update_profile(self, resident_id: str, changes: dict[str, Any]) -> ResidentProfile:
        user = self._session.require()
        cleaned = check_profile(changes, creating=False)
        try:
            with self._context.store.write() as conn:
                record = self._context.recorder.update(
                    conn, resident_id, cleaned, Author(user.user_id, user.role)
                )
                units = {
                    u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")
                }
        except PermissionDenied as exc:
            raise NotAllowed(_not_allowed(exc.message)) from None
        except FieldError as exc:
            raise InvalidInput(_sentence(str(exc)), field=exc.field) from None
        return ResidentProfile(
            resident_id,
            record.fields,
            units.get(record.fields.get("unit_id", ""), ""),
            alerts_for(record.fields),
        )

    def prospective(self) -> list[ResidentSummary]:
        """People assessed before admission: listed apart, never on the floor lists."""
        return self.list_residents(statuses=("prospective",))

    def units(self) -> list[UnitOption]:
        with self._context.store.read() as conn:
            units = records_repo.by_entity(conn, "unit")
        return sorted((UnitOption(u.record_id, u.fields["name"]) for u in units), key=_unit_key)

    def admit(
        self, values: dict[str, Any], *, prospective: bool = False, confirmed: bool = False
    ) -> ResidentProfile:
        """A new resident: admitted now, or ``prospective`` (coming for a pre-admission
        assessment). Managers and seniors only. A room already taken asks for confirmation
        (a shared room is possible)."""
        user = self._session.require()
        cleaned = check_profile(values, creating=True)
        cleaned["status"] = "prospective" if prospective else "admitted"
        if not prospective and not confirmed:
            self._check_room_free(None, cleaned.get("unit_id"), cleaned.get("room"))
        try:
            with self._context.store.write() as conn:
                record = self._context.recorder.create(
                    conn, "resident", cleaned, Author(user.user_id, user.role)
                )
        except PermissionDenied as exc:
            raise NotAllowed(_not_allowed(exc.message)) from None
        except FieldError as exc:
            raise InvalidInput(_sentence(str(exc)), field=exc.field) from None
        return self.refresh(record.record_id)

    def admit_prospective(
        self,
        resident_id: str,
        *,
        unit_id: str | None = None,
        room: str | None = None,
        confirmed: bool = False,
    ) -> ResidentProfile:
        """A prospective resident arrives: admitted, into the unit and room given (or the ones
        recorded at pre-admission)."""
        current = self.refresh(resident_id)
        if current.fields.get("status") != "prospective":
            raise InvalidInput("Only a prospective resident can be admitted.", field="status")
        changes: dict[str, Any] = {"status": "admitted"}
        if unit_id:
            changes["unit_id"] = unit_id
        if room is not None:
            changes["room"] = room.strip() or None
        if not confirmed:
            self._check_room_free(
                resident_id,
                changes.get("unit_id", current.fields.get("unit_id")),
                changes.get("room", current.fields.get("room")),
            )
        return self.update_profile(resident_id, changes)

    def transfer(
        self, resident_id: str, unit_id: str, room: str, *, confirmed: bool = False
    ) -> ResidentProfile:
        """Move a resident to another unit or room of this home."""
        current = self.refresh(resident_id)
        if current.fields.get("status") != "admitted":
            raise InvalidInput("Only an admitted resident can move rooms.", field="unit_id")
        if not unit_id:
            raise InvalidInput(REQUIRED["unit_id"], field="unit_id")
        room = room.strip()
        if not room:
            raise InvalidInput("Write the room they are moving to.", field="room")
        f = current.fields
        if unit_id == f.get("unit_id") and room == str(f.get("room") or ""):
            raise InvalidInput("That is the room they are in now.", field="room")
        if not confirmed:
            self._check_room_free(resident_id, unit_id, room)
        return self.update_profile(resident_id, {"unit_id": unit_id, "room": room})

    def discharge(
        self, resident_id: str, reason: str, *, on: dt.date | None = None, note: str = ""
    ) -> ResidentProfile:
        """Discharged (left the home or died) on a day, with why (``DISCHARGE_REASONS``): off
        every list; records made for them after this on another PC raise a review item."""
        current = self.refresh(resident_id)
        if current.fields.get("status") == "discharged":
            raise InvalidInput("This resident has already been discharged.", field="status")
        if reason not in DISCHARGE_REASONS:
            raise InvalidInput("Choose why they left.", field="discharge_reason")
        note = note.strip()
        if reason == "other" and not note:
            raise InvalidInput("Say where they went.", field="discharge_note")
        today = dt.date.today()
        day = on or today
        if day > today:
            raise InvalidInput("The discharge date cannot be in the future.", field="discharged_on")
        if day < today - dt.timedelta(days=DISCHARGE_BACKDATE_DAYS):
            raise InvalidInput(
                f"That date is more than {DISCHARGE_BACKDATE_DAYS} days ago: check it.",
                field="discharged_on",
            )
        return self.update_profile(
            resident_id,
            {
                "status": "discharged",
                "discharged_on": day.isoformat(),
                "discharge_reason": reason,
                "discharge_note": note or None,
            },
        )

    def _check_room_free(self, resident_id: str | None, unit_id: object, room: object) -> None:
        if not unit_id or not room:
            return
        with self._context.store.read() as conn:
            others = [
                r
                for r in records_repo.by_entity(conn, "resident")
                if r.record_id != resident_id
                and r.fields.get("status") == "admitted"
                and r.fields.get("unit_id") == unit_id
                and str(r.fields.get("room") or "").lower() == str(room).lower()
            ]
        if others:
            names = ", ".join(_display_name(r.fields) for r in others)
            raise NeedsConfirmation([f"Room {room} is already {names}'s room. Share it?"])


def check_profile(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The profile's values tidied and checked, each problem naming its field: required
    fields present, the NHS number passing its modulus-11 check, the date of birth a real
    date, not in the future and not impossibly long ago."""
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    for name, message in REQUIRED.items():
        if (creating or name in cleaned) and not cleaned.get(name):
            raise InvalidInput(message, field=name)
    for name, value in list(cleaned.items()):
        if value == "" and name not in REQUIRED:
            cleaned[name] = None
    if cleaned.get("nhs_number"):
        problem = nhs_number.validation_error(str(cleaned["nhs_number"]))
        if problem:
            raise InvalidInput(problem, field="nhs_number")
        cleaned["nhs_number"] = nhs_number.normalise(str(cleaned["nhs_number"]))
    born_value = cleaned.get("date_of_birth")
    if born_value:
        if isinstance(born_value, dt.date):
            born = born_value
        else:
            try:
                born = dt.date.fromisoformat(str(born_value))
            except ValueError:
                raise InvalidInput(
                    "Date of birth must be a date like 1938-04-21.", field="date_of_birth"
                ) from None
        today = dt.date.today()
        if born > today:
            raise InvalidInput("Date of birth cannot be in the future.", field="date_of_birth")
        if born.year < today.year - OLDEST_YEARS:
            raise InvalidInput(
                f"That date of birth is more than {OLDEST_YEARS} years ago: check the year.",
                field="date_of_birth",
            )
        cleaned["date_of_birth"] = born.isoformat()
    return cleaned


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _not_allowed(message: str) -> str:
    if "may not create resident" in message or "may not change the" in message:
        return "Only a senior carer, nurse or manager can admit, move or discharge residents."
    return message


def _unit_key(unit: UnitOption) -> str:
    return unit.name.lower()


def _room_key(room: str) -> tuple[int, str]:
    digits = "".join(ch for ch in room if ch.isdigit())
    return (int(digits) if digits else 1 << 30, room)


def _local_date(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().date().isoformat()
    except ValueError:
        return ""


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


_ = ENTITIES
