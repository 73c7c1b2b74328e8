"""The review queue: conflicts and safety flags for a senior to resolve with a new record."""

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


@dataclass(frozen=True)
class ReviewItem:
    review_id: str
    rule: str
    message: str
    resident_id: str | None
    resident_name: str
    subject_entity: str
    subject_id: str
    field: str | None
    values: list[dict[str, Any]]
    raised_at: str
    resolved: bool
    outcome: str | None


class ReviewService:
    def __init__(self, context: AppContext, session: SessionService) -> None:
        self._context = context
        self._session = session

    def items(self, *, include_resolved: bool = False) -> list[ReviewItem]:
        with self._context.store.read() as conn:
            raised = records_repo.by_entity(conn, "review_item")
            resolutions = {
                r.fields["review_item_id"]: r.fields["outcome"]
                for r in records_repo.by_entity(conn, "review_resolution")
            }
            residents = {r.record_id: r.fields for r in records_repo.by_entity(conn, "resident")}
        items = []
        for r in raised:
            f = r.fields
            resident = residents.get(f.get("resident_id") or "", {})
            outcome = resolutions.get(r.record_id)
            if outcome is not None and not include_resolved:
                continue
            items.append(
                ReviewItem(
                    r.record_id,
                    f["rule"],
                    f["message"],
                    f.get("resident_id"),
                    f"{resident.get('first_name', '')} {resident.get('last_name', '')}".strip(),
                    f["subject_entity"],
                    f["subject_id"],
                    f.get("field"),
                    list(f.get("values") or []),
                    f.get("occurred_at", ""),
                    outcome is not None,
                    outcome,
                )
            )
        return sorted(items, key=lambda i: i.raised_at, reverse=True)

    def resolve(self, review_id: str, outcome: str) -> str:
        user = self._session.require()
        if not outcome.strip():
            raise InvalidInput("Say how this was resolved.", field="outcome")
        with self._context.store.read() as conn:
            item = records_repo.get(conn, review_id)
        if item is None or item.entity != "review_item":
            raise InvalidInput("That review item is not on this PC.")
        fields = {
            "review_item_id": review_id,
            "outcome": outcome.strip(),
            "resident_id": item.fields.get("resident_id"),
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        try:
            with self._context.store.write() as conn:
                return self._context.recorder.create(
                    conn, "review_resolution", fields, Author(user.user_id, user.role)
                ).record_id
        except PermissionDenied as exc:
            raise NotAllowed(exc.message) from None
