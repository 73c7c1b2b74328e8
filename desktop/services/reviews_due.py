"""The reviews-due dashboard for managers: everything with a date that needs a person across
the home, overdue first. Care plan reviews, reviews proposed by a changed assessment,
assessment re-scores, falls assessments after a fall, DoLS expiries and renewals, post-fall
observations, incidents waiting for a manager's review, statutory notifications outstanding
(including those called for but not yet drafted), and ReSPECT review dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.services.capacity import dols_record
from desktop.services.care_common import CareServiceBase, local_today, now_utc, resident_name
from desktop.services.incidents import facts_of, schedule_of
from desktop.services.notifications import notification_id
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import assessment_records as ar
from shared import care_plans as cp
from shared import incidents as inc
from shared import notifications as notify
from shared.capacity import dols_position
from shared.care_plans import ReviewState

# Adds an item: kind, resident id, what to do, when it is due, the subject's id.
Add = Callable[[str, str, str, dt.datetime | None, str], None]
SOON = dt.timedelta(days=7)
FALLS_ASSESSMENT_WITHIN = dt.timedelta(hours=24)  # policy [U]: NICE says "after a fall"
RECENT_INCIDENTS = dt.timedelta(days=90)  # older incidents are not re-checked for prompts

KIND_LABELS = {
    "care_plan": "Care plan review",
    "proposed": "Care plan review",
    "rescore": "Assessment due",
    "falls": "Falls assessment",
    "dols": "DoLS",
    "observations": "Post-fall observations",
    "incident_review": "Incident review",
    "notification": "Notification",
    "respect": "ReSPECT review",
}


@dataclass(frozen=True)
class DueItem:
    kind: str
    resident_id: str
    resident_name: str
    room: str
    what: str
    due: dt.datetime | None
    overdue: bool
    subject_id: str  # the area, incident, notification or DoLS record concerned

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0)).astimezone(dt.UTC)


def _parse(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class ReviewsDueService(CareServiceBase):
    def dashboard(self, *, now: dt.datetime | None = None) -> list[DueItem]:
        now = now or now_utc()
        today = local_today(now)
        with self._context.store.read() as conn:
            every = {
                name: records_repo.by_entity(conn, name)
                for name in (
                    "resident",
                    "care_plan_section",
                    "care_plan_revision",
                    "assessment",
                    "incident",
                    "incident_review",
                    "post_fall_observation",
                    "statutory_notification",
                    "dols_authorisation",
                    "respect_record",
                )
            }
            nation = self._nation(conn)
        residents = {
            r.record_id: r.fields for r in every["resident"] if r.fields.get("status") == "admitted"
        }
        items: list[DueItem] = []

        def add(
            kind: str, resident_id: str, what: str, due: dt.datetime | None, subject: str
        ) -> None:
            f = residents.get(resident_id)
            if f is None:
                return  # discharged: nothing is due
            overdue = due is not None and due < now
            items.append(
                DueItem(
                    kind,
                    resident_id,
                    resident_name(f),
                    str(f.get("room") or ""),
                    what,
                    due,
                    overdue,
                    subject,
                )
            )

        self._care_plans(every, today, add)
        self._assessments(every, residents, now, add)
        self._incidents(every, nation, now, add)
        notified = {n.record_id for n in every["statutory_notification"]}
        for record in every["dols_authorisation"]:
            self._dols(record, today, add)
            outcome = str(record.fields.get("outcome") or "pending")
            for due in notify.dols_notifications_due(nation, outcome):
                if notification_id(record.record_id, due.type) not in notified:
                    add(
                        "notification",
                        record.resident_id or "",
                        f"Draft and send: {due.title} ({due.timescale})",
                        None,
                        record.record_id,
                    )
        for record in every["respect_record"]:
            review = _parse(record.fields.get("review_on"))
            if review is not None and review.date() - today <= SOON:
                add(
                    "respect",
                    record.resident_id or "",
                    "Review the ReSPECT form.",
                    _start_of(review.date()),
                    record.record_id,
                )
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return sorted(items, key=lambda i: (not i.overdue, i.due or far, i.resident_name))

    # --- each kind -------------------------------------------------------------------------

    def _care_plans(self, every: dict[str, list[StoredRecord]], today: dt.date, add: Add) -> None:
        revised: dict[str, str] = {}
        for revision in every["care_plan_revision"]:
            key = revision.fields["section_id"]
            revised[key] = max(revised.get(key, ""), revision.occurred_at or "")
        for section in every["care_plan_section"]:
            f = section.fields
            due = _parse(f.get("review_due"))
            state = cp.review_state(due.date() if due else None, today)
            if state in (ReviewState.OVERDUE, ReviewState.DUE_SOON) and due is not None:
                add(
                    "care_plan",
                    section.resident_id or "",
                    f"Review the {cp.AREAS[f['area']]} section.",
                    _start_of(due.date()),
                    f["area"],
                )
        for assessment in every["assessment"]:
            area = assessment.fields.get("review_proposed")
            if not area:
                continue
            section_id = cp.section_id(assessment.resident_id or "", area)
            if revised.get(section_id, "") > (assessment.occurred_at or ""):
                continue  # the section has been revised since
            title = ar.TOOLS[assessment.fields["tool"]].title
            add(
                "proposed",
                assessment.resident_id or "",
                f"{title} changed to {assessment.fields.get('band')}: review {cp.AREAS[area]}.",
                _parse(assessment.occurred_at),
                area,
            )

    def _assessments(
        self,
        every: dict[str, list[StoredRecord]],
        residents: dict[str, dict[str, Any]],
        now: dt.datetime,
        add: Add,
    ) -> None:
        latest: dict[tuple[str, str], dt.datetime] = {}
        for record in every["assessment"]:
            pair = (record.resident_id or "", record.fields["tool"])
            when = _parse(record.occurred_at)
            if when is not None and (pair not in latest or when > latest[pair]):
                latest[pair] = when
        for resident_id in residents:
            for key, spec in ar.TOOLS.items():
                if spec.rescore_months is None:
                    continue
                last = latest.get((resident_id, key))
                if last is None:
                    if key == "must":  # monthly screening of everyone (reference §2.7)
                        add("rescore", resident_id, "MUST screening: none recorded yet.", None, key)
                    continue
                due_day = cp.add_months(last.date(), spec.rescore_months)
                due = _start_of(due_day)
                if due - now <= SOON:
                    add("rescore", resident_id, f"Repeat the {spec.title}.", due, key)
        falls_assessed = {rid: when for (rid, tool), when in latest.items() if tool == "falls"}
        for incident in every["incident"]:
            fell = _parse(incident.occurred_at)
            rid = incident.resident_id or ""
            if incident.fields.get("kind") != "fall" or fell is None:
                continue
            if falls_assessed.get(rid, fell - dt.timedelta(1)) < fell:
                add(
                    "falls",
                    rid,
                    "Repeat the multifactorial falls assessment after the fall.",
                    fell + FALLS_ASSESSMENT_WITHIN,
                    incident.record_id,
                )
                falls_assessed[rid] = fell  # one prompt per resident, for the latest fall

    def _incidents(
        self, every: dict[str, list[StoredRecord]], nation: str, now: dt.datetime, add: Add
    ) -> None:
        reviewed = {r.fields["incident_id"] for r in every["incident_review"]}
        done: dict[str, list[dt.datetime]] = {}
        for obs in every["post_fall_observation"]:
            when = _parse(obs.fields.get("due_at"))
            if when is not None:
                done.setdefault(obs.fields["incident_id"], []).append(when)
        notified = {n.record_id for n in every["statutory_notification"]}
        for n in every["statutory_notification"]:
            if (n.fields.get("status") or "draft") == "draft":
                kind = notify.NotificationType(n.fields["notification_type"])
                event = _parse(n.fields["event_at"]) or now
                add(
                    "notification",
                    n.resident_id or "",
                    f"Send: {notify.TYPE_LABELS[kind]} ({notify.urgency(event, now).text})",
                    event + notify.LATE_AFTER,
                    n.record_id,
                )
        for incident in every["incident"]:
            occurred = _parse(incident.occurred_at)
            if occurred is None:
                continue
            rid, label = incident.resident_id or "", inc.KINDS[incident.fields["kind"]]
            if incident.record_id not in reviewed:
                add(
                    "incident_review",
                    rid,
                    f"Review the {label.lower()} and agree actions.",
                    occurred + dt.timedelta(days=7),
                    incident.record_id,
                )
            schedule = schedule_of(incident.fields)
            if schedule:
                progress = inc.observation_progress(schedule, done.get(incident.record_id, []), now)
                if progress.overdue or (progress.next_due and progress.next_due - now <= SOON):
                    missed = f", {len(progress.overdue)} overdue" if progress.overdue else ""
                    first = progress.overdue[0] if progress.overdue else progress.next_due
                    add(
                        "observations",
                        rid,
                        f"{progress.done} of {progress.total} observations done{missed}.",
                        first,
                        incident.record_id,
                    )
            if now - occurred > RECENT_INCIDENTS:
                continue
            for due in notify.notifications_due(facts_of(incident.fields), nation):
                if notification_id(incident.record_id, due.type) not in notified:
                    add(
                        "notification",
                        rid,
                        f"Draft and send: {due.title} ({due.timescale})",
                        occurred + notify.LATE_AFTER,
                        incident.record_id,
                    )

    def _dols(self, record: StoredRecord, today: dt.date, add: Add) -> None:
        position = dols_position(dols_record(record.fields), today)
        expiring = position.expires_on is not None and position.expires_on - today <= dt.timedelta(
            days=28
        )
        if position.action or expiring:
            when = position.action_due_on or position.expires_on
            what = position.action or f"{position.status.value.capitalize()}: expires soon."
            add(
                "dols",
                record.resident_id or "",
                what,
                _start_of(when) if when else None,
                record.record_id,
            )
