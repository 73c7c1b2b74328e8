"""Daily care notes: quick records, amendments and "entered in error", the resident's
timeline with history, and the running 24-hour fluid total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.observation_checks import summarise
from desktop.services.session import SessionService
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from desktop.sync.errors import PermissionDenied
from desktop.sync.local_changes import Author
from shared.entities import NOTE_CATEGORIES, FieldError

TIMELINE_ENTITIES = ("care_note", "observation", "review_item")
CATEGORY_LABELS = {
    "general": "Note",
    "personal_care": "Personal care",
    "food_fluid": "Food and fluid",
    "repositioning": "Repositioning",
    "continence": "Continence",
    "sleep": "Sleep / night check",
    "mood": "Mood and wellbeing",
    "activity": "Activity / social",
    "visit": "Visit",
}
MAX_FLUID_ML = 2000
LOW_FLUID_FRACTION = 0.5  # warn when under half the daily target by the end of the period


@dataclass(frozen=True)
class TimelineEntry:
    record_id: str
    entity: str
    kind_label: str
    occurred_at: str
    summary: str
    author_id: str | None
    status: str  # "current", "amended" (superseded) or "entered_in_error"
    history: tuple[str, ...]  # earlier versions' summaries, oldest first
    score_label: str = ""  # observations: "NEWS2 5" when a score was calculated
    score_colour: str = ""  # observations: the shared.news2 colour name of the band


@dataclass(frozen=True)
class FluidTotal:
    total_ml: int
    target_ml: int | None
    low: bool


def _summary(record: StoredRecord) -> str:
    f = record.fields
    if record.entity == "care_note":
        parts = [f.get("text") or ""]
        details = f.get("details") or {}
        if isinstance(details, dict) and details.get("fluid_ml"):
            parts.insert(0, f"{details['fluid_ml']} ml")
        if isinstance(details, dict) and details.get("next_turn_due"):
            parts.append(f"(next turn due {_local_clock(str(details['next_turn_due']))})")
        return " ".join(p for p in parts if p).strip()
    if record.entity == "observation":
        return summarise(f).text
    if record.entity == "review_item":
        return f"Review: {f.get('message', '')}"
    return ""


def _local_clock(iso: str) -> str:
    """HH:MM in this PC's time zone (times are stored in UTC; UK clocks are UTC+1 in summer)."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%H:%M")
    except ValueError:
        return iso[11:16]


def _label(record: StoredRecord) -> str:
    if record.entity == "care_note":
        return CATEGORY_LABELS.get(record.fields.get("category", ""), "Note")
    return {"observation": "Observations", "review_item": "Review"}.get(
        record.entity, record.entity
    )


def build_timeline(events: list[StoredRecord]) -> list[TimelineEntry]:
    """Collapse amendment chains: each original shows its latest version, with history."""
    by_id = {e.record_id: e for e in events}
    superseded: dict[str, list[StoredRecord]] = {}
    for event in events:
        target = event.fields.get("amends_id")
        if target:
            superseded.setdefault(target, []).append(event)
    entries = []
    for event in events:
        if event.fields.get("amends_id") and event.fields["amends_id"] in by_id:
            continue  # shown inside the entry it amends
        chain = sorted(superseded.get(event.record_id, []), key=lambda e: e.hlc)
        latest = chain[-1] if chain else event
        status = "current"
        if latest.fields.get("amend_kind") == "entered_in_error":
            status = "entered_in_error"
        history = tuple(_summary(e) for e in [event, *chain[:-1]]) if chain else ()
        summary = _summary(latest)
        if status == "entered_in_error":
            summary = _summary(event)
        score = summarise(event.fields) if event.entity == "observation" else None
        entries.append(
            TimelineEntry(
                event.record_id,
                event.entity,
                _label(event),
                event.occurred_at or "",
                summary,
                latest.user_id,
                status,
                history,
                score.score_label if score else "",
                score.colour if score else "",
            )
        )
    return entries


def fluid_total_of(events: list[StoredRecord], target_ml: int | None) -> FluidTotal:
    """The fluid drunk in ``events`` (a resident's care notes over the period): each note's
    latest version, none entered in error; low when under half of ``target_ml``."""
    entries = build_timeline(events)
    live = {e.record_id for e in entries if e.status != "entered_in_error"}
    latest: dict[str, StoredRecord] = {}
    for event in sorted(events, key=lambda e: e.hlc):
        root = event.fields.get("amends_id") or event.record_id
        latest[root] = event
    total = 0
    for root, event in latest.items():
        if root not in live or event.fields.get("category") != "food_fluid":
            continue
        details = event.fields.get("details") or {}
        if isinstance(details, dict) and isinstance(details.get("fluid_ml"), int):
            total += details["fluid_ml"]
    low = bool(target_ml) and total < LOW_FLUID_FRACTION * int(target_ml or 0)
    return FluidTotal(total, target_ml, low)


