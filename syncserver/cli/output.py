"""The CLI's one way to speak to a person: plain lines on stdout, problems on stderr."""

from __future__ import annotations

import datetime as dt
import sys


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    sys.stderr.write(f"writecarenotes-server: {text}\n")
    sys.stderr.flush()


def utc_text(at: dt.datetime) -> str:
    """A time in UTC, to the second (SQLite hands back times without their zone: UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="seconds")
