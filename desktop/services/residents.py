"""Residents of this PC's home: the list with alerts, the profile, admission changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.session import SessionService
from desktop.store import records as records_repo
from desktop.sync.errors import PermissionDenied
from desktop.sync.local_changes import Author
from shared import nhs_number
from shared.entities import ENTITIES, FieldError

CLINICAL_EVENTS = ("care_note", "observation")


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
        self, *, include_discharged: bool = False, now: dt.datetime | None = None
    ) -> list[ResidentSummary]:
        now = now or dt.datetime.now(dt.UTC)
        today = now.astimezone().date().isoformat()
        with self._context.store.read() as conn:
            units = {u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")}
            residents = records_repo.by_entity(conn, "resident")
            shown = [
                r.record_id
                for r in residents
                if include_discharged or r.fields.get("status") == "admitted"
            ]
            latest = records_repo.latest_event_time_by_resident(conn, CLINICAL_EVENTS, shown)
        summaries = []
        for r in residents:
            f = r.fields
            if f.get("status") != "admitted" and not include_discharged:
                continue
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
        cleaned = dict(changes)
        if cleaned.get("nhs_number"):
            problem = nhs_number.validation_error(str(cleaned["nhs_number"]))
            if problem:
                raise InvalidInput(problem, field="nhs_number")
            cleaned["nhs_number"] = nhs_number.normalise(str(cleaned["nhs_number"]))
        if cleaned.get("date_of_birth"):
            try:
                born = dt.date.fromisoformat(str(cleaned["date_of_birth"]))
            except ValueError:
                raise InvalidInput("Date of birth must be a date.", field="date_of_birth") from None
            if born > dt.date.today():
                raise InvalidInput("Date of birth cannot be in the future.", field="date_of_birth")
        try:
            with self._context.store.write() as conn:
                record = self._context.recorder.update(
                    conn, resident_id, cleaned, Author(user.user_id, user.role)
                )
                units = {
                    u.record_id: u.fields["name"] for u in records_repo.by_entity(conn, "unit")
                }
        except PermissionDenied as exc:
            raise NotAllowed(exc.message) from None
        except FieldError as exc:
            raise InvalidInput(str(exc), field=exc.field) from None
        return ResidentProfile(
            resident_id,
            record.fields,
            units.get(record.fields.get("unit_id", ""), ""),
            alerts_for(record.fields),
        )

    def discharge(self, resident_id: str) -> ResidentProfile:
        return self.update_profile(resident_id, {"status": "discharged"})


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
