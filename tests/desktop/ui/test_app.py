"""Starting the app: the installer's self-check, and the shared runner's promises."""

from __future__ import annotations

import argparse
import functools
import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.main import build_parser
from desktop.services.errors import InvalidInput
from desktop.ui.app import launch_from, run_app
from desktop.ui.models.staff import StaffListModel
from desktop.ui.runner import UNEXPECTED, OperationRunner
from shared.errors import WcnError

WAIT_MS = 10_000


def args_for(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_self_check_opens_the_store_and_exits_0(
    qapp: QApplication, pc_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(args_for("--data-dir", str(pc_data_dir), "--self-check")) == 0
    assert "self-check passed: the store opened" in capsys.readouterr().out
    assert not any(w.isVisible() for w in qapp.topLevelWidgets())


def test_self_check_on_a_new_pc_is_ready_to_enrol(
    qapp: QApplication, tmp_path: Path, key_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_app(args_for("--data-dir", str(tmp_path / "fresh"), "--self-check")) == 0
    assert "not enrolled yet" in capsys.readouterr().out


def test_self_check_fails_with_a_sentence_when_the_key_is_missing(
    qapp: QApplication, pc_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other_keys = tmp_path / "other-keys"
    code = run_app(
        args_for("--data-dir", str(pc_data_dir), "--key-dir", str(other_keys), "--self-check")
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "self-check failed: The key for the care record store" in err
    assert "Traceback" not in err


def test_launch_from_arguments(tmp_path: Path) -> None:
    launch = launch_from(args_for("--data-dir", str(tmp_path), "--demo-hint", "hello"))
    assert (launch.data_dir, launch.demo_hint, launch.key_dir) == (tmp_path, "hello", None)


def test_runner_works_off_the_gui_thread_in_order(qtbot: QtBot) -> None:
    runner = OperationRunner("test-runner")
    seen: list[tuple[int, bool]] = []
    gui = threading.get_ident()
    try:

        def work(n: int) -> tuple[int, bool]:
            return n, threading.get_ident() != gui

        for n in range(5):
            runner.run(functools.partial(work, n), seen.append)
        qtbot.waitUntil(lambda: len(seen) == 5, timeout=WAIT_MS)
    finally:
        runner.shutdown()
    assert seen == [(n, True) for n in range(5)]


def test_runner_reports_expected_errors_once_and_hides_tracebacks(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    runner = OperationRunner("test-runner")
    failures: list[WcnError] = []
    seen_by_caller: list[WcnError] = []
    runner.failed.connect(failures.append)

    def refused() -> None:
        raise InvalidInput("Write what happened.", field="text")

    def broken() -> None:
        raise KeyError("a bug")

    try:
        runner.run(refused, on_failure=seen_by_caller.append)
        runner.run(broken)
        runner.run(refused, quiet=True)
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    finally:
        runner.shutdown()
    assert [f.message for f in failures] == ["Write what happened.", UNEXPECTED]
    assert [getattr(f, "field", None) for f in seen_by_caller] == ["text"]
    assert any(r.levelno == logging.ERROR for r in caplog.records)  # the bug is in the log
    caplog.clear()


def test_staff_model_passes_the_model_tester(qtmodeltester: object) -> None:
    qtmodeltester.check(StaffListModel())  # type: ignore[attr-defined]
