"""Care plans: one section per area of need, written and reviewed by seniors. Every change
is saved with a revision (who, when, why, and each field before and after) in the same
transaction, so the plan's full history can always be read back; a section past its review
date is flagged as overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

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
from desktop.sync.local_changes import Author
from shared import care_plans as cp
from shared.care_plans import FieldChange, ReviewState, RevisionKind


@dataclass(frozen=True)
class SectionView:
    section_id: str
    resident_id: str
    area: str
    label: str
    written: bool
    fields: dict[str, Any]  # the section's text fields, "" when not written
    review_due: dt.date | None
    last_reviewed_on: dt.date | None
    review_state: ReviewState

    @property
    def overdue(self) -> bool:
        return self.review_state is ReviewState.OVERDUE


@dataclass(frozen=True)
class Revision:
    revision_id: str
    section_id: str
    area: str
    kind: RevisionKind
    reason: str
    changes: tuple[FieldChange, ...]
    review_due: dt.date | None
    author_id: str | None
    occurred_at: str


def section_view(
    resident_id: str, area: str, record: StoredRecord | None, today: dt.date
) -> SectionView:
    fields = record.fields if record is not None else {}
    due = _date(fields.get("review_due"))
    return SectionView(
        cp.section_id(resident_id, area),
        resident_id,
        area,
        cp.AREAS[area],
        record is not None,
        {name: fields.get(name) or "" for name in cp.TEXT_FIELDS},
        due,
        _date(fields.get("last_reviewed_on")),
        cp.review_state(due, today) if record is not None else ReviewState.NOT_SET,
    )


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _revision(record: StoredRecord) -> Revision:
    f = record.fields
    raw = f.get("changes") or {}
    changes = tuple(
        FieldChange(name, value.get("before"), value.get("after"))
        for name, value in raw.items()
        if isinstance(value, dict)
    )
    return Revision(
        record.record_id,
        f["section_id"],
        f["area"],
        RevisionKind(f["kind"]),
        f.get("reason", ""),
        changes,
        _date(f.get("review_due")),
        record.user_id,
        record.occurred_at or "",
    )


class CarePlanService(CareServiceBase):
    def plan(self, resident_id: str, *, today: dt.date | None = None) -> list[SectionView]:
        """Every area of the resident's plan, in reading order, written or not."""
        today = today or local_today()
        with self._context.store.read() as conn:
            self._resident(conn, resident_id)
            found = records_repo.get_many(
                conn, [cp.section_id(resident_id, area) for area in cp.AREAS]
            )
        return [
            section_view(resident_id, area, found.get(cp.section_id(resident_id, area)), today)
            for area in cp.AREAS
        ]

    def section(self, resident_id: str, area: str, *, today: dt.date | None = None) -> SectionView:
        with as_input_errors():
            record_id = cp.section_id(resident_id, area)
        with self._context.store.read() as conn:
            record = records_repo.get(conn, record_id)
        return section_view(resident_id, area, record, today or local_today())

    def write_section(
        self,
        resident_id: str,
        area: str,
        values: dict[str, Any],
        reason: str = "",
        *,
        today: dt.date | None = None,
    ) -> SectionView:
        """Write a section for the first time, or change it between reviews (with a reason)."""
        today = today or local_today()
        with as_input_errors():
            record_id = cp.section_id(resident_id, area)
            cleaned = self._cleaned(values, today)
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            current = records_repo.get(conn, record_id)
            if current is None:
                cp.check_first_version(cleaned)
                cleaned.setdefault("review_due", cp.default_review_due(today).isoformat())
                kind, why = RevisionKind.WRITTEN, reason.strip() or "First written."
            else:
                why = cp.check_reason(reason)
                kind = RevisionKind.EDITED
            record = self._save(
                conn, author, (resident_id, area), current, cleaned, kind=kind, reason=why
            )
        return section_view(resident_id, area, record, today)

    def review_section(
        self,
        resident_id: str,
        area: str,
        findings: str,
        values: dict[str, Any] | None = None,
        *,
        next_review_due: dt.date | str | None = None,
        today: dt.date | None = None,
    ) -> SectionView:
        """The scheduled review: what it found (required), anything changed, the next date."""
        today = today or local_today()
        with as_input_errors():
            record_id = cp.section_id(resident_id, area)
            why = cp.check_reason(findings)
            cleaned = self._cleaned(dict(values or {}), today)
            due = parse_date(next_review_due, "review_due", "next review date")
            due = due or cp.default_review_due(today)
            cp.check_review_due(due, today)
        cleaned["review_due"] = due.isoformat()
        cleaned["last_reviewed_on"] = today.isoformat()
        with self._writing() as (conn, author):
            current = records_repo.get(conn, record_id)
            if current is None:
                raise InvalidInput("Write this section before reviewing it.", field="needs")
            record = self._save(
                conn,
                author,
                (resident_id, area),
                current,
                cleaned,
                kind=RevisionKind.REVIEWED,
                reason=why,
            )
        return section_view(resident_id, area, record, today)

    def history(self, resident_id: str, area: str) -> list[Revision]:
        """Every revision of the section, oldest first, with its author and reason."""
        with as_input_errors():
            record_id = cp.section_id(resident_id, area)
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("care_plan_revision",))
        mine = [e for e in events if e.fields.get("section_id") == record_id]
        return [_revision(e) for e in sorted(mine, key=lambda e: (e.occurred_at or "", e.hlc))]

    def overdue(self, *, today: dt.date | None = None) -> list[SectionView]:
        """Sections of every resident whose review date has passed."""
        today = today or local_today()
        with self._context.store.read() as conn:
            sections = records_repo.by_entity(conn, "care_plan_section")
        views = [
            section_view(s.fields["resident_id"], s.fields["area"], s, today) for s in sections
        ]
        return [v for v in views if v.overdue]

    # --- helpers ---------------------------------------------------------------------------

    def _cleaned(self, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
        cleaned = cp.clean_text(values)
        if "review_due" in cleaned:
            due = parse_date(cleaned["review_due"], "review_due", "review date")
            if due is None:
                del cleaned["review_due"]
            else:
                cp.check_review_due(due, today)
                cleaned["review_due"] = due.isoformat()
        return cleaned

    def _save(
        self,
        conn: sa.Connection,
        author: Author,
        which: tuple[str, str],  # resident id and area
        current: StoredRecord | None,
        cleaned: dict[str, Any],
        *,
        kind: RevisionKind,
        reason: str,
    ) -> StoredRecord:
        resident_id, area = which
        before = current.fields if current is not None else {}
        changes = cp.changes_between(before, cleaned)
        bookkeeping = {k: v for k, v in cleaned.items() if k == "last_reviewed_on"}
        if kind is RevisionKind.EDITED and not changes:
            raise InvalidInput("Nothing has changed in this section.", field="needs")
        new_values = {c.field: c.after or "" for c in changes} | bookkeeping
        if "review_due" in new_values and not new_values["review_due"]:
            new_values["review_due"] = None
        recorder = self._context.recorder
        if current is None:
            record = recorder.create(
                conn,
                "care_plan_section",
                {"resident_id": resident_id, "area": area, **new_values},
                author,
                record_id=cp.section_id(resident_id, area),
            )
        else:
            record = recorder.update(conn, current.record_id, new_values, author)
        recorder.create(
            conn,
            "care_plan_revision",
            {
                "resident_id": resident_id,
                "section_id": record.record_id,
                "area": area,
                "kind": kind.value,
                "reason": reason,
                "changes": {c.field: {"before": c.before, "after": c.after} for c in changes},
                "review_due": record.fields.get("review_due"),
                "occurred_at": iso(now_utc()),
            },
            author,
        )
        return record
