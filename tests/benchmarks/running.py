"""Running ``python -m benchmarks`` as ``make bench-quick`` does: a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def run_benchmarks(tmp_path: Path, *options: str) -> tuple[dict[str, Any], str]:
    """Run with ``options``, the JSON and the throw-away files in ``tmp_path``: the results
    and what it printed (the table)."""
    output = tmp_path / "results.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "benchmarks", *options),
            *("--output", str(output), "--workdir", str(tmp_path)),
        ],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return data, done.stdout
