"""Incidents: record what happened with a body map; after a fall, the observations due over the
next 24 hours and their recording; the manager's review with actions; and which statutory
notifications the incident calls for in this home's nation (the prompt shown on saving)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from desktop.services.care_common import (
    CareServiceBase,
    as_input_errors,
    check_not_future,
    iso,
    now_utc,
    parse_date,
)
from desktop.services.errors import InvalidInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import incidents as inc
from shared import notifications as notify
from shared.incidents import BodyMark, ObservationProgress
from shared.notifications import DueNotification

YES_NO_FIELDS = (
    "witnessed",
    "head_injury",
    "anticoagulants",
    "lasting_harm",
    "developed_after_admission",
    "harm_caused",
    "resident_died",
    "abuse_alleged",
    "safeguarding_referral",
    "police_involved",
)


@dataclass(frozen=True)
class IncidentInput:
    kind: str
    description: str
    occurred_at: dt.datetime
    location: str = ""
    severity: str | None = None
    witnessed: bool | None = None
    head_injury: bool | None = None
    anticoagulants: bool | None = None
    lasting_harm: bool | None = None
    pressure_ulcer_grade: int | None = None
    developed_after_admission: bool | None = None
    harm_caused: bool | None = None
    resident_died: bool | None = None
    abuse_alleged: bool | None = None
    safeguarding_referral: bool | None = None
    police_involved: bool | None = None
    other_events: tuple[str, ...] = ()
    body_map: tuple[BodyMark, ...] = ()
    immediate_actions: str = ""


@dataclass(frozen=True)
class IncidentView:
    record_id: str
    resident_id: str
    kind: str
    kind_label: str
    occurred_at: str
    description: str
    fields: dict[str, Any]
    body_map: tuple[BodyMark, ...]
    author_id: str | None
    reviewed: bool
    closed: bool
    schedule: tuple[dt.datetime, ...] = field(default=())  # post-fall observations


@dataclass(frozen=True)
class IncidentSaved:
    incident: IncidentView
    notifications: tuple[DueNotification, ...]


def facts_of(fields: dict[str, Any]) -> notify.IncidentFacts:
    occurred = dt.datetime.fromisoformat(str(fields["occurred_at"]))
    return notify.IncidentFacts(
        kind=fields["kind"],
        occurred_at=occurred,
        severity=fields.get("severity"),
        lasting_harm=bool(fields.get("lasting_harm")),
        pressure_ulcer_grade=fields.get("pressure_ulcer_grade"),
        developed_after_admission=fields.get("developed_after_admission"),
        resident_died=bool(fields.get("resident_died")),
        abuse_alleged=bool(fields.get("abuse_alleged")),
        safeguarding_referral=bool(fields.get("safeguarding_referral")),
        police_involved=bool(fields.get("police_involved")),
        harm_caused=bool(fields.get("harm_caused")),
        other_events=frozenset(fields.get("other_events") or ()),
    )


def schedule_of(fields: dict[str, Any]) -> tuple[dt.datetime, ...]:
    if fields.get("kind") != "fall" or fields.get("resident_died"):
        return ()
    head = inc.head_injury_possible(
        witnessed=fields.get("witnessed"),
        head_injury=bool(fields.get("head_injury")),
        anticoagulants=bool(fields.get("anticoagulants")),
    )
    fall_at = dt.datetime.fromisoformat(str(fields["occurred_at"]))
    return inc.post_fall_schedule(fall_at, head_injury=head)


def _check(data: IncidentInput) -> dict[str, Any]:
    if data.kind not in inc.KINDS:
        raise InvalidInput(f"{data.kind!r} is not a kind of incident.", field="kind")
    if not data.description.strip():
        raise InvalidInput("Describe what happened.", field="description")
    check_not_future(data.occurred_at, "occurred_at", "time of the incident")
    unknown = set(data.other_events) - set(notify.OTHER_EVENTS)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]!r} is not a listed event.", field="other_events")
    with as_input_errors():
        inc.check_severity(data.severity)
        inc.check_pressure_ulcer(data.kind, data.pressure_ulcer_grade)
        marks = inc.parse_body_map(list(data.body_map))
    if data.kind == "fall" and data.witnessed is None:
        raise InvalidInput("Say whether anyone saw the fall.", field="witnessed")
    grade = data.pressure_ulcer_grade
    if grade is not None and grade >= 3 and data.developed_after_admission is None:
        raise InvalidInput(
            "Say whether this pressure ulcer developed after admission.",
            field="developed_after_admission",
        )
    fields: dict[str, Any] = {
        "kind": data.kind,
        "description": data.description.strip(),
        "location": data.location.strip() or None,
        "severity": data.severity,
        "pressure_ulcer_grade": grade,
        "other_events": sorted(data.other_events) or None,
        "body_map": [m.as_json() for m in marks] or None,
        "immediate_actions": data.immediate_actions.strip() or None,
        "occurred_at": iso(data.occurred_at),
    }
    for name in YES_NO_FIELDS:
        fields[name] = getattr(data, name)
    return {k: v for k, v in fields.items() if v is not None}


class IncidentService(CareServiceBase):
    def record(self, resident_id: str, data: IncidentInput) -> IncidentSaved:
        """Save the incident; the reply lists the notifications it calls for."""
        fields = {"resident_id": resident_id, **_check(data)}
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            nation = self._nation(conn)
            record = self._context.recorder.create(conn, "incident", fields, author)
        due = notify.notifications_due(facts_of(record.fields), nation)
        return IncidentSaved(self._view(record, reviews=[]), due)

    def notifications_due(self, incident_id: str) -> tuple[DueNotification, ...]:
        with self._context.store.read() as conn:
            record = self._record(conn, incident_id)
            nation = self._nation(conn)
        return notify.notifications_due(facts_of(record.fields), nation)

    def get(self, incident_id: str) -> IncidentView:
        with self._context.store.read() as conn:
            record = self._record(conn, incident_id)
            reviews = records_repo.for_resident(
                conn, record.resident_id or "", ("incident_review",)
            )
        return self._view(record, reviews)

    def incidents(self, resident_id: str) -> list[IncidentView]:
        """The resident's incidents, newest first."""
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("incident", "incident_review"))
        reviews = [e for e in events if e.entity == "incident_review"]
        return [self._view(e, reviews) for e in events if e.entity == "incident"]

    # --- after a fall ----------------------------------------------------------------------

    def observation_progress(
        self, incident_id: str, *, now: dt.datetime | None = None
    ) -> ObservationProgress:
        with self._context.store.read() as conn:
            record = self._record(conn, incident_id)
            done = self._observations_done(conn, record)
        return inc.observation_progress(schedule_of(record.fields), done, now or now_utc())

    def record_observation(
        self, incident_id: str, due_at: dt.datetime, findings: str, *, concern: bool = False
    ) -> str:
        if not findings.strip():
            raise InvalidInput(
                "Record what you observed (for example alert, pain, any change).",
                field="findings",
            )
        with self._context.store.read() as conn:
            record = self._record(conn, incident_id)
        if due_at not in schedule_of(record.fields):
            raise InvalidInput("No observation is due at that time for this fall.", field="due_at")
        with self._writing() as (conn, author):
            return self._context.recorder.create(
                conn,
                "post_fall_observation",
                {
                    "resident_id": record.resident_id,
                    "incident_id": incident_id,
                    "due_at": iso(due_at),
                    "findings": findings.strip(),
                    "concern": concern,
                    "occurred_at": iso(now_utc()),
                },
                author,
            ).record_id

    # --- the manager's review --------------------------------------------------------------

    def review(
        self,
        incident_id: str,
        findings: str,
        *,
        actions: list[dict[str, str]] | None = None,
        lessons: str = "",
        closed: bool = False,
    ) -> str:
        if not findings.strip():
            raise InvalidInput("Write what the review found.", field="findings")
        cleaned = []
        for index, action in enumerate(actions or [], start=1):
            what = (action.get("action") or "").strip()
            if not what:
                raise InvalidInput(f"Action {index}: say what is to be done.", field="actions")
            due = parse_date(action.get("due_on"), "actions", "action's due date")
            cleaned.append(
                {
                    "action": what,
                    "owner": (action.get("owner") or "").strip(),
                    "due_on": due.isoformat() if due else None,
                }
            )
        with self._context.store.read() as conn:
            record = self._record(conn, incident_id)
        with self._writing() as (conn, author):
            return self._context.recorder.create(
                conn,
                "incident_review",
                {
                    "resident_id": record.resident_id,
                    "incident_id": incident_id,
                    "findings": findings.strip(),
                    "actions": cleaned or None,
                    "lessons": lessons.strip() or None,
                    "closed": closed,
                    "occurred_at": iso(now_utc()),
                },
                author,
            ).record_id

    # --- helpers ---------------------------------------------------------------------------

    def _record(self, conn: Any, incident_id: str) -> StoredRecord:
        record = records_repo.get(conn, incident_id)
        if record is None or record.entity != "incident":
            raise InvalidInput("That incident is not on this PC.")
        return record

    def _observations_done(self, conn: Any, record: StoredRecord) -> list[dt.datetime]:
        events = records_repo.for_resident(
            conn, record.resident_id or "", ("post_fall_observation",)
        )
        return [
            dt.datetime.fromisoformat(e.fields["due_at"])
            for e in events
            if e.fields.get("incident_id") == record.record_id
        ]

    def _view(self, record: StoredRecord, reviews: list[StoredRecord]) -> IncidentView:
        f = record.fields
        mine = [r for r in reviews if r.fields.get("incident_id") == record.record_id]
        return IncidentView(
            record.record_id,
            record.resident_id or "",
            f["kind"],
            inc.KINDS[f["kind"]],
            record.occurred_at or "",
            f.get("description", ""),
            dict(f),
            inc.parse_body_map(f.get("body_map")),
            record.user_id,
            bool(mine),
            any(r.fields.get("closed") for r in mine),
            schedule_of(f),
        )
