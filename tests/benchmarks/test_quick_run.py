"""``make bench-quick`` as a smoke test: the benchmarks run end to end at small sizes and write
well-formed results. Nothing here asserts on times: a loaded machine must not fail the tests."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from benchmarks.catalogue import FIGURES
from tests.benchmarks.running import run_benchmarks

REPO = Path(__file__).resolve().parents[2]
MACHINE_KEYS = ("cores", "memory_gb", "python", "sqlite", "sqlcipher")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_quick_run_writes_well_formed_results(tmp_path: Path) -> None:
    data, printed = run_benchmarks(tmp_path, "--quick")

    for key in ("figures", "missing", "targets", "baselines", "machine", "started_at"):
        assert key in data, key
    dt.datetime.fromisoformat(data["started_at"])
    for key in MACHINE_KEYS:
        assert data["machine"].get(key) not in (None, ""), key

    figures: dict[str, Any] = data["figures"]
    missing: dict[str, Any] = data["missing"]
    assert {spec.name for spec in FIGURES} <= set(figures)
    assert any(name.startswith("scaling_") for name in figures)
    for name, value in figures.items():
        if value is None:
            assert isinstance(missing.get(name), str) and missing[name].strip(), name
        else:
            assert _is_number(value), (name, value)
            assert name not in missing, name
    for name in missing:
        assert figures.get(name, "absent") is None, name
    for name, target in data["targets"].items():
        assert target is None or (target["op"] in ("<=", ">=") and _is_number(target["value"]))
        assert name in figures
    for name, baseline in data["baselines"].items():
        assert baseline is None or baseline["value"] is None or _is_number(baseline["value"])
        assert name in figures
    # The table goes to stdout with every figure on it.
    for name in figures:
        assert name in printed
