"""``python -m benchmarks [--quick | --scaling]``: run the benchmarks, write the JSON, print the
table."""

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

from benchmarks import infra, scaling, system
from benchmarks.config import FULL, QUICK, scaling_only
from benchmarks.results import Results, from_json, table
from benchmarks.run import Run, say

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="only the scaling series, every home size (about 45 minutes on 2 cores)",
    )
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
    if args.scaling:
        sizes = scaling_only(sizes)
    names = {"quick": "quick", "scaling": "scaling", "full": "latest"}
    output = Path(args.output or RESULTS_DIR / f"{names[sizes.mode]}.json")
    results = Results(sizes.mode)
    results.machine = system.machine()
    results.machine["postgresql"] = infra.postgres_version()
    deadline = time.monotonic() + sizes.budget_s
    workdir = Path(tempfile.mkdtemp(prefix="wcn-bench-", dir=args.workdir))
    os.environ["WCN_KEY_DIR"] = str(workdir / "keys")
    say(f"{sizes.mode} run in {workdir}")
    try:
        run = Run(results, sizes, workdir, deadline)
        if args.scaling:
            results.figures.clear()  # this file holds the series alone
            scaling.register(results, sizes)
            run.scaling_series()
        else:
            run.all()
    finally:
        if sizes.mode == "full":
            for name in scaling.fill_from_saved(results, RESULTS_DIR / "scaling.json"):
                say(f"{name}: no time in this run, taken from the last make bench-scaling")
        results.finish()
        results.write(output)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.stdout.write(table(results) + "\n")
    say(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
