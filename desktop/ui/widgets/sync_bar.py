"""The always-visible sync status: online or not, changes waiting, the last sync, a warning
when other PCs may have records this one lacks, and "Sync now"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop import __version__
from desktop.services.sync_status import SyncStatus
from desktop.ui.formatting import clock
from desktop.ui.theme import set_role

STALE_TEXT = "Other PCs may have records you do not have yet"


class SyncBar(QFrame):
    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SyncBar")
        self.state_label = QLabel("Opening the care records…")
        self.state_label.setAccessibleName("Sync status")
        self.last_label = QLabel()
        set_role(self.last_label, "muted")
        self.stale_label = QLabel(STALE_TEXT)
        self.stale_label.setObjectName("SyncStale")
        self.stale_label.setVisible(False)
        self.error_label = QLabel()
        set_role(self.error_label, "muted")
        self.error_label.setWordWrap(True)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setToolTip("Send this PC's records and fetch other PCs' records (F5)")
        self.sync_button.clicked.connect(self.sync_requested)
        # The app version, for IT and support calls (the server also records it per PC).
        self.version_label = QLabel(f"WriteCareNotes {__version__}")
        self.version_label.setAccessibleName("App version")
        set_role(self.version_label, "muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 8, 4)
        layout.addWidget(self.state_label)
        layout.addWidget(self.last_label)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.error_label, 1)
        layout.addWidget(self.version_label)
        layout.addWidget(self.sync_button)
        self._syncing = False
        self.status: SyncStatus | None = None

    def show_not_enrolled(self) -> None:
        self.state_label.setText("This PC is not set up yet: nothing to sync")
        self.sync_button.setEnabled(False)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self.sync_button.setEnabled(not self._syncing)
        self._render()

    def set_syncing(self, syncing: bool) -> None:
        self._syncing = syncing
        self.sync_button.setEnabled(not syncing)
        self.sync_button.setText("Syncing…" if syncing else "Sync now")
        self._render()

    def _render(self) -> None:
        status = self.status
        if status is None:
            return
        text = status.describe()
        if self._syncing:
            text = "Syncing… · " + text.split(" · ", 1)[-1]
        self.state_label.setText(text)
        self.last_label.setText(f"Last sync: {clock(status.last_sync_ms)}")
        self.stale_label.setVisible(status.stale)
        self.error_label.setText(status.last_error or "")
        self.error_label.setToolTip(status.last_error or "")
