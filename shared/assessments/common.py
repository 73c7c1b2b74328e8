"""What every assessment tool shares: the error for an impossible input, the care plan areas a
result points to, the shape every result has, and the checks that turn a bad value into a
sentence naming its item."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from fractions import Fraction
from typing import Protocol

from shared.errors import WcnError


class AssessmentInputError(WcnError, ValueError):
    """An item value that cannot be right: outside the item's range, of the wrong kind, or a
    measurement no living person could have. ``str()`` is a sentence naming the item for a
    person; ``field`` is the name of the input attribute, for the form to highlight."""

    code = "invalid_assessment_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CarePlanArea(StrEnum):
    """The care plan section an assessment result bears on.

    ``PAIN_MANAGEMENT`` is ours: the issue's list of areas has no area for pain, and the two
    pain tools fit none of the others. The other values are the issue's.
    """

    EATING_AND_DRINKING = "eating_and_drinking"
    SKIN_INTEGRITY = "skin_integrity"
    MOBILITY_AND_FALLS = "mobility_and_falls"
    PERSONAL_CARE = "personal_care"
    COMMUNICATION = "communication"
    COGNITION_AND_MENTAL_HEALTH = "cognition_and_mental_health"
    MEDICATION_SUPPORT = "medication_support"
    END_OF_LIFE = "end_of_life"
    PAIN_MANAGEMENT = "pain_management"


class AssessmentResult(Protocol):
    """What every tool's result offers, whatever else it carries."""

    @property
    def tool(self) -> str:
        """The tool's name, for a person (``"Waterlow"``)."""
        ...

    @property
    def care_plan_area(self) -> CarePlanArea: ...

    @property
    def complete(self) -> bool:
        """Every item answered. An incomplete result has no total and no band."""
        ...

    @property
    def missing(self) -> tuple[str, ...]:
        """The unanswered items in plain English, in form order."""
        ...

    @property
    def review_key(self) -> Hashable | None:
        """What a change of calls for a care plan review (the band, for a scored tool), or
        ``None`` when there is nothing to compare (an incomplete result)."""
        ...


@dataclass(frozen=True)
class ScoredItem:
    """One item of a summed tool: its plain-English name and its range of points.
    ``highest`` is ``None`` where the reference gives no maximum."""

    label: str
    lowest: int
    highest: int | None


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_scored_items(values: object, items: Mapping[str, ScoredItem]) -> None:
    """Raise AssessmentInputError for the first answered item outside its range."""
    for name, item in items.items():
        check_whole_number(getattr(values, name), name, item)


def check_whole_number(value: object, field: str, item: ScoredItem) -> None:
    if value is None:
        return
    if item.highest is None:
        allowed = f"a whole number of points, {item.lowest} or more"
    else:
        allowed = f"a whole number from {item.lowest} to {item.highest}"
    label = sentence_start(item.label)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AssessmentInputError(field, f"{label} must be {allowed}, not {value!r}.")
    if value < item.lowest or (item.highest is not None and value > item.highest):
        raise AssessmentInputError(field, f"{label} must be {allowed}; {value} is out of range.")


def answered_items(values: object, items: Mapping[str, ScoredItem]) -> dict[str, int]:
    return {name: v for name in items if (v := getattr(values, name)) is not None}


def missing_items(values: object, labels: Mapping[str, str]) -> tuple[str, ...]:
    """The labels of the attributes of ``values`` that are ``None``, in the mapping's order."""
    return tuple(label for name, label in labels.items() if getattr(values, name) is None)


def check_yes_no(value: object, field: str, label: str, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, bool):
        raise AssessmentInputError(
            field, f"{sentence_start(label)} must be answered yes or no, not {value!r}."
        )


def check_choice(value: object, choices: type[Enum], field: str, label: str) -> None:
    if value is None or isinstance(value, choices):
        return
    allowed = ", ".join(str(choice.value) for choice in choices)
    raise AssessmentInputError(
        field, f"{sentence_start(label)} must be one of: {allowed}; {value!r} is not."
    )


def exact_measurement(
    value: object, field: str, label: str, unit: str, limits: tuple[Fraction, Fraction]
) -> Fraction | None:
    """A measurement as the exact decimal that was entered (so 1.7 is 17/10, not the nearest
    binary float), or ``None`` if not recorded. Raise if it is not a number or lies outside
    ``limits`` (lowest, highest), a range for what a living adult could measure."""
    if value is None:
        return None
    lowest, highest = limits
    start = sentence_start(label)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AssessmentInputError(field, f"{start} must be a number in {unit}, not {value!r}.")
    if not math.isfinite(value):
        raise AssessmentInputError(field, f"{start} is not a number: re-enter it.")
    exact = Fraction(value) if isinstance(value, int) else Fraction(repr(value))
    if not lowest <= exact <= highest:
        raise AssessmentInputError(
            field,
            f"{start} {value:g} {unit} is not possible: it must be between "
            f"{float(lowest):g} and {float(highest):g} {unit}.",
        )
    return exact
