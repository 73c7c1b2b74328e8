"""Assessments as records: each tool of ``shared.assessments`` described item by item (for a
form to draw and for stored inputs to be read back), inputs as stored (plain JSON values)
turned into the tool's input, and a scored result turned into what is saved with it.

An incomplete assessment is scored too: it is saved with no score and names what is missing.
How often each tool is repeated is policy [U] except MUST (monthly in care homes, reference
§2.7); the pain tools are repeated by the hour after an intervention and the falls assessment
after every fall, so neither has a monthly interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from shared.assessments import (
    AssessmentInputError,
    AssessmentResult,
    abbey,
    barthel,
    bed_rails,
    falls,
    must,
    oral_health,
    painad,
    waterlow,
)


class ItemKind(StrEnum):
    POINTS = "points"  # a whole number of points in a range
    YES_NO = "yes_no"
    CHOICE = "choice"  # one of the tool's listed answers
    MEASURE = "measure"  # a measurement with a unit
    TEXT_LIST = "text_list"  # free-text reasons


@dataclass(frozen=True)
class ItemSpec:
    name: str
    label: str
    kind: ItemKind
    lowest: int = 0
    highest: int | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    enum: type[Enum] | None = None


@dataclass(frozen=True)
class ToolSpec:
    key: str
    title: str
    items: tuple[ItemSpec, ...]
    input_type: type[Any]
    score: Callable[[Any], AssessmentResult]
    rescore_months: int | None  # None: not repeated on a monthly timetable
    note: str = ""


def _points(table: Mapping[str, Any]) -> tuple[ItemSpec, ...]:
    return tuple(
        ItemSpec(name, item.label, ItemKind.POINTS, item.lowest, item.highest)
        for name, item in table.items()
    )


def _yes_no(table: Mapping[str, str]) -> tuple[ItemSpec, ...]:
    return tuple(ItemSpec(name, label, ItemKind.YES_NO) for name, label in table.items())


def _choice(name: str, label: str, enum: type[Enum]) -> ItemSpec:
    return ItemSpec(
        name, label, ItemKind.CHOICE, choices=tuple(str(e.value) for e in enum), enum=enum
    )


TOOLS: Mapping[str, ToolSpec] = {
    "must": ToolSpec(
        "must",
        "MUST (nutrition)",
        (
            ItemSpec("height_m", "Height", ItemKind.MEASURE, unit="m"),
            ItemSpec("weight_kg", "Weight now", ItemKind.MEASURE, unit="kg"),
            ItemSpec(
                "weight_3_to_6_months_ago_kg", "Weight 3–6 months ago", ItemKind.MEASURE, unit="kg"
            ),
            ItemSpec("weight_loss_planned", "The weight loss was planned", ItemKind.YES_NO),
            _choice("acute_disease_effect", "Acute disease effect", must.AcuteDiseaseEffect),
        ),
        must.MustInput,
        must.score,
        1,
        "'MUST' is © BAPEN: follow the home's licensed management guidelines.",
    ),
    "waterlow": ToolSpec(
        "waterlow",
        "Waterlow (pressure ulcer risk)",
        _points(waterlow.ITEMS),
        waterlow.WaterlowInput,
        waterlow.score,
        1,
        "Waterlow © Judy Waterlow: read each category's points off the home's score card.",
    ),
    "barthel": ToolSpec(
        "barthel",
        "Barthel index (daily living)",
        _points(barthel.ITEMS),
        barthel.BarthelInput,
        barthel.score,
        3,
    ),
    "abbey": ToolSpec(
        "abbey",
        "Abbey Pain Scale",
        (*_points(abbey.ITEMS), _choice("pain_type", "Type of pain", abbey.PainType)),
        abbey.AbbeyInput,
        abbey.score,
        None,
        "Assess during movement.",
    ),
    "painad": ToolSpec(
        "painad",
        "PAINAD (pain in advanced dementia)",
        _points(painad.ITEMS),
        painad.PainadInput,
        painad.score,
        None,
        "Observe for 3–5 minutes during activity. " + painad.BANDS_NOTE,
    ),
    "falls": ToolSpec(
        "falls",
        "Multifactorial falls assessment",
        _yes_no({name: f"Problem with {q}" for name, q in falls.QUESTIONS.items()}),
        falls.FallsInput,
        falls.score,
        None,
        falls.AT_RISK_STATEMENT,
    ),
    "oral_health": ToolSpec(
        "oral_health",
        "Oral health",
        _yes_no({name: q[:1].upper() + q[1:] for name, q in oral_health.QUESTIONS.items()}),
        oral_health.OralHealthInput,
        oral_health.score,
        6,
    ),
    "bed_rails": ToolSpec(
        "bed_rails",
        "Bed rails",
        (
            _choice("decision", "Decision", bed_rails.BedRailsDecision),
            ItemSpec("reasons", "Reasons for the decision", ItemKind.TEXT_LIST),
            *_yes_no(
                {
                    name: label[:1].upper() + label[1:]
                    for name, label in bed_rails.LABELS.items()
                    if name not in ("decision", "reasons")
                }
            ),
        ),
        bed_rails.BedRailsInput,
        bed_rails.score,
        3,
    ),
}
TOOL_KEYS = tuple(TOOLS)


def tool(key: str) -> ToolSpec:
    try:
        return TOOLS[key]
    except KeyError:
        raise AssessmentInputError(
            "tool", f"{key!r} is not an assessment this app knows."
        ) from None


def parse_inputs(key: str, raw: Mapping[str, object]) -> Any:
    """The tool's input from stored values. Unknown items and answers that are not among the
    tool's choices are refused; the tool's own checks refuse impossible values."""
    spec = tool(key)
    known = {item.name: item for item in spec.items}
    values: dict[str, object] = {}
    for name, value in raw.items():
        item = known.get(name)
        if item is None:
            raise AssessmentInputError(name, f"{spec.title} has no item {name!r}.")
        if value is None:
            continue
        if item.kind is ItemKind.CHOICE:
            try:
                values[name] = item.enum(value) if item.enum is not None else value
            except ValueError:
                allowed = ", ".join(item.choices)
                raise AssessmentInputError(
                    name, f"{item.label} must be one of: {allowed}; {value!r} is not."
                ) from None
        elif item.kind is ItemKind.TEXT_LIST:
            texts = [value] if isinstance(value, str) else value
            if not isinstance(texts, list | tuple):
                raise AssessmentInputError(name, f"{item.label} must be text.")
            values[name] = tuple(texts)
        else:
            values[name] = value
    return spec.input_type(**values)


@dataclass(frozen=True)
class ScoredAssessment:
    tool: str
    title: str
    result: AssessmentResult
    complete: bool
    missing: tuple[str, ...]
    score: int | None
    band: str | None
    summary: str
    advice: tuple[str, ...]
    care_plan_area: str


def _band(result: Any) -> str | None:
    if not result.complete:
        return None
    if isinstance(result, falls.FallsResult):
        count = len(result.factors_identified)
        return f"{count} risk factor{'s' if count != 1 else ''} found"
    if isinstance(result, bed_rails.BedRailsResult):
        return str(result.outcome) if result.outcome else None
    band = getattr(result, "band", None)
    return str(band) if band is not None else None


def _advice(result: Any) -> tuple[str, ...]:
    if isinstance(result, must.MustResult):
        return (result.guidance,)
    if isinstance(result, abbey.AbbeyResult):
        return (result.reassessment,) if result.reassessment else ()
    if isinstance(result, painad.PainadResult):
        return (result.bands_note,)
    if isinstance(result, falls.FallsResult):
        return (
            result.at_risk_statement,
            *(
                f"{i.factor.value[:1].upper()}{i.factor.value[1:]}: {i.action}"
                for i in result.interventions
            ),
        )
    if isinstance(result, oral_health.OralHealthResult):
        return result.actions
    if isinstance(result, bed_rails.BedRailsResult):
        return result.reasons
    return ()


def score_inputs(key: str, raw: Mapping[str, object]) -> ScoredAssessment:
    """Score stored inputs. Raise AssessmentInputError for an impossible value."""
    spec = tool(key)
    result: Any = spec.score(parse_inputs(key, raw))
    score = getattr(result, "total", None)
    if isinstance(
        result, falls.FallsResult | oral_health.OralHealthResult | bed_rails.BedRailsResult
    ):
        score = None  # a checklist or a decision, not a score
    band = _band(result)
    if not result.complete:
        summary = "Incomplete, no score: not yet assessed: " + ", ".join(result.missing) + "."
    elif isinstance(result, barthel.BarthelResult):
        summary = f"Barthel {result.total}/20 ({result.total_out_of_100}/100)."
    elif score is not None:
        summary = f"{spec.title.split(' (')[0]} {score}: {band}."
    elif band is not None:
        summary = f"{spec.title}: {band}."
    else:
        summary = f"{spec.title}: complete."
    return ScoredAssessment(
        key,
        spec.title,
        result,
        bool(result.complete),
        tuple(result.missing),
        score if result.complete else None,
        band,
        summary,
        _advice(result),
        str(result.care_plan_area),
    )


def inputs_as_json(raw: Mapping[str, object]) -> dict[str, object]:
    """Inputs as they are stored: enums as their values, tuples as lists, nothing unset."""
    stored: dict[str, object] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if isinstance(value, Enum):
            stored[name] = value.value
        elif isinstance(value, tuple):
            stored[name] = list(value)
        else:
            stored[name] = value
    return stored
