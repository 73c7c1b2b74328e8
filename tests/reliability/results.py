"""What every reliability test records, the table printed at the end of a run, and the JSON
report (``tests/reliability/results/latest.json`` after ``make reliability``)."""

from __future__ import annotations

import datetime as dt
import json
import math
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The figures that must be zero in every run, whatever the profile.
MUST_BE_ZERO = ("lost", "duplicates", "divergent", "leaks", "http_5xx")


@dataclass
class Result:
    """One test's figures. ``faults`` counts the faults injected (kills, cut connections,
    clock jumps, refused writes...); ``details`` holds whatever else the test measured."""

    name: str
    test: str
    trials: int = 0
    faults: int = 0
    written: int = 0
    lost: int = 0
    duplicates: int = 0
    divergent: int = 0
    leaks: int = 0
    http_5xx: int = 0
    p99_ms: float | None = None
    seconds: float = 0.0
    outcome: str = "not run"
    details: dict[str, Any] = field(default_factory=dict)

    def check_zero(self) -> None:
        """Fail the test naming every figure that should be zero and is not."""
        bad = {name: getattr(self, name) for name in MUST_BE_ZERO if getattr(self, name)}
        assert not bad, f"{self.name}: {bad} (details: {self.details})"


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Book:
    profile: str = ""
    seed: int = 0
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> None:
        self.results.append(result)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "seed": self.seed,
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "totals": {name: sum(getattr(r, name) for r in self.results) for name in _TOTALS},
            "results": [asdict(r) for r in self.results],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", "utf-8")

    def table(self) -> str:
        return format_table(self.results)


_TOTALS = ("trials", "faults", "written", *MUST_BE_ZERO)
_COLUMNS = (
    ("test", 44),
    ("trials", 6),
    ("faults", 6),
    ("written", 7),
    ("lost", 4),
    ("dup", 3),
    ("diverg", 6),
    ("leaks", 5),
    ("5xx", 3),
    ("p99 ms", 7),
    ("secs", 5),
    ("outcome", 7),
)


def format_table(results: list[Result]) -> str:
    """A fixed-width table, one line per test (also pasted into docs/reliability.md)."""
    header = " | ".join(name.ljust(width) for name, width in _COLUMNS)
    lines = [header, "-+-".join("-" * width for _name, width in _COLUMNS)]
    for r in results:
        cells = (
            r.name[:44],
            str(r.trials),
            str(r.faults),
            str(r.written),
            str(r.lost),
            str(r.duplicates),
            str(r.divergent),
            str(r.leaks),
            str(r.http_5xx),
            "-" if r.p99_ms is None else f"{r.p99_ms:.0f}",
            f"{r.seconds:.1f}",
            r.outcome,
        )
        lines.append(
            " | ".join(cell.ljust(width) for cell, (_n, width) in zip(cells, _COLUMNS, strict=True))
        )
    return "\n".join(lines)


def load(path: Path) -> tuple[dict[str, Any], list[Result]]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data, [Result(**r) for r in data["results"]]
