"""NEWS2 (Royal College of Physicians, 2017): score one set of observations to the published
bands and say what response and frequency of monitoring the RCP chart calls for.

A set with any parameter missing is incomplete: it gets no total rather than a wrong one, but
a parameter already scoring 3, or a partial sum already at a trigger, is still reported as
the least the resident needs. Scoring does not judge whether a value is believable: the UI
asks :func:`implausible` (refuse) and :func:`unusual` (confirm) before it saves or shows one.

National Early Warning Score (NEWS) 2 © Royal College of Physicians 2017.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, TypeVar

_T = TypeVar("_T")


class Spo2Scale(IntEnum):
    """Scale 2 only for confirmed hypercapnic respiratory failure with a prescribed target
    SpO2 of 88–92%, as decided by a clinician; everyone else is on scale 1."""

    SCALE_1 = 1
    SCALE_2 = 2


class Consciousness(StrEnum):
    """ACVPU. ``NEW_CONFUSION`` is confusion that is new or worse than the resident's usual
    self: a resident living with dementia who is as they usually are is ``ALERT``."""

    ALERT = "A"
    NEW_CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"


class RiskBand(StrEnum):
    LOW = "low"
    LOW_MEDIUM = "low-medium"  # a single parameter scoring 3, aggregate 0–4
    MEDIUM = "medium"  # aggregate 5–6
    HIGH = "high"  # aggregate 7 or more


_BAND_ORDER = (RiskBand.LOW, RiskBand.LOW_MEDIUM, RiskBand.MEDIUM, RiskBand.HIGH)

# UI colours for the clinical risk band: a policy choice [U] (the reference gives the bands
# but not their colours). Parameter colours follow the RCP observation chart.
BAND_COLOURS: Mapping[RiskBand, str] = {
    RiskBand.LOW: "green",
    RiskBand.LOW_MEDIUM: "yellow",
    RiskBand.MEDIUM: "orange",
    RiskBand.HIGH: "red",
}
INCOMPLETE_COLOUR = "grey"
_PARAMETER_COLOURS = ("white", "yellow", "orange", "red")

# The plain-English name of each parameter, in chart order; keys match ``News2Input`` fields.
PARAMETERS: Mapping[str, str] = {
    "respiration_rate": "respiration rate",
    "spo2": "SpO2",
    "on_oxygen": "air or oxygen",
    "systolic_bp": "systolic blood pressure",
    "pulse": "pulse",
    "consciousness": "level of consciousness",
    "temperature": "temperature",
}


@dataclass(frozen=True)
class News2Input:
    """One set of observations. ``None`` means not recorded."""

    respiration_rate: int | None = None  # breaths a minute
    spo2: int | None = None  # %
    on_oxygen: bool | None = None  # False: breathing air
    systolic_bp: int | None = None  # mmHg
    pulse: int | None = None  # beats a minute
    consciousness: Consciousness | None = None
    temperature: float | None = None  # °C
    spo2_scale: Spo2Scale = Spo2Scale.SCALE_1  # part of the care plan, not an observation

    @staticmethod
    def from_values(values: Mapping[str, Any]) -> News2Input:
        """Read an observation record's ``values`` (other keys, like ``diastolic_bp``, are
        ignored). Raise ValueError for a value of the wrong kind."""

        def number(key: str, *, whole: bool) -> Any:
            value = values.get(key)
            if value is None:
                return None
            kinds = int if whole else (int, float)
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise ValueError(f"{PARAMETERS[key]} must be a {'whole ' if whole else ''}number")
            return value

        on_oxygen = values.get("on_oxygen")
        if on_oxygen is not None and not isinstance(on_oxygen, bool):
            raise ValueError("air or oxygen must be true (oxygen) or false (air)")
        consciousness, scale = values.get("consciousness"), values.get("spo2_scale")
        scale = Spo2Scale.SCALE_1 if scale is None else scale
        if consciousness is not None and consciousness not in list(Consciousness):
            raise ValueError("level of consciousness must be one of A, C, V, P or U")
        if isinstance(scale, bool) or scale not in list(Spo2Scale):
            raise ValueError("SpO2 scale must be 1 or 2")
        return News2Input(
            respiration_rate=number("respiration_rate", whole=True),
            spo2=number("spo2", whole=True),
            on_oxygen=on_oxygen,
            systolic_bp=number("systolic_bp", whole=True),
            pulse=number("pulse", whole=True),
            consciousness=None if consciousness is None else Consciousness(consciousness),
            temperature=number("temperature", whole=False),
            spo2_scale=Spo2Scale(scale),
        )


@dataclass(frozen=True)
class News2Result:
    """Per-parameter scores (``None`` where not recorded), and what they call for.

    ``total`` and ``band`` are ``None`` when the set is incomplete. ``minimum_band`` is the
    band the recorded parameters already guarantee (missing ones can only add to a score);
    for a complete set it equals ``band``.
    """

    respiration_rate: int | None
    spo2: int | None
    on_oxygen: int | None
    systolic_bp: int | None
    pulse: int | None
    consciousness: int | None
    temperature: int | None
    missing: tuple[str, ...]
    total: int | None
    any_single_three: bool
    band: RiskBand | None
    minimum_band: RiskBand
    colour: str
    monitoring: str
    escalation: str

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def scores(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in PARAMETERS}


# Each band is (inclusive upper bound, score), in order; the next band starts just above the
# previous bound, so a value between the chart's whole or one-decimal steps (a temperature
# of 35.05) scores with the band above it, as the chart's next step (35.1) would.
Bands = tuple[tuple[float, int], ...]
RESPIRATION_RATE_BANDS: Bands = ((8, 3), (11, 1), (20, 0), (24, 2), (math.inf, 3))
SPO2_SCALE_1_BANDS: Bands = ((91, 3), (93, 2), (95, 1), (math.inf, 0))
SPO2_SCALE_2_BANDS: Bands = ((83, 3), (85, 2), (87, 1), (92, 0))  # then air or oxygen decides
SPO2_SCALE_2_ON_OXYGEN_BANDS: Bands = ((94, 1), (96, 2), (math.inf, 3))
SYSTOLIC_BP_BANDS: Bands = ((90, 3), (100, 2), (110, 1), (219, 0), (math.inf, 3))
PULSE_BANDS: Bands = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (math.inf, 3))
TEMPERATURE_BANDS: Bands = ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (math.inf, 2))


def _banded(value: float, bands: Bands) -> int:
    for upper, points in bands:
        if value <= upper:
            return points
    raise ValueError(f"cannot score {value!r}")  # only NaN gets here


def score_respiration_rate(rate: float) -> int:
    return _banded(rate, RESPIRATION_RATE_BANDS)


def score_spo2(spo2: float, scale: Spo2Scale, on_oxygen: bool | None) -> int | None:
    """``None`` only on scale 2 at 93% or more when air or oxygen is not recorded."""
    if scale is Spo2Scale.SCALE_1:
        return _banded(spo2, SPO2_SCALE_1_BANDS)
    if spo2 <= SPO2_SCALE_2_BANDS[-1][0]:
        return _banded(spo2, SPO2_SCALE_2_BANDS)
    # Above 92%, scale 2 scores only on oxygen: on air 93% or more is within target.
    if on_oxygen is None:
        return None
    return _banded(spo2, SPO2_SCALE_2_ON_OXYGEN_BANDS) if on_oxygen else 0


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return 2 if on_oxygen else 0


def score_systolic_bp(systolic: float) -> int:
    return _banded(systolic, SYSTOLIC_BP_BANDS)


def score_pulse(pulse: float) -> int:
    return _banded(pulse, PULSE_BANDS)


def score_consciousness(level: Consciousness) -> int:
    return 0 if level is Consciousness.ALERT else 3


def score_temperature(celsius: float) -> int:
    return _banded(celsius, TEMPERATURE_BANDS)


def parameter_colour(score: int) -> str:
    """The RCP observation chart's colour for one parameter's score (0–3)."""
    return _PARAMETER_COLOURS[score]


# (frequency of monitoring, clinical response), from RCP NEWS2 chart 4.
_RESPONSES: Mapping[str, tuple[str, str]] = {
    "zero": ("Minimum 12-hourly", "Continue routine NEWS monitoring."),
    "low": (
        "Minimum 4–6-hourly",
        "Inform the registered nurse, who must assess the resident and decide whether "
        "monitoring should be more frequent or care escalated.",
    ),
    "single_three": (
        "Minimum hourly",
        "The registered nurse informs the medical team caring for the resident, who will "
        "review and decide whether care should be escalated.",
    ),
    "urgent": (
        "Minimum hourly",
        "Urgent response: the registered nurse immediately informs the medical team caring "
        "for the resident and asks for urgent assessment by a clinician or team competent in "
        "caring for acutely ill people. Provide care where the resident can be monitored.",
    ),
    "emergency": (
        "Continuous monitoring of vital signs",
        "Emergency response: the registered nurse immediately informs the medical team "
        "caring for the resident (at least specialist registrar level). Emergency assessment "
        "by a team with critical care competencies, including advanced airway management. "
        "Consider transfer to a level 2 or 3 care facility (a high-dependency unit or ICU).",
    ),
}


def _band(total: int, any_single_three: bool) -> RiskBand:
    if total >= 7:
        return RiskBand.HIGH
    if total >= 5:
        return RiskBand.MEDIUM
    if any_single_three:
        return RiskBand.LOW_MEDIUM
    return RiskBand.LOW


def _response(total: int, band: RiskBand) -> tuple[str, str]:
    key = {
        RiskBand.HIGH: "emergency",
        RiskBand.MEDIUM: "urgent",
        RiskBand.LOW_MEDIUM: "single_three",
    }.get(band, "zero" if total == 0 else "low")
    return _RESPONSES[key]


def _maybe(value: _T | None, scorer: Callable[[_T], int]) -> int | None:
    return None if value is None else scorer(value)


def _finite(value: float | None) -> float | None:
    """A NaN or infinite reading is not a reading: it counts as not recorded."""
    return value if value is not None and math.isfinite(value) else None


def score(obs: News2Input) -> News2Result:
    """The NEWS2 score of one set of observations, to the RCP 2017 bands."""
    spo2_reading = _finite(obs.spo2)
    spo2 = None if spo2_reading is None else score_spo2(spo2_reading, obs.spo2_scale, obs.on_oxygen)
    scores: dict[str, int | None] = {
        "respiration_rate": _maybe(_finite(obs.respiration_rate), score_respiration_rate),
        "spo2": spo2,
        "on_oxygen": _maybe(obs.on_oxygen, score_air_or_oxygen),
        "systolic_bp": _maybe(_finite(obs.systolic_bp), score_systolic_bp),
        "pulse": _maybe(_finite(obs.pulse), score_pulse),
        "consciousness": _maybe(obs.consciousness, score_consciousness),
        "temperature": _maybe(_finite(obs.temperature), score_temperature),
    }
    missing = tuple(PARAMETERS[name] for name, value in scores.items() if value is None)
    recorded = [value for value in scores.values() if value is not None]
    partial = sum(recorded)
    any_single_three = 3 in recorded
    minimum_band = _band(partial, any_single_three)
    if not missing:
        monitoring, escalation = _response(partial, minimum_band)
        colour = BAND_COLOURS[minimum_band]
    elif minimum_band is RiskBand.LOW:
        monitoring = "Not known until every parameter is recorded"
        escalation = f"Record the missing observations ({', '.join(missing)}) to get a score."
        colour = INCOMPLETE_COLOUR
    else:
        monitoring, response = _response(partial, minimum_band)
        escalation = (
            f"Incomplete, but already at least {minimum_band.value} risk. {response} Record the "
            f"missing observations ({', '.join(missing)}) to get a score."
        )
        colour = BAND_COLOURS[minimum_band]
    return News2Result(
        respiration_rate=scores["respiration_rate"],
        spo2=scores["spo2"],
        on_oxygen=scores["on_oxygen"],
        systolic_bp=scores["systolic_bp"],
        pulse=scores["pulse"],
        consciousness=scores["consciousness"],
        temperature=scores["temperature"],
        missing=missing,
        total=None if missing else partial,
        any_single_three=any_single_three,
        band=None if missing else minimum_band,
        minimum_band=minimum_band,
        colour=colour,
        monitoring=monitoring,
        escalation=escalation,
    )


def band_rank(band: RiskBand) -> int:
    """0 for low up to 3 for high, for comparing bands."""
    return _BAND_ORDER.index(band)


@dataclass(frozen=True)
class _Limits:
    unit: str
    possible: tuple[float, float]  # outside this a reading cannot be right
    usual: tuple[float, float]  # outside this (but possible) it needs confirming


# Policy choices [U], not RCP values: wide enough for very ill residents, narrow enough to
# catch a slipped digit. Consciousness and air/oxygen are choices, so cannot be implausible.
_LIMITS: Mapping[str, _Limits] = {
    "respiration_rate": _Limits("breaths a minute", (1, 70), (8, 35)),
    "spo2": _Limits("%", (50, 100), (80, 100)),
    "systolic_bp": _Limits("mmHg", (40, 300), (70, 250)),
    "pulse": _Limits("beats a minute", (20, 250), (40, 160)),
    "temperature": _Limits("°C", (25.0, 44.0), (34.0, 41.0)),
}


def _readings(obs: News2Input) -> list[tuple[str, float]]:
    return [(name, float(value)) for name in _LIMITS if (value := getattr(obs, name)) is not None]


def _shown(value: float, unit: str = "") -> str:
    return f"{value:g}{'' if unit in ('', '%') else ' '}{unit}"


def _sentence_start(label: str) -> str:
    return label[0].upper() + label[1:]


def implausible(obs: News2Input) -> list[str]:
    """Sentences for readings that cannot be right for a living resident: the UI refuses them."""
    messages: list[str] = []
    for name, value in _readings(obs):
        limits = _LIMITS[name]
        label = PARAMETERS[name]
        reading = f"{_sentence_start(label)} {_shown(value, limits.unit)}"
        low, high = limits.possible
        if not math.isfinite(value):
            messages.append(f"The {label} is not a number: re-enter it.")
        elif value < 0:
            messages.append(f"{reading} is negative, which cannot be right: re-enter it.")
        elif value == 0 and name in ("pulse", "respiration_rate"):
            messages.append(
                f"{reading} cannot be scored. If the resident "
                f"{'has no pulse' if name == 'pulse' else 'is not breathing'}, start your "
                "emergency procedure now; otherwise check and re-enter it."
            )
        elif name == "temperature" and 86 <= value <= 113:
            messages.append(
                f"{reading} looks like degrees Fahrenheit "
                f"({_shown(round((value - 32) * 5 / 9, 1), '°C')}): enter it in °C."
            )
        elif value > high and name == "spo2":
            messages.append(f"{reading} is impossible: SpO2 cannot be over 100%. Re-enter it.")
        elif value < low or value > high:
            messages.append(
                f"{reading} is not possible for a living person: check the reading and re-enter it."
            )
    return messages


def unusual(obs: News2Input) -> list[str]:
    """Sentences for readings that are possible but unusual: the UI asks the person to check
    and confirm them. A reading that is implausible is not also reported here."""
    messages: list[str] = []
    for name, value in _readings(obs):
        limits = _LIMITS[name]
        if not math.isfinite(value):
            continue
        possible_low, possible_high = limits.possible
        usual_low, usual_high = limits.usual
        if not possible_low <= value <= possible_high:
            continue
        if value < usual_low or value > usual_high:
            label = PARAMETERS[name]
            messages.append(
                f"{_sentence_start(label)} {_shown(value, limits.unit)} is unusual: check it "
                "(re-measure if you can) and confirm."
            )
    return messages
