"""Mental capacity, liberty and advance decisions: MCA assessments (two-stage, one decision
each), best-interests decisions, DoLS applications and authorisations, attorneys and deputies,
and the ReSPECT / DNACPR record, which keeps the resident's DNACPR flag (shown on the banner
everywhere) in step in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.care_common import (
    CareServiceBase,
    as_input_errors,
    iso,
    local_today,
    now_utc,
    parse_date,
)
from desktop.services.errors import InvalidInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import capacity as cap
from shared import notifications as notify
from shared.capacity import DolsOutcome, DolsPosition, DolsRecord, McaInput, McaResult
from shared.entities.care import CPR_RECOMMENDATIONS, LEGAL_REPRESENTATIVE_KINDS, RESPECT_FORMS
from shared.ids import stable_id

DOLS_DATES = ("applied_on", "urgent_granted_on", "standard_granted_on", "standard_ends_on")


@dataclass(frozen=True)
class McaSaved:
    record_id: str
    result: McaResult


@dataclass(frozen=True)
class CapacityEntry:
    """A capacity assessment or a best-interests decision, for the resident's list."""

    record_id: str
    kind: str  # "mca_assessment" or "best_interest_decision"
    mca_id: str  # the assessment itself, or the one the best-interests decision follows
    decision: str
    outcome: str  # CapacityOutcome value, or what was decided in their best interests
    occurred_at: str
    author_id: str | None
    fields: dict[str, Any]

    @property
    def lacks_capacity(self) -> bool:
        return (
            self.kind == "mca_assessment"
            and self.outcome == cap.CapacityOutcome.LACKS_CAPACITY.value
        )


@dataclass(frozen=True)
class RepresentativeView:
    record_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class DolsView:
    record_id: str
    fields: dict[str, Any]
    position: DolsPosition


@dataclass(frozen=True)
class DolsSaved:
    dols: DolsView
    notifications: tuple[notify.DueNotification, ...]


@dataclass(frozen=True)
class RespectView:
    form: str
    cpr: str
    form_location: str
    completed_by: str
    completed_on: str
    review_on: str
    notes: str

    @property
    def summary(self) -> str:
        form = {"respect": "ReSPECT form", "dnacpr": "DNACPR form", "none": "No form"}[self.form]
        cpr = {
            "attempt_cpr": "CPR to be attempted",
            "do_not_attempt_cpr": "CPR not to be attempted",
            "not_recorded": "CPR recommendation not recorded",
        }[self.cpr]
        where = f" · kept: {self.form_location}" if self.form_location else ""
        review = f" · review {self.review_on}" if self.review_on else ""
        return f"{form}: {cpr}{where}{review}"


def dols_record(fields: dict[str, Any]) -> DolsRecord:
    dates = {
        name: parse_date(fields.get(name), name, name.replace("_", " ")) for name in DOLS_DATES
    }
    return DolsRecord(
        applied_on=dates["applied_on"],
        urgent_granted_on=dates["urgent_granted_on"],
        urgent_extended=bool(fields.get("urgent_extended")),
        standard_granted_on=dates["standard_granted_on"],
        standard_ends_on=dates["standard_ends_on"],
        outcome=DolsOutcome(fields.get("outcome") or "pending"),
    )


