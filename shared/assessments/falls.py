"""Multifactorial falls assessment: a checklist of falls risk factors that lists the factors
found and the intervention each calls for. It is deliberately not a risk score.

From uk-care-standards.md §2.11: NICE NG249 (2025) rec 1.1.1 says not to use falls risk
prediction tools to predict a person's risk of falling; residents of residential care are
"likely to have frailty and are already considered at risk of falls", so every resident is
treated as at risk whatever this checklist finds; the assessment is done on admission and after
every fall (NICE QS86 statement 2 asks for a multifactorial assessment). Scheduling those
assessments is not this module's job.

Gaps in the reference, left open rather than filled in:

- it does not list NG249's assessment components: the factors here are the ones issue 7 names
  (history of falls, gait and balance, medicines, vision, continence, cognition, feet and
  footwear, environment, fear of falling, postural hypotension). Check the list against NG249
  section 1.3 before release, and add any factor it names that is missing here;
- it gives no interventions at all. The ``INTERVENTIONS`` wording below is a policy proposal
  [U], not taken from the reference or quoted from NICE: it must be confirmed (or replaced) by
  the clinical safety officer against NG249 before release. It is data, so changing the
  wording needs no change to the logic.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.assessments.common import CarePlanArea, check_yes_no, missing_items


class FallsRiskFactor(StrEnum):
    HISTORY_OF_FALLS = "history of falls"
    GAIT_AND_BALANCE = "gait or balance problems"
    MEDICINES = "medicines that increase the risk of falling"
    VISION = "sight problems"
    CONTINENCE = "continence problems"
    COGNITION = "cognitive impairment"
    FEET_AND_FOOTWEAR = "foot or footwear problems"
    ENVIRONMENT = "hazards in the environment"
    FEAR_OF_FALLING = "fear of falling"
    POSTURAL_HYPOTENSION = "postural hypotension"


# The question on the form for each field, in checklist order; keys match FallsInput fields.
QUESTIONS: Mapping[str, str] = {
    "history_of_falls": "falls in the past",
    "gait_or_balance_problems": "gait or balance",
    "falls_risk_medicines": "medicines that increase the risk of falling",
    "sight_problems": "sight",
    "continence_problems": "continence",
    "cognitive_impairment": "cognition",
    "foot_or_footwear_problems": "feet and footwear",
    "environmental_hazards": "the resident's environment",
    "fear_of_falling": "fear of falling",
    "postural_hypotension": "postural hypotension (lying and standing blood pressure)",
}

FACTORS: Mapping[str, FallsRiskFactor] = {
    "history_of_falls": FallsRiskFactor.HISTORY_OF_FALLS,
    "gait_or_balance_problems": FallsRiskFactor.GAIT_AND_BALANCE,
    "falls_risk_medicines": FallsRiskFactor.MEDICINES,
    "sight_problems": FallsRiskFactor.VISION,
    "continence_problems": FallsRiskFactor.CONTINENCE,
    "cognitive_impairment": FallsRiskFactor.COGNITION,
    "foot_or_footwear_problems": FallsRiskFactor.FEET_AND_FOOTWEAR,
    "environmental_hazards": FallsRiskFactor.ENVIRONMENT,
    "fear_of_falling": FallsRiskFactor.FEAR_OF_FALLING,
    "postural_hypotension": FallsRiskFactor.POSTURAL_HYPOTENSION,
}

# Policy proposal [U]: see the module docstring. One entry per factor.
INTERVENTIONS: Mapping[FallsRiskFactor, str] = {
    FallsRiskFactor.HISTORY_OF_FALLS: (
        "Record when, where and how each fall happened, look for a pattern, and repeat this "
        "assessment after every fall."
    ),
    FallsRiskFactor.GAIT_AND_BALANCE: (
        "Ask for a physiotherapy assessment (strength and balance exercise, walking aids)."
    ),
    FallsRiskFactor.MEDICINES: (
        "Ask the GP or pharmacist to review the medicines that increase the risk of falling."
    ),
    FallsRiskFactor.VISION: (
        "Arrange a sight test, and make sure glasses are clean, within reach and worn."
    ),
    FallsRiskFactor.CONTINENCE: (
        "Assess continence needs and plan help with the toilet so the resident need not hurry."
    ),
    FallsRiskFactor.COGNITION: (
        "Plan supervision and prompts that suit the resident's understanding, and ask the GP to "
        "review any new or worse confusion."
    ),
    FallsRiskFactor.FEET_AND_FOOTWEAR: (
        "Arrange podiatry for foot problems, and check footwear fits, fastens and grips."
    ),
    FallsRiskFactor.ENVIRONMENT: (
        "Reduce the hazards found (lighting, clutter, flooring, call bell within reach) and "
        "record what was changed."
    ),
    FallsRiskFactor.FEAR_OF_FALLING: (
        "Talk with the resident about their fear of falling and plan activity that builds "
        "confidence."
    ),
    FallsRiskFactor.POSTURAL_HYPOTENSION: (
        "Ask the GP to review the lying and standing blood pressure and the resident's medicines."
    ),
}

AT_RISK_STATEMENT = (
    "Treat the resident as at risk of falls: NICE NG249 advises against falls risk prediction "
    "scores, and people in residential care are already considered at risk."
)


@dataclass(frozen=True)
class FallsInput:
    """For each factor: ``True`` found, ``False`` assessed and not found, ``None`` not
    assessed."""

    history_of_falls: bool | None = None
    gait_or_balance_problems: bool | None = None
    falls_risk_medicines: bool | None = None
    sight_problems: bool | None = None
    continence_problems: bool | None = None
    cognitive_impairment: bool | None = None
    foot_or_footwear_problems: bool | None = None
    environmental_hazards: bool | None = None
    fear_of_falling: bool | None = None
    postural_hypotension: bool | None = None

    def __post_init__(self) -> None:
        for name, factor in FACTORS.items():
            check_yes_no(getattr(self, name), name, factor.value)


@dataclass(frozen=True)
class FallsIntervention:
    factor: FallsRiskFactor
    action: str


@dataclass(frozen=True)
class FallsResult:
    """The factors found so far, in checklist order, and their interventions.

    Unlike a scored tool, the factors and interventions are given even when the checklist is
    incomplete: each is true as far as it goes and should not wait for the rest. ``missing``
    names the factors not yet assessed; there is never a total or a band.
    """

    factors_identified: tuple[FallsRiskFactor, ...]
    interventions: tuple[FallsIntervention, ...]
    missing: tuple[str, ...]
    at_risk_statement: str = field(default=AT_RISK_STATEMENT, init=False)
    tool: str = field(default="Multifactorial falls assessment", init=False)
    care_plan_area: CarePlanArea = field(default=CarePlanArea.MOBILITY_AND_FALLS, init=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def review_key(self) -> Hashable | None:
        """The set of factors found: a factor found or resolved calls for a review."""
        return frozenset(self.factors_identified) if self.complete else None


def score(assessment: FallsInput) -> FallsResult:
    """The falls risk factors found and the intervention each calls for."""
    found = tuple(factor for name, factor in FACTORS.items() if getattr(assessment, name))
    return FallsResult(
        factors_identified=found,
        interventions=tuple(FallsIntervention(f, INTERVENTIONS[f]) for f in found),
        missing=missing_items(assessment, QUESTIONS),
    )
