"""``make reliability``: the reliability suite's long profile (hundreds of kills, 200 PCs),
then the totals from ``results/latest.json``. Extra arguments go to pytest, e.g.
``python -m tests.reliability.run -k store``; ``WCN_RELIABILITY_SEED`` replays a run."""

from __future__ import annotations

import sys

import pytest

from tests.reliability.results import MUST_BE_ZERO, RESULTS_DIR, load


def main(argv: list[str]) -> int:
    code = int(pytest.main(["tests/reliability", "--reliability-long", "-q", "-rfEX", *argv]))
    path = RESULTS_DIR / "latest.json"
    if path.exists():
        data, results = load(path)
        totals = data["totals"]
        zeros = ", ".join(f"{name} {totals[name]}" for name in MUST_BE_ZERO)
        print(
            f"\nreliability ({data['profile']}, seed {data['seed']}): {len(results)} tests, "
            f"{totals['trials']} trials, {totals['faults']} faults injected, "
            f"{totals['written']} records written; {zeros}\nfull report: {path}"
        )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
