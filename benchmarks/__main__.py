"""``python -m benchmarks [--quick]``: run the benchmarks, write the JSON, print the table."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import infra, system
from benchmarks.config import FULL, QUICK
from benchmarks.results import Results, from_json, table
from benchmarks.run import Run, say

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--output", help="the JSON file (default benchmarks/results/...)")
    parser.add_argument("--workdir", help="where the throw-away databases go (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--show", metavar="FILE", help="print a saved run's table, run nothing")
    parser.add_argument("--markdown", action="store_true", help="with --show: a Markdown table")
    args = parser.parse_args(argv)
    if args.show:
        saved = from_json(json.loads(Path(args.show).read_text(encoding="utf-8")))
        sys.stdout.write(table(saved, markdown=args.markdown) + "\n")
        return 0
    sizes = QUICK if args.quick else FULL
    output = Path(args.output or RESULTS_DIR / f"{'quick' if args.quick else 'latest'}.json")
    results = Results(sizes.mode)
    results.machine = system.machine()
    results.machine["postgresql"] = infra.postgres_version()
    deadline = time.monotonic() + sizes.budget_s
    workdir = Path(tempfile.mkdtemp(prefix="wcn-bench-", dir=args.workdir))
    os.environ["WCN_KEY_DIR"] = str(workdir / "keys")
    say(f"{sizes.mode} run in {workdir}")
    try:
        Run(results, sizes, workdir, deadline).all()
    finally:
        results.finish()
        results.write(output)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.stdout.write(table(results) + "\n")
    say(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
