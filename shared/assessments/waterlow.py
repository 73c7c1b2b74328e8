"""Waterlow pressure-ulcer risk: add the points of every category and special risk, and band
the total as uk-care-standards.md §2.8 gives (10 or more at risk, 15 or more high, 20 or more
very high).

Waterlow score card © Judy Waterlow, free to download from the copyright holder. The card is
not reproduced here: the assessor reads each category's points off the home's copy and enters
them.

Gaps in the reference, left open rather than filled in:

- it names the categories but not the answers in each or their points, so this module cannot
  turn an answer ("obese", "tissue paper skin") into points, and it cannot check a category's
  maximum: it refuses only points that are negative or not whole numbers. The form needs the
  card's options, and a per-category maximum, from the copyright holder's card;
- it gives no name for a total under 10 (the band here is "below at risk", which says only that
  the total is under the at-risk threshold);
- it does not say whether a special risk that does not apply is left blank or scored 0. Here
  every category and special risk must be answered, 0 where it does not apply, because a blank
  cannot be told apart from "not assessed".
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.assessments.common import (
    CarePlanArea,
    ScoredItem,
    answered_items,
    check_scored_items,
    missing_items,
)


class WaterlowBand(StrEnum):
    BELOW_AT_RISK = "below at risk"  # under 10: the reference names no band
    AT_RISK = "at risk"  # 10 or more
    HIGH_RISK = "high risk"  # 15 or more
    VERY_HIGH_RISK = "very high risk"  # 20 or more


# Categories, then special risks, as the reference lists them; keys match WaterlowInput fields.
ITEMS: Mapping[str, ScoredItem] = {
    "build_weight_for_height": ScoredItem("build/weight for height", 0, None),
    "skin_type": ScoredItem("skin type", 0, None),
    "sex_and_age": ScoredItem("sex and age", 0, None),
    "malnutrition_screening": ScoredItem("malnutrition screening", 0, None),
    "continence": ScoredItem("continence", 0, None),
    "mobility": ScoredItem("mobility", 0, None),
    "tissue_malnutrition": ScoredItem("tissue malnutrition (special risk)", 0, None),
    "neurological_deficit": ScoredItem("neurological deficit (special risk)", 0, None),
    "major_surgery_or_trauma": ScoredItem("major surgery or trauma (special risk)", 0, None),
    "medication": ScoredItem("medication (special risk)", 0, None),
}
LABELS: Mapping[str, str] = {name: item.label for name, item in ITEMS.items()}


@dataclass(frozen=True)
class WaterlowInput:
    """Points read off the Waterlow card for each category. ``None`` means not assessed; a
    special risk that does not apply is 0."""

    build_weight_for_height: int | None = None
    skin_type: int | None = None
    sex_and_age: int | None = None
    malnutrition_screening: int | None = None
    continence: int | None = None
    mobility: int | None = None
    tissue_malnutrition: int | None = None
    neurological_deficit: int | None = None
    major_surgery_or_trauma: int | None = None
    medication: int | None = None

    def __post_init__(self) -> None:
        check_scored_items(self, ITEMS)


@dataclass(frozen=True)
class WaterlowResult:
    """``total`` and ``band`` are ``None`` when any category is not assessed."""

    missing: tuple[str, ...]
    total: int | None
    band: WaterlowBand | None
    tool: str = field(default="Waterlow", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.SKIN_INTEGRITY, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return self.band


def band_for(total: int) -> WaterlowBand:
    if total >= 20:
        return WaterlowBand.VERY_HIGH_RISK
    if total >= 15:
        return WaterlowBand.HIGH_RISK
    if total >= 10:
        return WaterlowBand.AT_RISK
    return WaterlowBand.BELOW_AT_RISK


def score(assessment: WaterlowInput) -> WaterlowResult:
    """The Waterlow total and band, or an incomplete result naming what is not assessed."""
    missing = missing_items(assessment, LABELS)
    if missing:
        return WaterlowResult(missing=missing, total=None, band=None)
    total = sum(answered_items(assessment, ITEMS).values())
    return WaterlowResult(missing=(), total=total, band=band_for(total))
