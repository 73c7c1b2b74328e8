"""The scaling series on its own (``make bench-scaling``) and how a full run takes the cells it
had no time for from that run's file, saying where each came from."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import scaling
from benchmarks.config import FULL
from benchmarks.results import Results
from tests.benchmarks.running import run_benchmarks

REPO = Path(__file__).resolve().parents[2]


def _full_run_results() -> Results:
    results = Results("full")
    scaling.register(results, FULL)
    results.record("scaling_bootstrap_s_30r_1y", 19.0)  # measured in this run
    results.miss("scaling_bootstrap_s_120r_5y", "does not fit the run's time budget")
    results.miss("scaling_server_db_mb_120r_5y", "does not fit the run's time budget")
    return results


def _saved(path: Path, figures: dict[str, float | None]) -> Path:
    data = {
        "started_at": "2026-11-27T00:10:00+00:00",
        "mode": "scaling",
        "figures": figures,
        "details": {"scaling_bootstrap_s_120r_5y": {"records": 5_037_000}},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_cells_without_time_are_taken_from_the_scaling_run_with_their_source(
    tmp_path: Path,
) -> None:
    results = _full_run_results()
    saved = _saved(
        tmp_path / "scaling.json",
        {
            "scaling_bootstrap_s_30r_1y": 99.0,
            "scaling_bootstrap_s_120r_5y": 412.5,
            "scaling_server_db_mb_120r_5y": None,
        },
    )
    filled = scaling.fill_from_saved(results, saved)
    assert filled == ["scaling_bootstrap_s_120r_5y"]
    assert results.value("scaling_bootstrap_s_120r_5y") == 412.5
    note = results.details["scaling_bootstrap_s_120r_5y"]
    assert "make bench-scaling" in note["source"] and "2026-11-27T00:10" in note["source"]
    assert note["not_measured_here"] == "does not fit the run's time budget"
    assert note["records"] == 5_037_000
    assert results.value("scaling_bootstrap_s_30r_1y") == 19.0  # this run's own stays
    assert "scaling_server_db_mb_120r_5y" in results.missing  # none saved: still missing


def test_no_file_or_a_damaged_one_fills_nothing(tmp_path: Path) -> None:
    results = _full_run_results()
    assert scaling.fill_from_saved(results, tmp_path / "absent.json") == []
    damaged = tmp_path / "scaling.json"
    damaged.write_text("{not json", encoding="utf-8")
    assert scaling.fill_from_saved(results, damaged) == []
    assert results.value("scaling_bootstrap_s_120r_5y") is None


def test_the_scaling_series_runs_alone_and_writes_only_its_cells(tmp_path: Path) -> None:
    data, _printed = run_benchmarks(tmp_path, "--quick", "--scaling")
    assert data["mode"] == "scaling"
    figures = data["figures"]
    assert figures and all(name.startswith("scaling_") for name in figures)
    for name, value in figures.items():
        assert isinstance(value, float | int) or data["missing"].get(name), name
    measured = [v for v in figures.values() if v is not None]
    assert measured, data["missing"]  # the small cells fit a quick budget
