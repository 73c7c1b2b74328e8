"""Assessments: score a tool's items as they are entered, save the inputs with the score (an
incomplete assessment is saved with no score), and, when a band has changed since the last
complete one, propose the care plan area to review. Pre-admission and admission assessments
are kept here too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.care_common import (
    CareServiceBase,
    as_input_errors,
    check_not_future,
    iso,
    now_utc,
)
from desktop.services.errors import InvalidInput
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import assessment_records as ar
from shared.assessments import review_proposal
from shared.care_plans import AREAS

ADMISSION_STAGES = {
    "pre_admission": "Pre-admission assessment",
    "admission": "Admission assessment",
}


@dataclass(frozen=True)
class AssessmentEntry:
    record_id: str
    tool: str
    title: str
    occurred_at: str
    complete: bool
    score: int | None
    band: str | None
    summary: str
    author_id: str | None
    inputs: dict[str, Any]
    review_proposed: str | None


@dataclass(frozen=True)
class SavedAssessment:
    entry: AssessmentEntry
    scored: ar.ScoredAssessment
    previous: AssessmentEntry | None
    proposal: str | None  # the care plan area to review, when the band changed

    @property
    def proposal_text(self) -> str:
        if self.proposal is None:
            return ""
        before = self.previous.band if self.previous else ""
        return (
            f"The result has changed since the last {self.scored.title} ({before} → "
            f"{self.scored.band}): review the {AREAS[self.proposal]} section of the care plan."
        )


@dataclass(frozen=True)
class AdmissionEntry:
    record_id: str
    stage: str
    occurred_at: str
    source: str
    needs: dict[str, str]
    what_matters: str
    risks: str
    can_meet_needs: bool | None
    decision_notes: str
    author_id: str | None


def _entry(record: StoredRecord) -> AssessmentEntry:
    f = record.fields
    return AssessmentEntry(
        record.record_id,
        f["tool"],
        ar.TOOLS[f["tool"]].title,
        record.occurred_at or "",
        bool(f.get("complete")),
        f.get("score"),
        f.get("band"),
        f.get("summary") or "",
        record.user_id,
        dict(f.get("inputs") or {}),
        f.get("review_proposed"),
    )


class AssessmentService(CareServiceBase):
    def preview(self, tool: str, inputs: dict[str, Any]) -> ar.ScoredAssessment:
        """The score so far, as the form is filled in; impossible values are refused."""
        with as_input_errors():
            return ar.score_inputs(tool, inputs)

    def save(
        self,
        resident_id: str,
        tool: str,
        inputs: dict[str, Any],
        *,
        note: str = "",
        occurred_at: dt.datetime | None = None,
    ) -> SavedAssessment:
        when = occurred_at or now_utc()
        check_not_future(when, "occurred_at", "time of the assessment")
        with as_input_errors():
            scored = ar.score_inputs(tool, inputs)
            stored = ar.inputs_as_json(ar.parse_inputs(tool, inputs).__dict__)
        if not stored:
            raise InvalidInput("Answer at least one item before saving.", field="inputs")
        previous = self.latest_complete(resident_id, tool)
        proposal = None
        if previous is not None and scored.complete:
            with as_input_errors():
                before = ar.score_inputs(tool, previous.inputs)
            proposal = review_proposal(before.result, scored.result)
        fields: dict[str, Any] = {
            "resident_id": resident_id,
            "tool": tool,
            "inputs": stored,
            "complete": scored.complete,
            "score": scored.score,
            "band": scored.band,
            "summary": scored.summary,
            "care_plan_area": scored.care_plan_area,
            "review_proposed": str(proposal) if proposal is not None else None,
            "note": note.strip() or None,
            "occurred_at": iso(when),
        }
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            record = self._context.recorder.create(
                conn, "assessment", {k: v for k, v in fields.items() if v is not None}, author
            )
        return SavedAssessment(
            _entry(record), scored, previous, str(proposal) if proposal is not None else None
        )

    def history(self, resident_id: str, tool: str | None = None) -> list[AssessmentEntry]:
        """The resident's assessments, newest first (of one tool, if given)."""
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("assessment",))
        entries = [_entry(e) for e in events]
        return [e for e in entries if tool is None or e.tool == tool]

    def latest_complete(self, resident_id: str, tool: str) -> AssessmentEntry | None:
        return next((e for e in self.history(resident_id, tool) if e.complete), None)

    # --- pre-admission and admission -------------------------------------------------------

    def record_admission(
        self,
        resident_id: str,
        stage: str,
        *,
        source: str = "",
        needs: dict[str, str] | None = None,
        what_matters: str = "",
        risks: str = "",
        can_meet_needs: bool | None = None,
        decision_notes: str = "",
        occurred_at: dt.datetime | None = None,
    ) -> str:
        if stage not in ADMISSION_STAGES:
            raise InvalidInput(f"{stage!r} is not a kind of admission assessment.", field="stage")
        found = {k: v.strip() for k, v in (needs or {}).items() if v and v.strip()}
        unknown = set(found) - set(AREAS)
        if unknown:
            raise InvalidInput(f"{sorted(unknown)[0]!r} is not an area of need.", field="needs")
        if not found and not what_matters.strip():
            raise InvalidInput(
                "Record the needs found, or what matters to the person.", field="needs"
            )
        if stage == "pre_admission" and can_meet_needs is None:
            raise InvalidInput(
                "Say whether the home can meet the person's needs.", field="can_meet_needs"
            )
        if can_meet_needs is False and not decision_notes.strip():
            raise InvalidInput(
                "Say why the home cannot meet the person's needs.", field="decision_notes"
            )
        when = occurred_at or now_utc()
        check_not_future(when, "occurred_at", "time of the assessment")
        fields: dict[str, Any] = {
            "resident_id": resident_id,
            "stage": stage,
            "source": source.strip() or None,
            "needs": found or None,
            "what_matters": what_matters.strip() or None,
            "risks": risks.strip() or None,
            "can_meet_needs": can_meet_needs,
            "decision_notes": decision_notes.strip() or None,
            "occurred_at": iso(when),
        }
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            return self._context.recorder.create(
                conn,
                "admission_assessment",
                {k: v for k, v in fields.items() if v is not None},
                author,
            ).record_id

    def admissions(self, resident_id: str) -> list[AdmissionEntry]:
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("admission_assessment",))
        return [
            AdmissionEntry(
                e.record_id,
                e.fields["stage"],
                e.occurred_at or "",
                e.fields.get("source") or "",
                dict(e.fields.get("needs") or {}),
                e.fields.get("what_matters") or "",
                e.fields.get("risks") or "",
                e.fields.get("can_meet_needs"),
                e.fields.get("decision_notes") or "",
                e.user_id,
            )
            for e in events
        ]
