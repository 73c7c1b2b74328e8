"""One set of observations beyond NEWS2's own checks: diastolic blood pressure, blood glucose
and weight (what cannot be right, what needs confirming), a weight change against the last
weight, and the RESTORE2 soft signs.

The NEWS2 parameters are judged by :mod:`shared.news2` (``implausible``/``unusual``); this
module adds the readings NEWS2 does not score. Every limit here is a policy choice [U], not a
published value: wide enough for very ill residents, narrow enough to catch a slipped digit,
a reading typed in the wrong unit, or the wrong resident's weight.

Weight change against the last recorded weight (``days`` since it, at least one):

* refused when the change is more than ``10 kg + 1 kg × days`` (a 20 kg change in a day is
  not a real change in a body: it is a slip, another resident, or clothes and a wheelchair);
* confirmed when it is more than ``2 kg + 0.25 kg × days`` (2 kg overnight, 3.75 kg in a
  week, about 9.5 kg in a month): real but worth re-weighing and telling the nurse, since a
  quick gain can be fluid retention and a quick loss can be illness or not eating.

RESTORE2 ("Recognise Early Soft-signs, Take Observations, Respond, Escalate", Wessex): soft
signs judged against the resident's personal baseline, NEWS2, and SBARD to hand over. The
reference names the components, not the soft-sign list: the list below paraphrases the usual
RESTORE2mini prompts [U] and must be checked by the clinical safety officer before release.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# Keys of an observation record's ``values``, in the order the form and the timeline use.
READING_LABELS: Mapping[str, str] = {
    "temperature": "temperature",
    "pulse": "pulse",
    "respiration_rate": "respiration rate",
    "systolic_bp": "systolic blood pressure",
    "diastolic_bp": "diastolic blood pressure",
    "spo2": "SpO2",
    "on_oxygen": "air or oxygen",
    "consciousness": "level of consciousness",
    "blood_glucose": "blood glucose",
    "weight_kg": "weight",
}
UNITS: Mapping[str, str] = {
    "temperature": "°C",
    "pulse": "/min",
    "respiration_rate": "/min",
    "systolic_bp": "mmHg",
    "diastolic_bp": "mmHg",
    "spo2": "%",
    "blood_glucose": "mmol/L",
    "weight_kg": "kg",
}
WHOLE_NUMBERS = frozenset({"pulse", "respiration_rate", "systolic_bp", "diastolic_bp", "spo2"})


@dataclass(frozen=True)
class Limits:
    possible: tuple[float, float]  # outside this a reading cannot be right
    usual: tuple[float, float]  # outside this (but possible) it needs confirming


EXTRA_LIMITS: Mapping[str, Limits] = {
    "diastolic_bp": Limits((20, 200), (40, 120)),
    "blood_glucose": Limits((1.0, 35.0), (4.0, 15.0)),  # meters read "HI" above about 33
    "weight_kg": Limits((25.0, 300.0), (35.0, 180.0)),
}

WEIGHT_REFUSE_KG, WEIGHT_REFUSE_KG_PER_DAY = 10.0, 1.0
WEIGHT_CONFIRM_KG, WEIGHT_CONFIRM_KG_PER_DAY = 2.0, 0.25


def _shown(value: float, unit: str) -> str:
    return f"{value:g}{'' if unit == '%' else ' '}{unit}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def implausible_reading(key: str, value: float) -> str | None:
    """Why a diastolic, glucose or weight reading cannot be right, or None."""
    limits = EXTRA_LIMITS[key]
    label, unit = READING_LABELS[key], UNITS[key]
    reading = f"{_capital(label)} {_shown(value, unit)}"
    if not math.isfinite(value):
        return f"The {label} is not a number: re-enter it."
    if value < 0:
        return f"{reading} is negative, which cannot be right: re-enter it."
    if key == "blood_glucose" and 40 <= value <= 600:
        return (
            f"{reading} looks like mg/dL ({value / 18:.1f} mmol/L): enter it in mmol/L as the "
            "meter shows it."
        )
    low, high = limits.possible
    if key == "weight_kg" and (value < low or value > high):
        return (
            f"{reading} is not a possible weight for a resident: check the scales and re-enter it."
        )
    if value < low or value > high:
        return f"{reading} is not possible: check the reading and re-enter it."
    return None


def unusual_reading(key: str, value: float) -> str | None:
    """Why a possible diastolic, glucose or weight reading needs confirming, or None."""
    if implausible_reading(key, value) is not None:
        return None
    low, high = EXTRA_LIMITS[key].usual
    if low <= value <= high:
        return None
    label, unit = READING_LABELS[key], UNITS[key]
    extra = ""
    if key == "blood_glucose" and value < low:
        extra = " Under 4 is a hypo: follow the resident's hypoglycaemia plan now."
    return f"{_capital(label)} {_shown(value, unit)} is unusual: check it and confirm.{extra}"


def blood_pressure_problem(systolic: float | None, diastolic: float | None) -> str | None:
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        return (
            f"The lower number ({diastolic:g}) must be less than the upper number ({systolic:g}): "
            "check which is which."
        )
    return None


@dataclass(frozen=True)
class WeightCheck:
    refused: str | None  # a sentence when the change cannot be right
    confirm: str | None  # a sentence when it needs confirming


def weight_change(new_kg: float, last_kg: float, days: float) -> WeightCheck:
    """Judge ``new_kg`` against the last recorded weight, ``days`` ago (under a day counts as
    one day)."""
    days = max(days, 1.0)
    change = new_kg - last_kg
    size = abs(change)
    direction = "more" if change > 0 else "less"
    since = "a day" if days <= 1 else f"{days:.0f} days"
    what = (
        f"{_shown(round(size, 1), 'kg')} {direction} than the last weight "
        f"({_shown(last_kg, 'kg')}, {since} ago)"
    )
    if size > WEIGHT_REFUSE_KG + WEIGHT_REFUSE_KG_PER_DAY * days:
        return WeightCheck(
            f"{_shown(new_kg, 'kg')} is {what}: a body cannot change that much. Check the "
            "scales and the resident, and re-weigh. If the last weight was wrong, mark it "
            "entered in error first.",
            None,
        )
    if size > WEIGHT_CONFIRM_KG + WEIGHT_CONFIRM_KG_PER_DAY * days:
        return WeightCheck(
            None,
            f"Weight {_shown(new_kg, 'kg')} is {what}. Re-weigh on the same scales to check, "
            "confirm, and tell the nurse.",
        )
    return WeightCheck(None, None)


# RESTORE2 soft signs [U]: key -> what the carer notices, against the resident's usual self.
SOFT_SIGNS: Mapping[str, str] = {
    "confusion_or_drowsy": "New or worse confusion, or more sleepy than usual",
    "eating_drinking_less": "Eating or drinking less than usual",
    "breathing": "Breathing differently, or a new cough",
    "pain": "New pain, or pain that is worse",
    "mobility": "Less steady or weaker than usual, or a fall",
    "behaviour": "Behaving differently: agitated, withdrawn or low",
    "skin": "Skin looks different: pale, mottled, clammy or hot",
    "continence": "Passing less urine, new incontinence, diarrhoea or vomiting",
    "not_themselves": "Just not themselves, or family are worried",
}

# The resident's personal baseline: what "usual" means for each soft sign.
BASELINE_FIELDS: Mapping[str, str] = {
    "usual_alertness": "Alertness, memory and confusion",
    "usual_communication": "Communication and understanding",
    "usual_eating_drinking": "Eating and drinking",
    "usual_breathing": "Breathing",
    "usual_mobility": "Mobility and falls",
    "usual_mood": "Mood and behaviour",
    "usual_skin": "Skin",
    "usual_continence": "Continence",
    "usual_observations": "Usual observations (e.g. BP 150/85, SpO2 93% on air)",
}

SBARD_HEADINGS = ("Situation", "Background", "Assessment", "Recommendation", "Decision")
