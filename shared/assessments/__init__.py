"""Care assessment tools scored to their published rules (uk-care-standards.md), one module per
tool, each with an input dataclass (every item optional), ``score(input)`` and a result that
is complete or says what is missing, and :func:`review_proposal` to say which care plan area
to review when a result's band changes.

Modules: ``must`` (nutrition), ``waterlow`` (pressure ulcers), ``barthel`` (daily living),
``abbey`` and ``painad`` (pain), ``falls`` (multifactorial falls assessment), ``oral_health``
and ``bed_rails``. Impossible inputs raise :class:`AssessmentInputError` (a ``ValueError``
whose message names the item).
"""

from __future__ import annotations

from shared.assessments import (
    abbey,
    barthel,
    bed_rails,
    falls,
    must,
    oral_health,
    painad,
    waterlow,
)
from shared.assessments.common import AssessmentInputError, AssessmentResult, CarePlanArea

__all__ = [
    "AssessmentInputError",
    "AssessmentResult",
    "CarePlanArea",
    "abbey",
    "barthel",
    "bed_rails",
    "falls",
    "must",
    "oral_health",
    "painad",
    "review_proposal",
    "waterlow",
]


def review_proposal(
    previous_result: AssessmentResult, new_result: AssessmentResult
) -> CarePlanArea | None:
    """The care plan area to review because the band has changed from ``previous_result`` to
    ``new_result`` (two results of the same tool, oldest first), or ``None`` if it has not.

    Nothing is proposed when either result is incomplete (there is no band to compare) or when
    the tool has no bands in the reference (Barthel). For the falls assessment the "band" is
    the set of factors found, for bed rails the outcome, and for oral health the answers.
    """
    if type(previous_result) is not type(new_result):
        raise AssessmentInputError(
            "previous_result",
            f"A {previous_result.tool} result cannot be compared with a {new_result.tool} "
            "result: compare two results of the same assessment.",
        )
    before, after = previous_result.review_key, new_result.review_key
    if before is None or after is None or before == after:
        return None
    return new_result.care_plan_area
