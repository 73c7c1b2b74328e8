"""Background sync on its own worker thread, so a long sync never holds up recording, and
the status bar kept up to date. The services' sync lock lets only one sync run at a time."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.services.sync_status import SyncStatus
from desktop.ui.context import UiContext
from desktop.ui.runner import OperationRunner
from desktop.ui.widgets.sync_bar import SyncBar


class SyncController(QObject):
    finished = Signal(bool)  # a sync ended: True when it worked

    def __init__(self, ui: UiContext, bar: SyncBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self._bar = bar
        self.runner = OperationRunner("wcn-sync", self)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.background_sync)
        self.syncing = False
        bar.sync_requested.connect(self.sync_now)

    def start(self) -> None:
        """Called once the store is open: show the status, then sync in the background."""
        self.refresh_status()
        interval = self._ui.launch.sync_interval_ms
        if interval > 0:
            self._timer.start(interval)
            self.background_sync()

    def background_sync(self) -> None:
        self._sync(quiet=True)

    def sync_now(self) -> None:
        """The person asked: a failure is shown in the message bar too."""
        self._sync(quiet=False)

    def _sync(self, *, quiet: bool) -> None:
        if self.syncing or not self._ui.is_open:
            if not quiet:
                self._ui.notify("A sync is already running.")
            return
        self.syncing = True
        self._bar.set_syncing(True)
        self.runner.run(
            self._ui.services.sync.sync_now,
            lambda _report: self._ended(True),
            on_failure=lambda _error: self._ended(False),
            changes=("sync",),
            quiet=quiet,
        )

    def _ended(self, worked: bool) -> None:
        self.syncing = False
        self._bar.set_syncing(False)
        self.refresh_status()
        self.finished.emit(worked)

    def refresh_status(self) -> None:
        if self._ui.is_open:
            self._ui.runner.run(self._ui.services.sync.status, self._show_status)

    def _show_status(self, status: SyncStatus) -> None:
        self._bar.show_status(status)

    def stop(self) -> None:
        self._timer.stop()
        self.runner.shutdown()
