"""The results collector: a figure is a number or missing with a reason, never both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.catalogue import scaling_specs
from benchmarks.results import Results, from_json, table
from benchmarks.system import percentile


def test_a_failed_section_marks_its_figures_missing_and_the_run_goes_on() -> None:
    results = Results("quick")
    with results.section("push_1000_ms", "pull_apply_rows_per_s"):
        results.record("push_1000_ms", 80.0)
        raise RuntimeError("the server went away")
    assert results.value("push_1000_ms") == 80.0
    assert results.value("pull_apply_rows_per_s") is None
    assert "the server went away" in results.missing["pull_apply_rows_per_s"]
    assert "push_1000_ms" not in results.missing


def test_finish_gives_every_unmeasured_figure_a_reason(tmp_path: Path) -> None:
    results = Results("quick")
    results.record("local_writes_per_s", 1500.0)
    results.finish()
    results.write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    for name, value in data["figures"].items():
        assert (value is None) == (name in data["missing"])
    assert data["meets_target"]["local_writes_per_s"] is True


def test_ratio_is_to_the_baseline_figure_and_targets_are_checked() -> None:
    results = Results("full")
    results.record("bootstrap_events_per_s", 10_000.0)
    results.record("raw_sqlcipher_inserts_per_s", 40_000.0)
    results.record("push_1000_ms", 150.0)
    assert results.ratio_of("bootstrap_events_per_s") == 0.25
    assert results.meets("bootstrap_events_per_s") is False
    assert results.meets("push_1000_ms") is False
    results.record("push_1000_ms", 90.0)
    assert results.meets("push_1000_ms") is True


def test_non_finite_values_are_recorded_as_missing() -> None:
    results = Results("quick")
    results.record("push_1000_ms", float("nan"))
    assert results.value("push_1000_ms") is None
    assert "nan" in results.missing["push_1000_ms"]


def test_unknown_figures_are_refused() -> None:
    with pytest.raises(KeyError):
        Results("quick").record("made_up_ms", 1.0)


def test_scaling_figures_are_named_by_home_size_and_tabled() -> None:
    results = Results("full")
    for spec in scaling_specs(120, 5 * 365):
        results.add_spec(spec)
    results.miss("scaling_bootstrap_s_120r_5y", "does not fit the run's time budget")
    text = table(results)
    assert "scaling_bootstrap_s_120r_5y" in text
    assert "does not fit" in text
    assert "| figure |" in table(results, markdown=True)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0
    assert percentile(list(map(float, range(101))), 99) == 99.0


def test_a_saved_run_prints_the_same_table(tmp_path: Path) -> None:
    results = Results("full")
    for spec in scaling_specs(30, 365):
        results.add_spec(spec)
    results.record("push_1000_ms", 120.0)
    results.record("scaling_bootstrap_s_30r_1y", 31.5)
    results.finish()
    results.write(tmp_path / "r.json")
    saved = from_json(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))
    assert table(saved) == table(results)
