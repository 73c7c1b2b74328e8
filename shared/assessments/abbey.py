"""Abbey Pain Scale, for residents who cannot say they are in pain: six items of 0–3, a total
of 0–18 and its band, with the type of pain ticked and when to re-assess, all as
uk-care-standards.md §2.10 gives them.

Use it during movement (the reference asks for a movement-based assessment). Re-assessment,
from the reference: 1 hour after an intervention, then hourly until the pain is mild, then
4-hourly for 24 hours.

Gaps in the reference, left open rather than filled in: it gives no wording for each item's
levels (what is "mild" vocalisation), and no re-assessment advice when there is no pain. The
type of pain (chronic, acute, acute on chronic) is a tick on the chart, not a scored item, so
leaving it blank does not make the score incomplete.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.assessments.common import (
    CarePlanArea,
    ScoredItem,
    answered_items,
    check_choice,
    check_scored_items,
    missing_items,
)


class AbbeyBand(StrEnum):
    NO_PAIN = "no pain"  # 0–2
    MILD = "mild"  # 3–7
    MODERATE = "moderate"  # 8–13
    SEVERE = "severe"  # 14 or more


class PainType(StrEnum):
    CHRONIC = "chronic"
    ACUTE = "acute"
    ACUTE_ON_CHRONIC = "acute on chronic"


ITEMS: Mapping[str, ScoredItem] = {
    "vocalisation": ScoredItem("vocalisation", 0, 3),
    "facial_expression": ScoredItem("facial expression", 0, 3),
    "body_language_change": ScoredItem("change in body language", 0, 3),
    "behavioural_change": ScoredItem("behavioural change", 0, 3),
    "physiological_change": ScoredItem("physiological change", 0, 3),
    "physical_changes": ScoredItem("physical changes", 0, 3),
}
LABELS: Mapping[str, str] = {name: item.label for name, item in ITEMS.items()}

REASSESSMENT: Mapping[AbbeyBand, str] = {
    AbbeyBand.MILD: "Re-assess 1 hour after an intervention, then 4-hourly for 24 hours.",
    AbbeyBand.MODERATE: (
        "Re-assess 1 hour after an intervention, then hourly until the pain is mild, then "
        "4-hourly for 24 hours."
    ),
    AbbeyBand.SEVERE: (
        "Re-assess 1 hour after an intervention, then hourly until the pain is mild, then "
        "4-hourly for 24 hours."
    ),
}


@dataclass(frozen=True)
class AbbeyInput:
    """Points (0–3) for each item. ``None`` means not assessed."""

    vocalisation: int | None = None
    facial_expression: int | None = None
    body_language_change: int | None = None
    behavioural_change: int | None = None
    physiological_change: int | None = None
    physical_changes: int | None = None
    pain_type: PainType | None = None  # ticked on the chart; not scored

    def __post_init__(self) -> None:
        check_scored_items(self, ITEMS)
        check_choice(self.pain_type, PainType, "pain_type", "type of pain")


@dataclass(frozen=True)
class AbbeyResult:
    """``total`` (0–18), ``band`` and ``reassessment`` are ``None`` when any item is not
    assessed; ``reassessment`` is also ``None`` for no pain."""

    missing: tuple[str, ...]
    total: int | None
    band: AbbeyBand | None
    pain_type: PainType | None
    reassessment: str | None
    tool: str = field(default="Abbey Pain Scale", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.PAIN_MANAGEMENT, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return self.band


def band_for(total: int) -> AbbeyBand:
    if total >= 14:
        return AbbeyBand.SEVERE
    if total >= 8:
        return AbbeyBand.MODERATE
    if total >= 3:
        return AbbeyBand.MILD
    return AbbeyBand.NO_PAIN


def score(assessment: AbbeyInput) -> AbbeyResult:
    """The Abbey total and band, or an incomplete result naming what is not assessed."""
    missing = missing_items(assessment, LABELS)
    if missing:
        return AbbeyResult(
            missing=missing,
            total=None,
            band=None,
            pain_type=assessment.pain_type,
            reassessment=None,
        )
    total = sum(answered_items(assessment, ITEMS).values())
    band = band_for(total)
    return AbbeyResult(
        missing=(),
        total=total,
        band=band,
        pain_type=assessment.pain_type,
        reassessment=REASSESSMENT.get(band),
    )
