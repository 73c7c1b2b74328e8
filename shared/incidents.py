"""Incidents: the kinds a home records, the body map's marks, and the observations due after
a fall.

Post-fall observations are not in the reference (uk-care-standards.md has nothing on them):
the schedule below is a policy proposal [U], modelled on the NICE head-injury observation
frequencies (half-hourly for 2 hours, hourly for 4 hours, then 2-hourly) for a fall that may
have hurt the head (unwitnessed, head struck, or on anticoagulants), and hourly for 4 hours
then 4-hourly to 24 hours otherwise. The clinical safety officer must confirm it before
release; it is data, so changing it needs no change to the logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.errors import WcnError

KINDS: Mapping[str, str] = {
    "fall": "Fall",
    "injury": "Injury",
    "skin_damage": "Skin damage or pressure ulcer",
    "medication_error": "Medication error",
    "safeguarding": "Safeguarding concern",
    "behaviour": "Behaviour",
    "near_miss": "Near miss",
    "death": "Death",
    "other": "Other",
}

SEVERITIES: Mapping[str, str] = {
    "none": "No injury or harm",
    "minor": "Minor (first aid)",
    "moderate": "Moderate (needed a GP, nurse or paramedic)",
    "serious": "Serious (hospital, fracture, or harm lasting over 28 days)",
}

SIDES = ("front", "back")
MAX_MARKS = 40
MAX_MARK_TEXT = 300
PRESSURE_ULCER_GRADES = (1, 2, 3, 4)

# A photo of a mark is stored as JPEG, at most PHOTO_LONG_SIDE pixels on its long side and
# MAX_PHOTO_BYTES in size (a 1280 px photo at quality 80 is typically 100–300 KB). As base64
# text it is at most PHOTO_TEXT_LENGTH characters, so a push of PUSH_BATCH_BYTES (see
# desktop/sync/engine.py) holds at least a few of them, well under the 32 MiB body limit.
PHOTO_LONG_SIDE = 1280
MAX_PHOTO_BYTES = 750_000
PHOTO_TEXT_LENGTH = 4 * ((MAX_PHOTO_BYTES + 2) // 3)
MAX_PHOTO_CAPTION = 300

# (interval, for how long) in order: policy [U], see the module docstring.
HEAD_INJURY_SCHEDULE = (
    (dt.timedelta(minutes=30), dt.timedelta(hours=2)),
    (dt.timedelta(hours=1), dt.timedelta(hours=4)),
    (dt.timedelta(hours=2), dt.timedelta(hours=18)),
)
STANDARD_SCHEDULE = (
    (dt.timedelta(hours=1), dt.timedelta(hours=4)),
    (dt.timedelta(hours=4), dt.timedelta(hours=20)),
)


class IncidentError(WcnError, ValueError):
    code = "invalid_incident"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BodyMark:
    """One mark on the body map: which outline, where (0–1 across and down the outline),
    what was seen, and optionally a photo's reference."""

    side: str
    x: float
    y: float
    description: str
    photo_ref: str | None = None

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "side": self.side,
            "x": self.x,
            "y": self.y,
            "description": self.description,
        }
        if self.photo_ref:
            data["photo_ref"] = self.photo_ref
        return data


def _number(value: object, name: str, index: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IncidentError("body_map", f"Mark {index}: the {name} position must be a number.")
    if not 0.0 <= float(value) <= 1.0:
        raise IncidentError("body_map", f"Mark {index} is outside the body outline.")
    return float(value)


def parse_body_map(raw: object) -> tuple[BodyMark, ...]:
    """The marks of a body map as stored (a list of objects), checked."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise IncidentError("body_map", "The body map must be a list of marks.")
    if len(raw) > MAX_MARKS:
        raise IncidentError("body_map", f"A body map holds at most {MAX_MARKS} marks.")
    marks = []
    for index, given in enumerate(raw, start=1):
        item = given.as_json() if isinstance(given, BodyMark) else given
        if not isinstance(item, Mapping):
            raise IncidentError("body_map", f"Mark {index} is not a mark.")
        side = item.get("side")
        if side not in SIDES:
            raise IncidentError("body_map", f"Mark {index}: choose the front or the back.")
        description = item.get("description")
        if not isinstance(description, str) or not description.strip():
            raise IncidentError("body_map", f"Mark {index}: describe what you saw there.")
        if len(description) > MAX_MARK_TEXT:
            raise IncidentError(
                "body_map", f"Mark {index}: keep the description under {MAX_MARK_TEXT} characters."
            )
        photo = item.get("photo_ref")
        if photo is not None and (not isinstance(photo, str) or len(photo) > 200):
            raise IncidentError("body_map", f"Mark {index}: the photo reference is not valid.")
        marks.append(
            BodyMark(
                str(side),
                _number(item.get("x"), "across", index),
                _number(item.get("y"), "down", index),
                description.strip(),
                photo or None,
            )
        )
    return tuple(marks)


def head_injury_possible(
    *, witnessed: bool | None, head_injury: bool, anticoagulants: bool
) -> bool:
    """Whether to watch for a head injury: an unwitnessed fall counts, since nobody saw
    whether the head was struck."""
    return head_injury or anticoagulants or witnessed is not True


def post_fall_schedule(fall_at: dt.datetime, *, head_injury: bool) -> tuple[dt.datetime, ...]:
    """When each observation after a fall is due, in order, over the 24 hours after it."""
    if fall_at.tzinfo is None:
        raise IncidentError("occurred_at", "The time of the fall must include a time zone.")
    plan = HEAD_INJURY_SCHEDULE if head_injury else STANDARD_SCHEDULE
    times: list[dt.datetime] = []
    at = fall_at
    for interval, span in plan:
        end = at + span
        while at + interval <= end:
            at += interval
            times.append(at)
        at = end
    return tuple(times)


@dataclass(frozen=True)
class ObservationProgress:
    done: int
    total: int
    overdue: tuple[dt.datetime, ...]
    next_due: dt.datetime | None

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def observation_progress(
    schedule: Iterable[dt.datetime], done: Iterable[dt.datetime], now: dt.datetime
) -> ObservationProgress:
    """How far the schedule has got: each recorded observation answers the slot it names."""
    slots = sorted(set(schedule))
    answered = set(done) & set(slots)
    open_slots = [s for s in slots if s not in answered]
    overdue = tuple(s for s in open_slots if s < now)
    upcoming = [s for s in open_slots if s >= now]
    return ObservationProgress(
        len(answered), len(slots), overdue, upcoming[0] if upcoming else None
    )


def check_severity(severity: str | None) -> None:
    if severity is not None and severity not in SEVERITIES:
        raise IncidentError("severity", f"{severity!r} is not a level of harm.")


def check_pressure_ulcer(kind: str, grade: int | None) -> None:
    if grade is None:
        return
    if isinstance(grade, bool) or grade not in PRESSURE_ULCER_GRADES:
        raise IncidentError("pressure_ulcer_grade", "A pressure ulcer grade is 1, 2, 3 or 4.")
    if kind != "skin_damage":
        raise IncidentError(
            "pressure_ulcer_grade", "Record a pressure ulcer as skin damage, with its grade."
        )
