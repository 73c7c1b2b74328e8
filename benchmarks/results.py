"""Collecting figures: every figure is a number or explicitly missing with a reason, never
invented. Written as JSON and printed as a table."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.catalogue import SPECS, Spec

JsonObject = dict[str, Any]


class Results:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.specs: dict[str, Spec] = dict(SPECS)
        self.figures: dict[str, float | None] = {name: None for name in SPECS}
        self.missing: dict[str, str] = {}
        self.details: dict[str, JsonObject] = {}
        self.machine: JsonObject = {}
        self.timings: dict[str, float] = {}  # seconds each section took, for the budget

    def add_spec(self, spec: Spec) -> None:
        self.specs[spec.name] = spec
        self.figures.setdefault(spec.name, None)

    def record(self, name: str, value: float, **details: Any) -> None:
        if name not in self.specs:
            raise KeyError(f"unknown figure {name}")
        if not math.isfinite(value):
            self.miss(name, f"the measurement gave {value}")
            return
        self.figures[name] = round(float(value), 3)
        self.missing.pop(name, None)
        if details:
            self.details.setdefault(name, {}).update(details)

    def miss(self, name: str, reason: str) -> None:
        if name not in self.specs:
            raise KeyError(f"unknown figure {name}")
        self.figures[name] = None
        self.missing[name] = reason

    def note(self, name: str, **details: Any) -> None:
        self.details.setdefault(name, {}).update(details)

    def value(self, name: str) -> float | None:
        return self.figures.get(name)

    @contextlib.contextmanager
    def section(self, *names: str) -> Iterator[None]:
        """Run one benchmark; if it fails, its figures not yet recorded are missing with the
        reason, and the run goes on."""
        try:
            yield
        except Exception as exc:  # a failed benchmark must not lose the others' figures
            reason = f"failed: {exc.__class__.__name__}: {str(exc).strip()[:300]}"
            where = traceback.format_exc(limit=6).strip().splitlines()
            for name in names:
                if self.figures.get(name) is None and name not in self.missing:
                    self.miss(name, reason)
            self.details.setdefault("errors", {})[",".join(names)] = where[-8:]

    def finish(self) -> None:
        """Every figure without a number must say why."""
        errors = self.details.get("errors", {})
        first = next(iter(errors.values()), [""])[-1].strip() if errors else ""
        reason = "not measured in this run: an earlier step it depends on failed"
        reason += f" ({first})" if first else ""
        for name, value in self.figures.items():
            if value is None and name not in self.missing:
                self.missing[name] = reason

    def baseline_of(self, name: str) -> float | None:
        spec = self.specs[name]
        return self.figures.get(spec.baseline) if spec.baseline else None

    def ratio_of(self, name: str) -> float | None:
        value, base = self.figures.get(name), self.baseline_of(name)
        if value is None or base is None or base == 0:
            return None
        return round(value / base, 3)

    def meets(self, name: str) -> bool | None:
        spec, value = self.specs[name], self.figures.get(name)
        if value is None or spec.op is None or spec.target is None:
            return None
        return value <= spec.target if spec.op == "<=" else value >= spec.target

    def to_json(self) -> JsonObject:
        names = list(self.figures)
        return {
            "started_at": self.started_at,
            "mode": self.mode,
            "machine": self.machine,
            "figures": {n: self.figures[n] for n in names},
            "missing": {n: self.missing[n] for n in names if n in self.missing},
            "units": {n: self.specs[n].unit for n in names},
            "targets": {
                n: (
                    {"op": self.specs[n].op, "value": self.specs[n].target}
                    if self.specs[n].op is not None
                    else None
                )
                for n in names
            },
            "baselines": {
                n: (
                    {"figure": self.specs[n].baseline, "value": self.baseline_of(n)}
                    if self.specs[n].baseline
                    else None
                )
                for n in names
            },
            "ratios": {n: self.ratio_of(n) for n in names},
            "meets_target": {n: self.meets(n) for n in names},
            "descriptions": {n: self.specs[n].what for n in names},
            "details": self.details,
            "section_seconds": {k: round(v, 1) for k, v in self.timings.items()},
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)


def from_json(data: JsonObject) -> Results:
    """A saved run, to print its table again (``python -m benchmarks --show FILE``)."""
    results = Results(str(data.get("mode", "")))
    results.started_at = str(data.get("started_at", ""))
    results.machine = dict(data.get("machine", {}))
    for name, value in data.get("figures", {}).items():
        if name not in results.specs:
            target = (data.get("targets") or {}).get(name) or {}
            baseline = (data.get("baselines") or {}).get(name) or {}
            results.add_spec(
                Spec(
                    name,
                    str((data.get("units") or {}).get(name, "")),
                    target.get("op"),
                    target.get("value"),
                    baseline.get("figure"),
                    str((data.get("descriptions") or {}).get(name, "")),
                )
            )
        results.figures[name] = value
    results.missing = dict(data.get("missing", {}))
    results.details = dict(data.get("details", {}))
    return results


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(results: Results, *, markdown: bool = False) -> str:
    """One row per figure: value, unit, target, whether it meets it, baseline and ratio."""
    header = ("figure", "value", "unit", "target", "ok", "baseline", "ratio")
    rows: list[tuple[str, ...]] = []
    for name, value in results.figures.items():
        spec = results.specs[name]
        target = f"{spec.op} {_number(spec.target)}" if spec.op else "-"
        meets = results.meets(name)
        ok = "-" if meets is None else ("yes" if meets else "NO")
        base = results.baseline_of(name)
        base_text = f"{_number(base)} ({spec.baseline})" if spec.baseline else "-"
        ratio = results.ratio_of(name)
        shown = _number(value) if value is not None else "missing"
        rows.append((name, shown, spec.unit, target, ok, base_text, _number(ratio)))
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    if results.missing:
        out.append("")
        out.append("missing:")
        out += [f"  {name}: {reason}" for name, reason in results.missing.items()]
    return "\n".join(out)
