"""The frozen app's entry point (PyInstaller runs this file as ``__main__``): the same
``writecarenotes`` command as the installed package, GUI and subcommands alike."""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    # A windowed Windows build has no console: argparse (--version) and the self-check write
    # to stdout, which is None there. Deployment scripts use the console build instead.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


if __name__ == "__main__":
    _ensure_streams()
    from desktop.main import main

    raise SystemExit(main())
