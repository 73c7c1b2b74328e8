"""Barthel index of activities of daily living: ten items scored to the ranges in
uk-care-standards.md §2.9, a total of 0–20, and the 0–100 version (the same total × 5).

Gap in the reference, left open rather than filled in: it gives no dependency bands (no names
or cut-offs for, say, "severe" or "moderate" dependency), so a result carries the totals and
no band, and a change in Barthel never proposes a care plan review by itself. Add the bands
to the reference (with their source) before adding them here. The reference also gives no
wording for each item's levels (what earns 0, 1 or 2 for bladder, say): the form needs them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from shared.assessments.common import (
    CarePlanArea,
    ScoredItem,
    answered_items,
    check_scored_items,
    missing_items,
)

# In the reference's order; keys match BarthelInput fields.
ITEMS: Mapping[str, ScoredItem] = {
    "bowels": ScoredItem("bowels", 0, 2),
    "bladder": ScoredItem("bladder", 0, 2),
    "grooming": ScoredItem("grooming", 0, 1),
    "toilet_use": ScoredItem("toilet use", 0, 2),
    "feeding": ScoredItem("feeding", 0, 2),
    "transfer": ScoredItem("transfer", 0, 3),
    "mobility": ScoredItem("mobility", 0, 3),
    "dressing": ScoredItem("dressing", 0, 2),
    "stairs": ScoredItem("stairs", 0, 2),
    "bathing": ScoredItem("bathing", 0, 1),
}
LABELS: Mapping[str, str] = {name: item.label for name, item in ITEMS.items()}
WEIGHTING_TO_100 = 5


@dataclass(frozen=True)
class BarthelInput:
    """Points for each item on the 0–20 scale. ``None`` means not assessed."""

    bowels: int | None = None
    bladder: int | None = None
    grooming: int | None = None
    toilet_use: int | None = None
    feeding: int | None = None
    transfer: int | None = None
    mobility: int | None = None
    dressing: int | None = None
    stairs: int | None = None
    bathing: int | None = None

    def __post_init__(self) -> None:
        check_scored_items(self, ITEMS)


@dataclass(frozen=True)
class BarthelResult:
    """``total`` (0–20) and ``total_out_of_100`` are ``None`` when any item is not assessed.
    Higher is more independent."""

    missing: tuple[str, ...]
    total: int | None
    total_out_of_100: int | None
    tool: str = field(default="Barthel index", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.PERSONAL_CARE, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return None  # no dependency bands in the reference: see the module docstring


def score(assessment: BarthelInput) -> BarthelResult:
    """The Barthel totals, or an incomplete result naming what is not assessed."""
    missing = missing_items(assessment, LABELS)
    if missing:
        return BarthelResult(missing=missing, total=None, total_out_of_100=None)
    total = sum(answered_items(assessment, ITEMS).values())
    return BarthelResult(missing=(), total=total, total_out_of_100=total * WEIGHTING_TO_100)
