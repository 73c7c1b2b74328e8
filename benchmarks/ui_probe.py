"""Run in a process of its own by ``bench_desktop``: start the app offscreen on an enrolled
PC's store and report, one JSON line each, when the sign-in screen shows its staff list, and
(given a user) when the resident list and one resident's record are shown, with memory."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402 (the clock starts before the imports it measures)
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.system import proc_status_mb  # noqa: E402

TIMEOUT_S = 30.0


def emit(event: str, **values: Any) -> None:
    values["event"] = event
    values["t"] = round(time.perf_counter() - STARTED, 4)
    values["rss_mb"] = proc_status_mb(None, "VmRSS")
    values["hwm_mb"] = proc_status_mb(None, "VmHWM")
    # CPython < 3.12 counts references to None; a binding that drops them crashes the app
    # when the count reaches zero ("none_dealloc"), so the count is worth watching.
    values["none_refcount"] = sys.getrefcount(None)
    sys.stdout.write(json.dumps(values) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ui_probe")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--key-dir", required=True)
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--resident", default="")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from PySide6.QtCore import QEventLoop, QTimer

        from desktop.ui.app import application, build_window
        from desktop.ui.context import Launch
    except ImportError as exc:
        emit("unavailable", reason=f"desktop.ui.app is not importable yet ({exc})")
        return 0
    emit("imported")
    app = application()
    launch = Launch(data_dir=Path(args.data_dir), key_dir=args.key_dir, sync_interval_ms=0)
    window: Any = build_window(launch, app)
    ready: list[bool] = []
    window.ready.connect(ready.append)
    window.show()
    emit("window_built")
    window.start()

    def pump(done: Callable[[], bool]) -> bool:
        """Run the event loop until ``done()``. A timer checks it, so the probe itself makes
        no Qt calls that return nothing (see docs/performance.md: PySide6 6.12 on Python
        3.11 loses a reference to None on each one)."""
        if done():
            return True
        loop = QEventLoop()
        deadline = time.monotonic() + TIMEOUT_S
        outcome: list[bool] = []

        def check() -> None:
            if done() or time.monotonic() > deadline or ready == [False]:
                outcome.append(done())
                timer.stop()
                loop.quit()

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(check)
        timer.start()
        loop.exec()
        return bool(outcome and outcome[0])

    def sign_in_shown() -> bool:
        screen = window.sign_in
        return bool(
            ready == [True]
            and window.pages.currentWidget() is screen
            and screen.isVisible()
            and screen.model.rowCount() > 0
        )

    if not pump(sign_in_shown):
        emit("failed", reason=window.open_error or "the sign-in screen did not show in time")
        window.shutdown()
        return 0
    emit("signin_shown", staff=window.sign_in.model.rowCount())
    if args.username:
        user = window.ui.services.session.sign_in(args.username, args.password)
        window.sign_in.signed_in.emit(user)
        if not pump(lambda: window.runner.pending == 0):
            emit("failed", reason="the resident list did not load in time")
            window.shutdown()
            return 0
        emit("residents_shown", residents=window.residents.model.rowCount())
    if args.username and args.resident:
        window.open_resident(args.resident)
        if not pump(lambda: window.runner.pending == 0 and window.record.timeline.rowCount() > 0):
            emit(
                "failed",
                reason="the resident's record did not load in time",
                pending=window.runner.pending,
                timeline=window.record.timeline.rowCount(),
                page=type(window.workspace.currentWidget()).__name__,
            )
            window.shutdown()
            return 0
        emit("resident_shown", timeline=window.record.timeline.rowCount())
    window.shutdown()
    emit("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
