"""PAINAD (Pain Assessment in Advanced Dementia): five items of 0–2, a total of 0–10 and its
suggested band, as uk-care-standards.md §2.10 gives them.

Observe the resident for 3–5 minutes during activity, and compare the total with previous
totals (the reference's advice). The bands are the tool's *suggested* ones (1–3 mild, 4–6
moderate, 7–10 severe), which the reference notes are "not substantiated": show the total
alongside the band, and let the total and its trend lead.

Gaps in the reference, left open rather than filled in: it names no band for a total of 0 (the
band here is "no pain behaviours", which says only that no item scored), and gives no wording
for each item's levels.
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


class PainadBand(StrEnum):
    NO_PAIN_BEHAVIOURS = "no pain behaviours"  # 0: the reference names no band
    MILD = "mild"  # 1–3
    MODERATE = "moderate"  # 4–6
    SEVERE = "severe"  # 7–10


ITEMS: Mapping[str, ScoredItem] = {
    "breathing": ScoredItem("breathing", 0, 2),
    "negative_vocalisation": ScoredItem("negative vocalisation", 0, 2),
    "facial_expression": ScoredItem("facial expression", 0, 2),
    "body_language": ScoredItem("body language", 0, 2),
    "consolability": ScoredItem("consolability", 0, 2),
}
LABELS: Mapping[str, str] = {name: item.label for name, item in ITEMS.items()}
BANDS_NOTE = "PAINAD bands are suggested and not substantiated: go by the total and its trend."


@dataclass(frozen=True)
class PainadInput:
    """Points (0–2) for each item. ``None`` means not assessed."""

    breathing: int | None = None
    negative_vocalisation: int | None = None
    facial_expression: int | None = None
    body_language: int | None = None
    consolability: int | None = None

    def __post_init__(self) -> None:
        check_scored_items(self, ITEMS)


@dataclass(frozen=True)
class PainadResult:
    """``total`` (0–10) and ``band`` are ``None`` when any item is not assessed."""

    missing: tuple[str, ...]
    total: int | None
    band: PainadBand | None
    bands_note: str = field(default=BANDS_NOTE, init=False)
    tool: str = field(default="PAINAD", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.PAIN_MANAGEMENT, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return self.band


def band_for(total: int) -> PainadBand:
    if total >= 7:
        return PainadBand.SEVERE
    if total >= 4:
        return PainadBand.MODERATE
    if total >= 1:
        return PainadBand.MILD
    return PainadBand.NO_PAIN_BEHAVIOURS


def score(assessment: PainadInput) -> PainadResult:
    """The PAINAD total and band, or an incomplete result naming what is not assessed."""
    missing = missing_items(assessment, LABELS)
    if missing:
        return PainadResult(missing=missing, total=None, band=None)
    total = sum(answered_items(assessment, ITEMS).values())
    return PainadResult(missing=(), total=total, band=band_for(total))
