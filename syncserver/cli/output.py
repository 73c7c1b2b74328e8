"""The CLI's one way to speak to a person: plain lines on stdout, problems on stderr."""

from __future__ import annotations

import sys


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    sys.stderr.write(f"writecarenotes-server: {text}\n")
    sys.stderr.flush()
