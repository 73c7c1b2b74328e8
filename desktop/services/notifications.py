"""Statutory notifications: the prompt after an incident (or a DoLS outcome), a draft with
the form's fields filled in from the records, editing it, and marking it sent (never without
when and how) or not needed (never without why). Each draft's id comes from its incident and
type, so two PCs drafting the same notification make one record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services.care_common import (
    CareServiceBase,
    as_input_errors,
    iso,
    now_utc,
    parse_moment,
)
from desktop.services.errors import InvalidInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import notifications as notify
from shared.ids import stable_id
from shared.incidents import KINDS, SEVERITIES, parse_body_map
from shared.notifications import NotificationType, Regulator


@dataclass(frozen=True)
class NotificationView:
    record_id: str
    resident_id: str
    resident_name: str
    incident_id: str | None
    regulator: Regulator
    type: NotificationType
    title: str
    event_at: dt.datetime
    status: str  # draft, sent or not_needed
    fields: dict[str, str]
    labels: dict[str, str]
    missing: tuple[str, ...]
    sent_at: dt.datetime | None
    sent_method: str | None
    sent_reference: str
    status_note: str
    urgency: notify.Urgency
    timescale: str
    written_confirmation_due: dt.date | None

    @property
    def outstanding(self) -> bool:
        return self.status == "draft"


def notification_id(subject_id: str, kind: NotificationType) -> str:
    return stable_id("statutory_notification", subject_id, kind.value)


def _when(iso_text: str) -> str:
    moment = dt.datetime.fromisoformat(iso_text).astimezone()
    return moment.strftime("%d %b %Y %H:%M")


def _yes_no(value: object) -> str:
    return "" if value is None else ("Yes" if value else "No")


class NotificationService(CareServiceBase):
    def draft_for_incident(
        self, incident_id: str, kind: NotificationType | str
    ) -> NotificationView:
        """The draft of ``kind`` for the incident, made now with what the records say, or the
        one already made (on this PC or another)."""
        kind = self._type(kind)
        record_id = notification_id(incident_id, kind)
        with self._writing() as (conn, author):
            existing = records_repo.get(conn, record_id)
            if existing is None:
                incident = records_repo.get(conn, incident_id)
                if incident is None or incident.entity != "incident":
                    raise InvalidInput("That incident is not on this PC.")
                regulator = notify.regulator_for(self._nation(conn))
                known = self._known(conn, incident)
                draft = notify.draft(kind, known)
                existing = self._context.recorder.create(
                    conn,
                    "statutory_notification",
                    {
                        "resident_id": incident.resident_id,
                        "incident_id": incident_id,
                        "regulator": regulator.value,
                        "notification_type": kind.value,
                        "event_at": incident.fields["occurred_at"],
                        "draft": draft.fields,
                    },
                    author,
                    record_id=record_id,
                )
            resident = self._resident(conn, existing.fields["resident_id"])
        return self._view(existing, resident)

    def draft_for_dols(self, dols_id: str) -> NotificationView:
        """The draft telling the regulator of a DoLS application's outcome (§2.3)."""
        kind = NotificationType.DOLS_OUTCOME
        record_id = notification_id(dols_id, kind)
        with self._writing() as (conn, author):
            existing = records_repo.get(conn, record_id)
            if existing is None:
                dols = records_repo.get(conn, dols_id)
                if dols is None or dols.entity != "dols_authorisation":
                    raise InvalidInput("That DoLS application is not on this PC.")
                outcome = str(dols.fields.get("outcome") or "pending")
                due = notify.dols_notifications_due(self._nation(conn), outcome)
                if not due:
                    raise InvalidInput("No notification is due for this DoLS application yet.")
                resident = self._resident(conn, dols.resident_id or "")
                home, now = self._home(conn), now_utc()
                born = resident.get("date_of_birth")
                f = dols.fields
                known = {
                    "service_name": home.get("name"),
                    "person_identifier": "WCN-" + (dols.resident_id or "")[-12:].upper(),
                    "age_range": notify.age_range(dt.date.fromisoformat(born), now.date())
                    if born
                    else None,
                    "event_at": _when(iso(now)),
                    "what_happened": (
                        f"DoLS application {outcome}: applied {f.get('applied_on') or '—'}, "
                        f"authorised {f.get('standard_granted_on') or '—'} to "
                        f"{f.get('standard_ends_on') or '—'} by "
                        f"{f.get('supervisory_body') or 'the supervisory body'}."
                    ),
                    "actions_taken": f.get("conditions"),
                }
                existing = self._context.recorder.create(
                    conn,
                    "statutory_notification",
                    {
                        "resident_id": dols.resident_id,
                        "dols_id": dols_id,
                        "regulator": due[0].regulator.value,
                        "notification_type": kind.value,
                        "event_at": iso(now),
                        "draft": notify.draft(kind, known).fields,
                    },
                    author,
                    record_id=record_id,
                )
            resident = self._resident(conn, existing.fields["resident_id"])
        return self._view(existing, resident)

    def update_draft(self, record_id: str, fields: dict[str, str]) -> NotificationView:
        with self._writing() as (conn, author):
            current = self._record(conn, record_id)
            kind = NotificationType(current.fields["notification_type"])
            labels = notify.field_labels(kind)
            unknown = set(fields) - set(labels)
            if unknown:
                raise InvalidInput(f"The form has no {sorted(unknown)[0]!r}.", field="draft")
            merged = {
                **(current.fields.get("draft") or {}),
                **{k: v.strip() for k, v in fields.items()},
            }
            record = self._context.recorder.update(conn, record_id, {"draft": merged}, author)
            resident = self._resident(conn, record.fields["resident_id"])
        return self._view(record, resident)

    def mark_sent(
        self,
        record_id: str,
        sent_at: dt.datetime | str | None,
        method: str | None,
        *,
        reference: str = "",
        now: dt.datetime | None = None,
    ) -> NotificationView:
        """Marked sent only with the date and time and the way it was sent."""
        moment = parse_moment(sent_at, "sent_at", "time it was sent")
        with self._writing() as (conn, author):
            current = self._record(conn, record_id)
            event_at = dt.datetime.fromisoformat(current.fields["event_at"])
            with as_input_errors():
                notify.check_sent(event_at, moment, method, now or now_utc())
            assert moment is not None
            changes: dict[str, Any] = {
                "status": "sent",
                "sent_at": iso(moment),
                "sent_method": method,
                "sent_reference": reference.strip() or None,
            }
            record = self._context.recorder.update(
                conn, record_id, {k: v for k, v in changes.items() if v is not None}, author
            )
            resident = self._resident(conn, record.fields["resident_id"])
        return self._view(record, resident)

    def mark_not_needed(self, record_id: str, reason: str) -> NotificationView:
        if not reason.strip():
            raise InvalidInput(
                "Say why no notification is needed (for example, who decided).",
                field="status_note",
            )
        with self._writing() as (conn, author):
            self._record(conn, record_id)
            record = self._context.recorder.update(
                conn, record_id, {"status": "not_needed", "status_note": reason.strip()}, author
            )
            resident = self._resident(conn, record.fields["resident_id"])
        return self._view(record, resident)

    def get(self, record_id: str) -> NotificationView:
        with self._context.store.read() as conn:
            record = self._record(conn, record_id)
            resident = self._resident(conn, record.fields["resident_id"])
        return self._view(record, resident)

    def for_incident(self, incident_id: str) -> list[NotificationView]:
        return [n for n in self.all() if n.incident_id == incident_id]

    def all(self, *, now: dt.datetime | None = None) -> list[NotificationView]:
        """Every notification of the home, outstanding first, then the oldest event first."""
        with self._context.store.read() as conn:
            records = records_repo.by_entity(conn, "statutory_notification")
            residents = {r.record_id: r.fields for r in records_repo.by_entity(conn, "resident")}
        views = [
            self._view(r, residents.get(r.fields["resident_id"], {}), now=now) for r in records
        ]
        return sorted(views, key=lambda v: (not v.outstanding, v.event_at))

    def outstanding(self, *, now: dt.datetime | None = None) -> list[NotificationView]:
        return [v for v in self.all(now=now) if v.outstanding]

    # --- helpers ---------------------------------------------------------------------------

    def _type(self, kind: NotificationType | str) -> NotificationType:
        try:
            return NotificationType(kind)
        except ValueError:
            raise InvalidInput(f"{kind!r} is not a kind of notification.") from None

    def _record(self, conn: sa.Connection, record_id: str) -> StoredRecord:
        record = records_repo.get(conn, record_id)
        if record is None or record.entity != "statutory_notification":
            raise InvalidInput("That notification is not on this PC.")
        return record

    def _known(self, conn: sa.Connection, incident: StoredRecord) -> dict[str, str | None]:
        """What the records already say, for the draft."""
        f = incident.fields
        resident = self._resident(conn, incident.resident_id or "")
        home = self._home(conn)
        occurred = dt.datetime.fromisoformat(f["occurred_at"])
        born = resident.get("date_of_birth")
        admissions = records_repo.for_resident(
            conn, incident.resident_id or "", ("admission_assessment",)
        )
        admitted = [a for a in admissions if a.fields.get("stage") == "admission"]
        marks = parse_body_map(f.get("body_map"))
        injury = [SEVERITIES.get(str(f.get("severity")), "")] if f.get("severity") else []
        if f.get("pressure_ulcer_grade"):
            injury.append(f"Pressure ulcer, grade {f['pressure_ulcer_grade']}")
        injury += [f"{m.side.capitalize()} of body: {m.description}" for m in marks]
        return {
            "service_name": home.get("name"),
            "person_identifier": "WCN-" + (incident.resident_id or "")[-12:].upper(),
            "age_range": notify.age_range(dt.date.fromisoformat(born), occurred.date())
            if born
            else None,
            "event_at": _when(f["occurred_at"]),
            "what_happened": f"{KINDS[f['kind']]}: {f.get('description', '')}",
            "actions_taken": f.get("immediate_actions"),
            "injury": "; ".join(i for i in injury if i),
            "safeguarding_referral": _yes_no(f.get("safeguarding_referral")),
            "place_of_death": f.get("location"),
            "date_admitted": admitted[-1].occurred_at[:10]
            if admitted and admitted[-1].occurred_at
            else None,
        }

    def _view(
        self, record: StoredRecord, resident: dict[str, Any], *, now: dt.datetime | None = None
    ) -> NotificationView:
        f = record.fields
        kind = NotificationType(f["notification_type"])
        regulator = Regulator(f["regulator"])
        fields = {k: str(v) for k, v in (f.get("draft") or {}).items()}
        event_at = dt.datetime.fromisoformat(f["event_at"])
        sent_at = dt.datetime.fromisoformat(f["sent_at"]) if f.get("sent_at") else None
        method = f.get("sent_method")
        name = f"{resident.get('first_name', '')} {resident.get('last_name', '')}".strip()
        return NotificationView(
            record.record_id,
            f["resident_id"],
            name,
            f.get("incident_id"),
            regulator,
            kind,
            notify.TYPE_LABELS[kind],
            event_at,
            f.get("status") or "draft",
            fields,
            notify.field_labels(kind),
            notify.missing_fields(kind, fields),
            sent_at,
            method,
            f.get("sent_reference") or "",
            f.get("status_note") or "",
            notify.urgency(event_at, now or now_utc(), sent_at),
            notify.TIMESCALES[regulator],
            notify.written_confirmation_due(regulator, method, sent_at)
            if sent_at and method
            else None,
        )
