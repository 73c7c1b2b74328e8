"""Observations: record a set of readings (any subset) with NEWS2 when every NEWS2 parameter
was taken, RESTORE2 soft signs against the resident's baseline, the escalation the score
calls for and an SBARD prompt; mark one entered in error; and the trend charts' series.

Readings that cannot be right are refused at their field; unusual ones raise
NeedsConfirmation until the caller asks again with ``confirmed=True``. A weight is also
judged against the last weight recorded (see :mod:`shared.observations` for the limits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.services import trends as tr
from desktop.services.care_common import (
    CareServiceBase,
    check_not_future,
    iso,
    local_today,
    now_utc,
    resident_name,
)
from desktop.services.errors import InvalidInput, NeedsConfirmation
from desktop.services.observation_checks import (
    ObservationInput,
    check,
    readings_text,
    score,
    score_of_values,
    score_text,
)
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import observations as obs_rules
from shared.ids import stable_id
from shared.news2 import PARAMETERS, News2Result, RiskBand

BASELINE = "soft_signs_baseline"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Sbard:
    """What to say when handing over to a nurse, GP or 111: each heading with what is known."""

    sections: tuple[tuple[str, str], ...]

    def text(self) -> str:
        return "\n".join(f"{heading}: {body}" for heading, body in self.sections)


@dataclass(frozen=True)
class ObservationSaved:
    record_id: str
    news2: News2Result
    news2_recorded: bool  # any NEWS2 parameter was taken
    soft_signs: tuple[str, ...]
    sbard: Sbard | None  # when soft signs were noticed or the score calls for a response

    @property
    def escalation(self) -> str:
        return self.news2.escalation


@dataclass(frozen=True)
class Baseline:
    resident_id: str
    usual: dict[str, str]  # BASELINE_FIELDS key -> what is usual for this resident
    reviewed_on: str | None

    @property
    def empty(self) -> bool:
        return not any(self.usual.values())


def live_events(events: Iterable[StoredRecord]) -> list[StoredRecord]:
    """The latest version of each event that was not entered in error."""
    latest: dict[str, StoredRecord] = {}
    for event in sorted(events, key=lambda e: e.hlc):
        latest[event.fields.get("amends_id") or event.record_id] = event
    return [e for e in latest.values() if e.fields.get("amend_kind") != "entered_in_error"]


def _moment(record: StoredRecord) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(record.occurred_at or "")
    except ValueError:
        return None


def _needs_sbard(result: News2Result, soft_signs: tuple[str, ...], news2_recorded: bool) -> bool:
    return bool(soft_signs) or (news2_recorded and result.minimum_band is not RiskBand.LOW)


class ObservationService(CareServiceBase):
    # --- recording -----------------------------------------------------------------------

    def record(
        self,
        resident_id: str,
        readings: ObservationInput,
        *,
        soft_signs: Iterable[str] = (),
        note: str = "",
        occurred_at: dt.datetime | None = None,
        confirmed: bool = False,
    ) -> ObservationSaved:
        """Store one set of observations; see the module docstring for what is refused."""
        when = occurred_at or now_utc()
        check_not_future(when, "occurred_at", "time the observations were taken")
        signs = tuple(dict.fromkeys(soft_signs))
        unknown = [s for s in signs if s not in obs_rules.SOFT_SIGNS]
        if unknown:
            raise InvalidInput(f"Unknown soft sign {unknown[0]!r}.", field="soft_signs")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"The note is longer than {MAX_NOTE} characters.", field="note")
        if not readings.recorded and not signs:
            raise InvalidInput(
                "Record at least one reading, or tick the soft signs you noticed.",
                field="temperature",
            )
        checked = check(readings)
        if checked.refused:
            field, message = next(iter(checked.refused.items()))
            raise InvalidInput(message, field=field)
        result = score(readings)
        values = readings.values()
        fields: dict[str, Any] = {
            "resident_id": resident_id,
            "values": values,
            "occurred_at": iso(when),
        }
        if result.total is not None:
            fields["news2"] = result.total
        if signs:
            fields["soft_signs"] = list(signs)
        if note:
            fields["note"] = note
        with self._writing() as (conn, author):
            resident = self._resident(conn, resident_id)
            unusual = list(checked.unusual.values())
            if readings.weight_kg is not None:
                unusual += self._weight_checks(conn, resident_id, readings.weight_kg, when)
            if unusual and not confirmed:
                raise NeedsConfirmation(unusual)
            stored = self._context.recorder.create(conn, "observation", fields, author)
            baseline = self._baseline(conn, resident_id)
        news2_recorded = any(key in values for key in PARAMETERS)
        sbard = None
        if _needs_sbard(result, signs, news2_recorded):
            sbard = build_sbard(
                resident,
                baseline,
                values=values,
                result=result,
                soft_signs=signs,
                news2_recorded=news2_recorded,
            )
        return ObservationSaved(stored.record_id, result, news2_recorded, signs, sbard)

    def _weight_checks(
        self, conn: sa.Connection, resident_id: str, weight: float, when: dt.datetime
    ) -> list[str]:
        last = self._last_weight(conn, resident_id, before=when)
        if last is None:
            return []
        last_kg, last_at = last
        days = (when - last_at).total_seconds() / 86_400
        verdict = obs_rules.weight_change(weight, last_kg, days)
        if verdict.refused:
            raise InvalidInput(verdict.refused, field="weight_kg")
        return [verdict.confirm] if verdict.confirm else []

    def _last_weight(
        self, conn: sa.Connection, resident_id: str, *, before: dt.datetime
    ) -> tuple[float, dt.datetime] | None:
        events = records_repo.for_resident(
            conn, resident_id, ("observation",), before=iso(before + dt.timedelta(seconds=1))
        )
        weighed = []
        for event in live_events(events):
            weight, moment = (event.fields.get("values") or {}).get("weight_kg"), _moment(event)
            if isinstance(weight, int | float) and moment is not None and moment <= before:
                weighed.append((moment, float(weight)))
        if not weighed:
            return None
        moment, weight = max(weighed)
        return weight, moment

    def last_weight(self, resident_id: str) -> float | None:
        with self._context.store.read() as conn:
            last = self._last_weight(conn, resident_id, before=now_utc())
        return None if last is None else last[0]

    def usual_spo2_scale(self, resident_id: str) -> int:
        """The scale of the resident's last SpO2 reading (1 when none): the form's default."""
        with self._context.store.read() as conn:
            events = records_repo.for_resident(conn, resident_id, ("observation",), limit=50)
        for event in sorted(live_events(events), key=lambda e: e.occurred_at or "", reverse=True):
            scale = (event.fields.get("values") or {}).get("spo2_scale")
            if scale in (1, 2):
                return int(scale)
        return 1

    def mark_entered_in_error(self, observation_id: str, reason: str) -> str:
        if not reason.strip():
            raise InvalidInput("Say why the observations were entered in error.", field="reason")
        with self._context.store.read() as conn:
            original = records_repo.get(conn, observation_id)
        if original is None or original.entity != "observation":
            raise InvalidInput("Those observations are not on this PC.")
        fields = {
            **{k: v for k, v in original.fields.items() if k not in ("amends_id", "amend_kind")},
            "amends_id": observation_id,
            "amend_kind": "entered_in_error",
            "amend_reason": reason.strip(),
        }
        with self._writing() as (conn, author):
            return self._context.recorder.create(conn, "observation", fields, author).record_id

    # --- the resident's baseline ("usual self") ---------------------------------------------

    def _baseline(self, conn: sa.Connection, resident_id: str) -> Baseline:
        record = records_repo.get(conn, stable_id(BASELINE, resident_id))
        f = record.fields if record is not None else {}
        usual = {key: str(f.get(key) or "") for key in obs_rules.BASELINE_FIELDS}
        return Baseline(resident_id, usual, f.get("reviewed_on"))

    def baseline(self, resident_id: str) -> Baseline:
        with self._context.store.read() as conn:
            return self._baseline(conn, resident_id)

    def save_baseline(self, resident_id: str, usual: Mapping[str, str]) -> Baseline:
        """Record what is usual for the resident (seniors): one record a resident, merged field
        by field when two PCs change it."""
        unknown = set(usual) - set(obs_rules.BASELINE_FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown part of the baseline {sorted(unknown)[0]!r}.")
        cleaned = {key: str(text).strip() for key, text in usual.items()}
        if not any(cleaned.values()):
            raise InvalidInput(
                "Write what the resident is usually like in at least one part.",
                field="usual_alertness",
            )
        for key, text in cleaned.items():
            if len(text) > 1000:
                raise InvalidInput("Keep each part under 1,000 characters.", field=key)
        record_id = stable_id(BASELINE, resident_id)
        changes: dict[str, Any] = {k: (v or None) for k, v in cleaned.items()}
        changes["reviewed_on"] = local_today().isoformat()
        with self._writing() as (conn, author):
            self._resident(conn, resident_id)
            if records_repo.get(conn, record_id) is None:
                self._context.recorder.create(
                    conn,
                    BASELINE,
                    {"resident_id": resident_id, **{k: v for k, v in changes.items() if v}},
                    author,
                    record_id=record_id,
                )
            else:
                self._context.recorder.update(conn, record_id, changes, author)
            return self._baseline(conn, resident_id)

    # --- trends ------------------------------------------------------------------------------

    def trends(
        self, resident_id: str, span: tr.Span = tr.Span.DAYS, *, now: dt.datetime | None = None
    ) -> tr.Trends:
        """Weight, NEWS2 and daily fluid totals over ``span``, in this PC's calendar."""
        now = now or now_utc()
        today = now.astimezone().date()
        period_list = tr.periods(span, today)
        start = dt.datetime.combine(period_list[0].start, dt.time(), tzinfo=now.astimezone().tzinfo)
        since = iso(start.astimezone(dt.UTC) - dt.timedelta(hours=14))  # any UTC offset
        with self._context.store.read() as conn:
            observations = records_repo.for_resident(
                conn, resident_id, ("observation",), since=since
            )
            notes = records_repo.for_resident(conn, resident_id, ("care_note",), since=since)
            resident = records_repo.get(conn, resident_id)
        weights: list[tuple[dt.datetime, float]] = []
        scores: list[tuple[dt.datetime, float]] = []
        for event in live_events(observations):
            moment = _moment(event)
            values = event.fields.get("values") or {}
            if moment is None or not isinstance(values, dict):
                continue
            local = moment.astimezone()
            if isinstance(values.get("weight_kg"), int | float):
                weights.append((local, float(values["weight_kg"])))
            stored = event.fields.get("news2")
            result = score_of_values(values) if stored is None else None
            total = stored if isinstance(stored, int) else (result.total if result else None)
            if total is not None:
                scores.append((local, float(total)))
        drinks: list[tuple[dt.datetime, int]] = []
        for event in live_events(notes):
            details = event.fields.get("details") or {}
            moment = _moment(event)
            if event.fields.get("category") != "food_fluid" or moment is None:
                continue
            if isinstance(details, dict) and isinstance(details.get("fluid_ml"), int):
                drinks.append((moment.astimezone(), details["fluid_ml"]))
        target = resident.fields.get("fluid_target_ml") if resident else None
        return tr.Trends(
            span,
            tr.Series("Weight", "kg", tuple(tr.last_in_period(period_list, weights))),
            tr.Series("NEWS2", "", tuple(tr.highest_in_period(period_list, scores))),
            tr.Series(
                "Fluids a day",
                "ml",
                tuple(tr.mean_daily_in_period(period_list, tr.daily_totals(drinks))),
                target=float(target) if isinstance(target, int) and target else None,
            ),
        )


