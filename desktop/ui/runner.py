"""The one way the UI touches the database or the network: an operation runner with a single
worker thread. Calls run in the order they were asked for, off the GUI thread; their results
and errors come back as signals to callbacks on the GUI thread (after Anki's ``CollectionOp``).

An operation may say what it changed (``changes``); the runner announces that with
``changed`` so every visible view can refresh itself.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from shared.errors import WcnError

T = TypeVar("T")
log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong, so this was not done. Try again; if it keeps happening, tell IT "
    "(the details are in the app's log)."
)
BUSY_AFTER_MS = 300  # show "working" only for work a person would notice


class UnexpectedError(WcnError):
    """What the UI shows for a failure nobody planned for; the traceback goes to the log."""

    code = "unexpected"


@dataclass(frozen=True)
class _Job:
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[WcnError], None] | None
    changes: frozenset[str]
    quiet: bool


class _Worker(QObject):
    """Lives on the worker thread; runs one call at a time."""

    finished = Signal(int, object, object)  # job id, result, exception

    @Slot(int, object)
    def run(self, job_id: int, call: Callable[[], object]) -> None:
        try:
            result = call()
        except WcnError as exc:
            self.finished.emit(job_id, None, exc)
        except Exception as exc:
            log.error("operation failed", exc_info=exc)
            self.finished.emit(job_id, None, UnexpectedError(UNEXPECTED))
        else:
            self.finished.emit(job_id, result, None)


class OperationRunner(QObject):
    """``run(call, on_success)``: ``call`` on the worker thread, ``on_success`` on this one.

    Every failure is emitted once with ``failed`` (the main window shows it in its message
    bar) unless the job is ``quiet``; ``on_failure`` lets the asking screen tidy up or mark
    the field that was wrong.
    """

    failed = Signal(object)  # WcnError
    changed = Signal(object)  # frozenset[str]: what the finished operation changed
    busy_changed = Signal(bool)
    _submitted = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submitted.connect(self._worker.run, Qt.ConnectionType.QueuedConnection)
        self._worker.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._thread.finished.connect(self._worker.deleteLater)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._announce_busy)
        self._shown_busy = False
        self._thread.start()

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def run(
        self,
        call: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        *,
        on_failure: Callable[[WcnError], None] | None = None,
        changes: Iterable[str] = (),
        quiet: bool = False,
    ) -> None:
        if not self._thread.isRunning():
            return  # shutting down: nothing new starts
        job_id = next(self._ids)
        self._jobs[job_id] = _Job(on_success, on_failure, frozenset(changes), quiet)
        if len(self._jobs) == 1:
            self._busy_timer.start()
        self._submitted.emit(job_id, call)

    @Slot(int, object, object)
    def _finished(self, job_id: int, result: object, error: object) -> None:
        job = self._jobs.pop(job_id, None)
        if not self._jobs:
            self._busy_timer.stop()
            if self._shown_busy:
                self._shown_busy = False
                self.busy_changed.emit(False)
        if job is None:
            return
        if isinstance(error, WcnError):
            if job.on_failure is not None:
                job.on_failure(error)
            if not job.quiet:
                self.failed.emit(error)
            return
        if job.on_success is not None:
            job.on_success(result)
        if job.changes:
            self.changed.emit(job.changes)

    def _announce_busy(self) -> None:
        if self._jobs and not self._shown_busy:
            self._shown_busy = True
            self.busy_changed.emit(True)

    def shutdown(self) -> None:
        """Let the call in progress finish (a save is never cut short), drop the rest."""
        self._jobs.clear()
        self._busy_timer.stop()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
