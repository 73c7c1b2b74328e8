"""MUST-style nutrition screening: score BMI, unplanned weight loss and acute disease effect to
the published cut-offs, and give the overall risk with the monitoring the reference states.

How the tool is used. The 'Malnutrition Universal Screening Tool' ('MUST') is © BAPEN. It has
five steps: (1) BMI score, (2) unplanned weight loss score, (3) acute disease effect score,
(4) add them for the overall risk of malnutrition, (5) follow the management guidelines for
that risk. Steps 1–4 are scored here with the cut-offs of uk-care-standards.md §2.7, which
must not be changed. For step 5 this module gives only what the reference states for care
homes: medium and high risk reviewed monthly, low risk re-screened monthly. BAPEN's own
materials (the MUST chart, BMI and weight-loss tables, explanatory booklet and management
guidelines) are not reproduced here or elsewhere in the app; a home follows its own copies,
used under BAPEN's reproduction licence (reference §2.7). Whether putting the cut-offs in
software needs that licence too is [U]: confirm with BAPEN before release.

Gaps in the reference, left open rather than filled in:

- no rounding rule for BMI or percentage weight loss: both are scored exactly as entered, so a
  BMI of 20.04 (shown to one place as 20.0) scores 0 because it is over 20;
- no alternative measurements (ulna length, mid-upper arm circumference, recalled height or
  weight) for when height or weight cannot be taken: such a screening stays incomplete;
- "unplanned" is not defined: weight loss counts unless the assessor records it as planned;
- step 3 is given only as "acutely ill with no intake for more than 5 days = 2", and the
  reference says it may be omitted outside hospital; "omitted" is therefore an answer (scoring
  0), distinct from not answered (incomplete).

The height, weight and BMI limits are plausibility limits, a policy choice [U], not BAPEN's.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from shared.assessments.common import (
    AssessmentInputError,
    CarePlanArea,
    check_choice,
    check_yes_no,
    exact_measurement,
    missing_items,
)


class AcuteDiseaseEffect(StrEnum):
    PRESENT = "present"  # acutely ill and no nutritional intake for more than 5 days
    ABSENT = "absent"
    OMITTED = "omitted"  # step 3 left out, as the reference allows outside hospital


class MustRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# Plain-English names of the items, in the order of the steps; keys match MustInput fields.
ITEMS: Mapping[str, str] = {
    "height_m": "height",
    "weight_kg": "weight",
    "weight_3_to_6_months_ago_kg": "weight 3–6 months ago",
    "acute_disease_effect": "acute disease effect",
}

# Plausibility limits [U]: wide enough for any adult resident, narrow enough to refuse a slip
# of the keyboard or a height entered in centimetres.
HEIGHT_LIMITS_M = (Fraction(1, 2), Fraction(5, 2))
WEIGHT_LIMITS_KG = (Fraction(10), Fraction(400))
BMI_LIMITS = (Fraction(7), Fraction(200))

GUIDANCE: Mapping[MustRisk, str] = {
    MustRisk.LOW: "Low risk of malnutrition. Re-screen monthly.",
    MustRisk.MEDIUM: (
        "Medium risk of malnutrition. Review monthly, and follow the home's licensed MUST "
        "management guidelines for medium risk."
    ),
    MustRisk.HIGH: (
        "High risk of malnutrition. Review monthly, and follow the home's licensed MUST "
        "management guidelines for high risk."
    ),
}


@dataclass(frozen=True)
class MustInput:
    """One screening. ``None`` means not recorded. Weights are in kilograms, height in metres."""

    height_m: float | None = None
    weight_kg: float | None = None
    weight_3_to_6_months_ago_kg: float | None = None
    weight_loss_planned: bool = False  # a planned loss (a chosen diet) is not scored
    acute_disease_effect: AcuteDiseaseEffect | None = None

    def __post_init__(self) -> None:
        height_m = self.height_m
        is_number = isinstance(height_m, int | float) and not isinstance(height_m, bool)
        if is_number and height_m is not None and 50 <= height_m <= 250:
            raise AssessmentInputError(
                "height_m",
                f"Height {height_m:g} looks like centimetres: enter it in metres "
                f"({height_m / 100:g}).",
            )
        height = exact_measurement(self.height_m, "height_m", "height", "m", HEIGHT_LIMITS_M)
        weight = exact_measurement(self.weight_kg, "weight_kg", "weight", "kg", WEIGHT_LIMITS_KG)
        exact_measurement(
            self.weight_3_to_6_months_ago_kg,
            "weight_3_to_6_months_ago_kg",
            ITEMS["weight_3_to_6_months_ago_kg"],
            "kg",
            WEIGHT_LIMITS_KG,
        )
        check_yes_no(
            self.weight_loss_planned, "weight_loss_planned", "planned weight loss", optional=False
        )
        check_choice(
            self.acute_disease_effect,
            AcuteDiseaseEffect,
            "acute_disease_effect",
            ITEMS["acute_disease_effect"],
        )
        if height is not None and weight is not None:
            bmi = weight / (height * height)
            low, high = BMI_LIMITS
            if not low <= bmi <= high:
                raise AssessmentInputError(
                    "height_m",
                    f"A height of {self.height_m:g} m with a weight of {self.weight_kg:g} kg "
                    f"gives a BMI of {float(bmi):.1f}, which is not possible: check both.",
                )


@dataclass(frozen=True)
class MustResult:
    """Each step's score where it can be worked out, and the overall risk when complete.

    ``total``, ``band`` are ``None`` when the screening is incomplete; a step's score is
    given whenever its own items are recorded, because it does not depend on the others.
    """

    bmi: float | None
    obese: bool | None  # BMI over 30: scores 0, but the reference marks it
    bmi_score: int | None
    unplanned_weight_loss_percent: float | None  # 0 for a gain or a planned loss
    weight_loss_score: int | None
    acute_disease_score: int | None
    missing: tuple[str, ...]
    total: int | None
    band: MustRisk | None
    guidance: str
    tool: str = field(default="MUST", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.EATING_AND_DRINKING, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        return self.band


def _exact(value: float) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _bmi_points(bmi: Fraction) -> int:
    if bmi > 20:
        return 0
    if bmi >= Fraction(37, 2):  # 18.5–20
        return 1
    return 2


def _weight_loss_points(percent: Fraction) -> int:
    if percent < 5:
        return 0
    if percent <= 10:
        return 1
    return 2


def _risk(total: int) -> MustRisk:
    if total >= 2:
        return MustRisk.HIGH
    if total == 1:
        return MustRisk.MEDIUM
    return MustRisk.LOW


def score(screening: MustInput) -> MustResult:
    """The MUST score of one screening, to the cut-offs in the reference (§2.7)."""
    bmi: Fraction | None = None
    if screening.height_m is not None and screening.weight_kg is not None:
        height = _exact(screening.height_m)
        bmi = _exact(screening.weight_kg) / (height * height)
    loss: Fraction | None = None
    if screening.weight_kg is not None and screening.weight_3_to_6_months_ago_kg is not None:
        before = _exact(screening.weight_3_to_6_months_ago_kg)
        lost = before - _exact(screening.weight_kg)
        loss = Fraction(0) if screening.weight_loss_planned or lost <= 0 else lost / before * 100
    effect = screening.acute_disease_effect
    acute = None if effect is None else (2 if effect is AcuteDiseaseEffect.PRESENT else 0)
    bmi_score = None if bmi is None else _bmi_points(bmi)
    loss_score = None if loss is None else _weight_loss_points(loss)
    missing = missing_items(screening, ITEMS)
    total: int | None = None
    band: MustRisk | None = None
    if bmi_score is not None and loss_score is not None and acute is not None:
        total = bmi_score + loss_score + acute
        band = _risk(total)
        guidance = GUIDANCE[band]
    else:
        guidance = f"Incomplete: record {', '.join(missing)} to get a risk."
    return MustResult(
        bmi=None if bmi is None else float(bmi),
        obese=None if bmi is None else bmi > 30,
        bmi_score=bmi_score,
        unplanned_weight_loss_percent=None if loss is None else float(loss),
        weight_loss_score=loss_score,
        acute_disease_score=acute,
        missing=missing,
        total=total,
        band=band,
        guidance=guidance,
    )