def build_sbard(
    resident: Mapping[str, Any],
    baseline: Baseline,
    *,
    values: Mapping[str, Any],
    result: News2Result,
    soft_signs: tuple[str, ...],
    news2_recorded: bool,
) -> Sbard:
    """An SBARD prompt filled with what the PC knows; the person adds the rest as they call."""
    name = resident_name(dict(resident))
    room = f", room {resident['room']}" if resident.get("room") else ""
    concerns = [obs_rules.SOFT_SIGNS[s].lower() for s in soft_signs]
    if news2_recorded and result.total is not None:
        concerns.append(score_text(result).replace("NEWS2", "a NEWS2 score of", 1))
    situation = f"I am calling about {name}{room}. I am worried because of: " + "; ".join(concerns)
    usual = [
        f"{obs_rules.BASELINE_FIELDS[k].split(' (')[0]}: {text}"
        for k, text in baseline.usual.items()
        if text
    ]
    background = (
        "Usually: " + "; ".join(usual) + "."
        if usual
        else "No baseline is recorded: say what they are usually like."
    )
    extras = []
    if resident.get("dnacpr"):
        extras.append("DNACPR in place.")
    if resident.get("allergies"):
        extras.append(f"Allergies: {resident['allergies']}.")
    background = " ".join([background, *extras])
    readings = readings_text(values)
    assessment = (readings + ". " if readings else "") + (
        score_text(result) + "." if news2_recorded else "No observations taken."
    )
    recommendation = (
        "Say what you need (a visit today, advice, or an ambulance). " + result.escalation
        if news2_recorded
        else "Say what you need (a visit today, advice, or an ambulance). Take a full set of "
        "observations if you can."
    )
    decision = "Write down what was agreed, who agreed it, and when to check again."
    return Sbard(
        tuple(
            zip(
                obs_rules.SBARD_HEADINGS,
                (situation + ".", background, assessment, recommendation, decision),
                strict=True,
            )
        )
    )
