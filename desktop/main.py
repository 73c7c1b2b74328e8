"""Entry point of ``writecarenotes``: with no subcommand it opens the app; the subcommands
are for IT and deployment scripts."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop import __version__
from desktop.cli.commands import add_subcommands, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="writecarenotes", description="WriteCareNotes for care homes"
    )
    parser.add_argument("--version", action="version", version=f"WriteCareNotes {__version__}")
    parser.add_argument("--data-dir", help="where this PC keeps its records")
    parser.add_argument("--key-dir", help="folder for the key file (no credential store)")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="open the store and the main window offscreen, then exit",
    )
    parser.add_argument("--demo-hint", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command")
    add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command:
        return run(args)
    from desktop.ui.app import run_app

    return run_app(args)


if __name__ == "__main__":
    raise SystemExit(main())
