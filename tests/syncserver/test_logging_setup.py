"""The server's log format: JSON (or text) lines with the request id, extra fields kept, and
exceptions reduced to their type and code locations, never their message."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from syncserver.logging_setup import (
    configure_logging,
    request_id_from,
    reset_request_id,
    set_request_id,
)

PERSONAL = "Mr Example's diagnosis"


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("lb-7f3a9c21", True), ("a" * 64, True), ("short", False), ("a" * 65, False),
     ("bad id with spaces", False), (None, False), ("<script>alert(1)</script>", False)],
)  # fmt: skip
def test_a_request_id_is_kept_only_when_sane(given: str | None, kept: bool) -> None:
    made = request_id_from(given)
    assert (made == given) is kept
    assert 8 <= len(made) <= 64


def test_json_lines_carry_the_request_id_and_no_exception_message(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json_lines=True)
    token = set_request_id("req-12345678")
    try:
        logging.getLogger("syncserver.test").info("pushed", extra={"applied": 3})
        try:
            raise ValueError(PERSONAL)
        except ValueError:
            logging.getLogger("syncserver.test").exception("failed")
    finally:
        reset_request_id(token)
    logging.getLogger("alembic.runtime").info("Context impl PostgresqlImpl.")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert (first["msg"], first["applied"], first["request_id"]) == ("pushed", 3, "req-12345678")
    assert first["level"] == "info" and first["logger"] == "syncserver.test"
    assert second["exc_type"] == "builtins.ValueError"
    assert PERSONAL not in json.dumps(second)
    assert any("test_json_lines_carry" in frame for frame in second["stack"])


def test_text_lines_for_a_person(root_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json_lines=False)
    token = set_request_id("req-12345678")
    try:
        logging.getLogger("syncserver.test").warning("slow push", extra={"ms": 1234.5})
    finally:
        reset_request_id(token)
    line = capsys.readouterr().err.strip()
    assert line.endswith("WARNING syncserver.test [req-12345678] slow push ms=1234.5")