class CapacityService(CareServiceBase):
    # --- MCA and best interests ------------------------------------------------------------

    def record_mca(
        self, resident_id: str, answers: McaInput, *, impairment_description: str = ""
    ) -> McaSaved:
        """Saved only when complete: a capacity decision is never left half-recorded. The
        error names the first unanswered question as its field."""
        result = cap.mca_outcome(answers)
        if not result.complete:
            raise InvalidInput(
                "Still to answer: " + "; ".join(result.missing) + ".",
                field=result.missing_fields[0],
            )
        assert result.outcome is not None
        fields: dict[str, Any] = {
            "resident_id": resident_id,
            "decision": answers.decision.strip(),
            "practicable_steps": answers.practicable_steps.strip() or None,
            "impairment_description": (impairment_description.strip() if answers.impairment else "")
            or None,
            "outcome": result.outcome.value,
            "occurred_at": iso(now_utc()),
        }
        for name in (*cap.FUNCTIONAL, "impairment", "because_of_impairment"):
            fields[name] = getattr(answers, name)
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            record = self._context.recorder.create(
                conn, "mca_assessment", {k: v for k, v in fields.items() if v is not None}, author
            )
        return McaSaved(record.record_id, result)

    def record_best_interests(
        self,
        mca_id: str,
        *,
        options_considered: str,
        less_restrictive_considered: bool,
        people_consulted: str,
        outcome: str,
        resident_wishes: str = "",
    ) -> str:
        with self._context.store.read() as conn:
            mca = records_repo.get(conn, mca_id)
        if mca is None or mca.entity != "mca_assessment":
            raise InvalidInput("That capacity assessment is not on this PC.")
        if mca.fields.get("outcome") != cap.CapacityOutcome.LACKS_CAPACITY.value:
            raise InvalidInput(
                "A best-interests decision is made only for someone who lacks capacity for it.",
                field="outcome",
            )
        if not people_consulted.strip():
            raise InvalidInput("Say who was consulted.", field="people_consulted")
        if not outcome.strip():
            raise InvalidInput("Record the decision made.", field="outcome")
        if not less_restrictive_considered:
            raise InvalidInput(
                "Consider the less restrictive options before deciding.",
                field="less_restrictive_considered",
            )
        with self._writing() as (conn, author):
            return self._context.recorder.create(
                conn,
                "best_interest_decision",
                {
                    "resident_id": mca.resident_id,
                    "mca_assessment_id": mca_id,
                    "decision": mca.fields["decision"],
                    "options_considered": options_considered.strip() or None,
                    "less_restrictive_considered": True,
                    "resident_wishes": resident_wishes.strip() or None,
                    "people_consulted": people_consulted.strip(),
                    "outcome": outcome.strip(),
                    "occurred_at": iso(now_utc()),
                },
                author,
            ).record_id

    def mca_assessments(self, resident_id: str) -> list[StoredRecord]:
        with self._context.store.read() as conn:
            return records_repo.for_resident(
                conn, resident_id, ("mca_assessment", "best_interest_decision")
            )

    def capacity_history(self, resident_id: str) -> list[CapacityEntry]:
        """Capacity assessments and best-interests decisions, newest first."""
        return [
            CapacityEntry(
                r.record_id,
                r.entity,
                r.record_id
                if r.entity == "mca_assessment"
                else str(r.fields.get("mca_assessment_id")),
                str(r.fields.get("decision") or ""),
                str(r.fields.get("outcome") or ""),
                r.occurred_at or "",
                r.user_id,
                dict(r.fields),
            )
            for r in self.mca_assessments(resident_id)
        ]

    # --- DoLS ------------------------------------------------------------------------------

    def save_dols(
        self,
        resident_id: str,
        values: dict[str, Any],
        *,
        dols_id: str | None = None,
        today: dt.date | None = None,
    ) -> DolsSaved:
        """Record or update an application; the reply names any notification now due."""
        today = today or local_today()
        with self._context.store.read() as conn:
            current = records_repo.get(conn, dols_id) if dols_id else None
            nation = self._nation(conn)
        merged = {**(current.fields if current else {}), **values}
        with as_input_errors():
            record = dols_record(merged)
            cap.check_dols(record, today)
        cleaned = {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in values.items()
            if k != "resident_id"
        }
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            if current is None:
                stored = self._context.recorder.create(
                    conn,
                    "dols_authorisation",
                    {"resident_id": resident_id, "outcome": "pending", **cleaned},
                    author,
                )
            else:
                stored = self._context.recorder.update(conn, current.record_id, cleaned, author)
        before = (current.fields.get("outcome") if current else None) or "pending"
        due: tuple[notify.DueNotification, ...] = ()
        if stored.fields.get("outcome") != before:
            due = notify.dols_notifications_due(nation, str(stored.fields.get("outcome")))
        return DolsSaved(self._dols_view(stored, today), due)

    def dols(
        self, resident_id: str | None = None, *, today: dt.date | None = None
    ) -> list[DolsView]:
        today = today or local_today()
        with self._context.store.read() as conn:
            records = records_repo.by_entity(conn, "dols_authorisation")
        return [
            self._dols_view(r, today)
            for r in records
            if resident_id is None or r.resident_id == resident_id
        ]

    def _dols_view(self, record: StoredRecord, today: dt.date) -> DolsView:
        return DolsView(
            record.record_id,
            dict(record.fields),
            cap.dols_position(dols_record(record.fields), today),
        )

    # --- attorneys and deputies ------------------------------------------------------------

    def save_representative(
        self, resident_id: str, values: dict[str, Any], *, record_id: str | None = None
    ) -> str:
        kind = values.get("kind")
        if record_id is None and kind not in LEGAL_REPRESENTATIVE_KINDS:
            raise InvalidInput("Choose what kind of attorney or deputy this is.", field="kind")
        if record_id is None and not str(values.get("name") or "").strip():
            raise InvalidInput("Write the attorney's or deputy's name.", field="name")
        registered = parse_date(values.get("registered_on"), "registered_on", "date registered")
        if registered and registered > local_today():
            raise InvalidInput(
                "The date registered cannot be in the future.", field="registered_on"
            )
        cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        if registered:
            cleaned["registered_on"] = registered.isoformat()
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            if record_id is None:
                return self._context.recorder.create(
                    conn,
                    "legal_representative",
                    {"resident_id": resident_id, "active": True, **cleaned},
                    author,
                ).record_id
            return self._context.recorder.update(conn, record_id, cleaned, author).record_id

    def representatives(self, resident_id: str) -> list[StoredRecord]:
        with self._context.store.read() as conn:
            return [
                r
                for r in records_repo.by_entity(conn, "legal_representative")
                if r.resident_id == resident_id and r.fields.get("active", True)
            ]

    def representative_views(self, resident_id: str) -> list[RepresentativeView]:
        return [
            RepresentativeView(r.record_id, dict(r.fields))
            for r in self.representatives(resident_id)
        ]

    # --- ReSPECT / DNACPR ------------------------------------------------------------------

    def save_respect(self, resident_id: str, values: dict[str, Any]) -> RespectView:
        """Record the form as the clinician completed it (the app makes no CPR decision) and
        keep the resident's DNACPR flag in step with it."""
        form, cpr = values.get("form"), values.get("cpr")
        if form not in RESPECT_FORMS:
            raise InvalidInput("Choose the form: ReSPECT, DNACPR, or none.", field="form")
        if cpr not in CPR_RECOMMENDATIONS:
            raise InvalidInput("Choose the CPR recommendation on the form.", field="cpr")
        if form != "none" and not str(values.get("completed_by") or "").strip():
            raise InvalidInput(
                "Write who completed the form (the clinician's name and role).",
                field="completed_by",
            )
        completed = parse_date(values.get("completed_on"), "completed_on", "date completed")
        review = parse_date(values.get("review_on"), "review_on", "review date")
        if completed and completed > local_today():
            raise InvalidInput("The form cannot be completed in the future.", field="completed_on")
        if completed and review and review < completed:
            raise InvalidInput(
                "The review date is before the form was completed.", field="review_on"
            )
        cleaned: dict[str, Any] = {
            k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
        }
        cleaned["completed_on"] = completed.isoformat() if completed else None
        cleaned["review_on"] = review.isoformat() if review else None
        record_id = stable_id("respect_record", resident_id)
        with self._writing() as (conn, author):
            resident = self._resident(conn, resident_id)
            current = records_repo.get(conn, record_id)
            if current is None:
                stored = self._context.recorder.create(
                    conn,
                    "respect_record",
                    {
                        "resident_id": resident_id,
                        **{k: v for k, v in cleaned.items() if v is not None},
                    },
                    author,
                    record_id=record_id,
                )
            else:
                stored = self._context.recorder.update(conn, record_id, cleaned, author)
            dnacpr = cpr == "do_not_attempt_cpr"
            if bool(resident.get("dnacpr")) != dnacpr:
                self._context.recorder.update(conn, resident_id, {"dnacpr": dnacpr}, author)
        return _respect_view(stored)

    def respect(self, resident_id: str) -> RespectView | None:
        with self._context.store.read() as conn:
            record = records_repo.get(conn, stable_id("respect_record", resident_id))
        return _respect_view(record) if record is not None else None


def _respect_view(record: StoredRecord) -> RespectView:
    f = record.fields
    return RespectView(
        f["form"],
        f["cpr"],
        f.get("form_location") or "",
        f.get("completed_by") or "",
        f.get("completed_on") or "",
        f.get("review_on") or "",
        f.get("notes") or "",
    )
