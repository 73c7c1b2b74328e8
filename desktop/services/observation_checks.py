"""One set of observations as the form gives it: typed text read into numbers, each reading
checked (refused when it cannot be right, flagged when it needs confirming), its NEWS2 score,
and how a stored observation reads in the timeline. Pure: no database, safe on any thread."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from desktop.services.errors import InvalidInput
from shared import news2
from shared import observations as obs_rules
from shared.news2 import Consciousness, News2Input, News2Result, Spo2Scale

NEWS2_READINGS = ("respiration_rate", "spo2", "systolic_bp", "pulse", "temperature")
CONSCIOUSNESS_LABELS = {
    "A": "Alert",
    "C": "New confusion",
    "V": "Responds to voice",
    "P": "Responds to pain",
    "U": "Unresponsive",
}


@dataclass(frozen=True)
class ObservationInput:
    """One set of readings; ``None`` means not recorded. Any subset may be recorded."""

    temperature: float | None = None  # °C
    pulse: int | None = None  # beats a minute
    respiration_rate: int | None = None  # breaths a minute
    systolic_bp: int | None = None  # mmHg
    diastolic_bp: int | None = None  # mmHg
    spo2: int | None = None  # %
    spo2_scale: int = 1  # 2 only when a clinician has set a target of 88–92%
    on_oxygen: bool | None = None  # False: on air
    consciousness: str | None = None  # ACVPU letter
    blood_glucose: float | None = None  # mmol/L
    weight_kg: float | None = None

    @property
    def recorded(self) -> bool:
        return any(
            getattr(self, f.name) is not None for f in fields(self) if f.name != "spo2_scale"
        )

    def values(self) -> dict[str, Any]:
        """What goes in the observation record: the readings taken (the SpO2 scale with SpO2)."""
        values = {
            key: getattr(self, key)
            for key in obs_rules.READING_LABELS
            if getattr(self, key) is not None
        }
        if self.spo2 is not None:
            values["spo2_scale"] = self.spo2_scale
        return values

    def news2_input(self) -> News2Input:
        return News2Input(
            respiration_rate=self.respiration_rate,
            spo2=self.spo2,
            on_oxygen=self.on_oxygen,
            systolic_bp=self.systolic_bp,
            pulse=self.pulse,
            consciousness=None if self.consciousness is None else Consciousness(self.consciousness),
            temperature=self.temperature,
            spo2_scale=Spo2Scale(self.spo2_scale),
        )


def _number(key: str, text: str) -> float | int | None:
    cleaned = text.strip().replace(",", ".")
    for unit in (obs_rules.UNITS.get(key, ""), "°c", "c", "kg", "%", "bpm"):
        if unit and cleaned.lower().endswith(unit.lower()):
            cleaned = cleaned[: -len(unit)].strip()
    if not cleaned:
        return None
    label = obs_rules.READING_LABELS[key]
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidInput(f"The {label} must be a number, like 72.", field=key) from None
    if not math.isfinite(value):
        raise InvalidInput(f"The {label} must be a number, like 72.", field=key)
    if key in obs_rules.WHOLE_NUMBERS:
        if value != int(value):
            raise InvalidInput(f"The {label} is a whole number: re-enter it.", field=key)
        return int(value)
    return round(value, 1)


def read_form(
    texts: Mapping[str, str],
    *,
    spo2_scale: int = 1,
    on_oxygen: bool | None = None,
    consciousness: str | None = None,
) -> ObservationInput:
    """Readings typed into the form (blank: not taken); InvalidInput names a field that is not
    a number."""
    unknown = set(texts) - set(obs_rules.READING_LABELS)
    if unknown:
        raise InvalidInput(f"Unknown reading {sorted(unknown)[0]!r}.")
    numbers: dict[str, Any] = {key: _number(key, text) for key, text in texts.items()}
    readings = ObservationInput(spo2_scale=spo2_scale, on_oxygen=on_oxygen)
    if consciousness:
        readings = replace(readings, consciousness=consciousness)
    return replace(readings, **{k: v for k, v in numbers.items() if v is not None})


@dataclass(frozen=True)
class ReadingCheck:
    refused: dict[str, str]  # field -> why it cannot be right
    unusual: dict[str, str]  # field -> why it needs confirming


def check(readings: ObservationInput) -> ReadingCheck:
    """Each reading on its own field (NEWS2's own limits for the scored ones)."""
    refused: dict[str, str] = {}
    unusual: dict[str, str] = {}
    if readings.spo2_scale not in (1, 2):
        refused["spo2_scale"] = "The SpO2 scale is 1, or 2 when a clinician has set it."
    if readings.consciousness is not None and readings.consciousness not in CONSCIOUSNESS_LABELS:
        refused["consciousness"] = "Choose the level of consciousness: A, C, V, P or U."
    for key in NEWS2_READINGS:
        value = getattr(readings, key)
        if value is None:
            continue
        alone = News2Input(**{key: value})
        problems = news2.implausible(alone)
        if problems:
            refused[key] = problems[0]
        elif odd := news2.unusual(alone):
            unusual[key] = odd[0]
    for key in obs_rules.EXTRA_LIMITS:
        value = getattr(readings, key)
        if value is None:
            continue
        if (problem := obs_rules.implausible_reading(key, float(value))) is not None:
            refused[key] = problem
        elif (odd_one := obs_rules.unusual_reading(key, float(value))) is not None:
            unusual[key] = odd_one
    if "systolic_bp" not in refused and "diastolic_bp" not in refused:
        problem = obs_rules.blood_pressure_problem(readings.systolic_bp, readings.diastolic_bp)
        if problem:
            refused["diastolic_bp"] = problem
            unusual.pop("diastolic_bp", None)
    return ReadingCheck(refused, unusual)


def score(readings: ObservationInput) -> News2Result:
    """The NEWS2 score of what was recorded (incomplete: no total, and why)."""
    return news2.score(readings.news2_input())


def score_of_values(values: Mapping[str, Any]) -> News2Result | None:
    """The score of a stored record's ``values``; None when they cannot be read."""
    try:
        return news2.score(News2Input.from_values(values))
    except ValueError:
        return None


def band_label(result: News2Result) -> str:
    band = result.band or result.minimum_band
    return f"{band.value} risk"


def score_text(result: News2Result) -> str:
    if result.total is not None:
        return f"NEWS2 {result.total}, {band_label(result)}"
    text = f"NEWS2 not calculated (no {_joined(result.missing)})"
    if result.minimum_band is not news2.RiskBand.LOW:
        text += f", but already at least {result.minimum_band.value} risk"
    return text


def _joined(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def reading_text(key: str, value: Any, values: Mapping[str, Any]) -> str:
    label = obs_rules.READING_LABELS[key]
    if key == "on_oxygen":
        return "on oxygen" if value else "on air"
    if key == "consciousness":
        return CONSCIOUSNESS_LABELS.get(str(value), str(value)).lower()
    unit = obs_rules.UNITS[key]
    shown = f"{value:g}" if isinstance(value, int | float) else str(value)
    text = f"{label} {shown}{'' if unit in ('%', '/min') else ' '}{unit}"
    if key == "spo2" and values.get("spo2_scale") == 2:
        text += " (scale 2)"
    return text


def readings_text(values: Mapping[str, Any]) -> str:
    """The readings in words, in the form's order; blood pressure as upper/lower."""
    parts: list[str] = []
    for key in obs_rules.READING_LABELS:
        if key not in values or values[key] is None or key == "diastolic_bp":
            continue
        if key == "systolic_bp" and values.get("diastolic_bp") is not None:
            parts.append(f"BP {values['systolic_bp']}/{values['diastolic_bp']} mmHg")
            continue
        parts.append(reading_text(key, values[key], values))
    if "systolic_bp" not in values and values.get("diastolic_bp") is not None:
        parts.append(reading_text("diastolic_bp", values["diastolic_bp"], values))
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def soft_signs_text(signs: list[str] | tuple[str, ...]) -> str:
    labels = [obs_rules.SOFT_SIGNS.get(s, s).lower() for s in signs]
    return f"Soft signs: {'; '.join(labels)}." if labels else ""


@dataclass(frozen=True)
class ObservationSummary:
    text: str
    score_label: str  # "NEWS2 5" or "" when not calculated or no NEWS2 readings
    colour: str  # shared.news2 colour name of the band ("grey" when incomplete)


def summarise(fields_: Mapping[str, Any]) -> ObservationSummary:
    """How a stored observation reads: its NEWS2 score and band first, then the readings, the
    soft signs and the note."""
    values = fields_.get("values") or {}
    values = values if isinstance(values, dict) else {}
    signs = fields_.get("soft_signs") or []
    signs = signs if isinstance(signs, list) else []
    result = score_of_values(values)
    has_news2 = any(key in values for key in news2.PARAMETERS)
    parts: list[str] = []
    label, colour = "", ""
    if result is not None and has_news2:
        parts.append(score_text(result) + ".")
        colour = result.colour
        if result.total is not None:
            label = f"NEWS2 {result.total}"
    readings = readings_text(values)
    if readings:
        parts.append(readings + ".")
    if signs:
        parts.append(soft_signs_text(signs))
    note = str(fields_.get("note") or "").strip()
    if note:
        parts.append(note)
    return ObservationSummary(" ".join(parts), label, colour)