class NoteService:
    def __init__(self, context: AppContext, session: SessionService) -> None:
        self._context = context
        self._session = session

    def _create(self, entity: str, fields: dict[str, Any]) -> StoredRecord:
        user = self._session.require()
        try:
            with self._context.store.write() as conn:
                return self._context.recorder.create(
                    conn, entity, fields, Author(user.user_id, user.role)
                )
        except PermissionDenied as exc:
            raise NotAllowed(exc.message) from None
        except FieldError as exc:
            raise InvalidInput(str(exc), field=exc.field) from None

    def record_note(
        self,
        resident_id: str,
        category: str,
        text: str = "",
        *,
        details: dict[str, Any] | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> str:
        if category not in NOTE_CATEGORIES:
            raise InvalidInput(f"Unknown kind of note {category!r}.", field="category")
        now = dt.datetime.now(dt.UTC)
        when = occurred_at or now
        if when.tzinfo is None:
            raise InvalidInput("The time must include a time zone.", field="occurred_at")
        if when > now + dt.timedelta(minutes=5):
            raise InvalidInput("The time of a note cannot be in the future.", field="occurred_at")
        details = dict(details or {})
        if category == "food_fluid":
            fluid = details.get("fluid_ml")
            if fluid is not None:
                if not isinstance(fluid, int) or fluid < 0:
                    raise InvalidInput(
                        "A fluid amount is a whole number of ml, 0 or more.", field="fluid_ml"
                    )
                if fluid > MAX_FLUID_ML:
                    raise InvalidInput(
                        f"{fluid} ml at once is not plausible: check the amount.", field="fluid_ml"
                    )
            if not text.strip() and fluid is None and not details.get("food"):
                raise InvalidInput("Record what was eaten or drunk.", field="text")
        elif category == "repositioning":
            position = details.get("position")
            if not position and not text.strip():
                raise InvalidInput("Record the new position.", field="position")
            interval = int(details.get("interval_hours", 2))
            details["next_turn_due"] = (when + dt.timedelta(hours=interval)).isoformat(
                timespec="minutes"
            )
        elif not text.strip() and not details:
            raise InvalidInput("Write what happened.", field="text")
        fields: dict[str, Any] = {
            "resident_id": resident_id,
            "category": category,
            "text": text.strip(),
            "details": details or None,
            "occurred_at": when.isoformat(timespec="seconds"),
        }
        return self._create("care_note", fields).record_id

    def _original(self, record_id: str) -> StoredRecord:
        with self._context.store.read() as conn:
            original = records_repo.get(conn, record_id)
        if original is None or original.entity != "care_note":
            raise InvalidInput("That note is not on this PC.")
        return original

    def amend(self, note_id: str, new_text: str, reason: str) -> str:
        original = self._original(note_id)
        if not reason.strip():
            raise InvalidInput("Say why the note is being amended.", field="reason")
        if not new_text.strip():
            raise InvalidInput("Write the corrected note.", field="text")
        fields = {
            **{k: v for k, v in original.fields.items() if k not in ("amends_id", "amend_kind")},
            "text": new_text.strip(),
            "amends_id": note_id,
            "amend_kind": "amendment",
            "amend_reason": reason.strip(),
        }
        return self._create("care_note", fields).record_id

    def current_text(self, note_id: str) -> str:
        """What a note reads now (its latest amendment's text): where a correction starts."""
        original = self._original(note_id)
        with self._context.store.read() as conn:
            events = records_repo.for_resident(
                conn, original.resident_id or "", ("care_note",), since=original.occurred_at
            )
        chain = sorted(
            (e for e in events if e.fields.get("amends_id") == note_id), key=lambda e: e.hlc
        )
        latest = chain[-1] if chain else original
        return str(latest.fields.get("text") or "")

    def mark_entered_in_error(self, note_id: str, reason: str) -> str:
        original = self._original(note_id)
        if not reason.strip():
            raise InvalidInput("Say why the note was entered in error.", field="reason")
        fields = {
            **{k: v for k, v in original.fields.items() if k not in ("amends_id", "amend_kind")},
            "amends_id": note_id,
            "amend_kind": "entered_in_error",
            "amend_reason": reason.strip(),
        }
        return self._create("care_note", fields).record_id

    def timeline(
        self,
        resident_id: str,
        *,
        entities: tuple[str, ...] = TIMELINE_ENTITIES,
        limit: int = 200,
        before: str | None = None,
    ) -> list[TimelineEntry]:
        with self._context.store.read() as conn:
            events = records_repo.for_resident(
                conn, resident_id, entities, before=before, limit=limit
            )
            missing = {e.fields["amends_id"] for e in events if e.fields.get("amends_id")} - {
                e.record_id for e in events
            }
            extra = list(records_repo.get_many(conn, missing).values()) if missing else []
        ordered = sorted(
            [*events, *extra], key=lambda e: (e.occurred_at or "", e.record_id), reverse=True
        )
        return build_timeline(ordered)

    def fluid_total(self, resident_id: str, *, now: dt.datetime | None = None) -> FluidTotal:
        now = now or dt.datetime.now(dt.UTC)
        since = (now - dt.timedelta(hours=24)).isoformat(timespec="seconds")
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("care_note",), since=since)
            resident = records_repo.get(conn, resident_id)
        target = resident.fields.get("fluid_target_ml") if resident else None
        return fluid_total_of(events, target if isinstance(target, int) else None)
