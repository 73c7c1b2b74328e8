"""Alert chips (DNACPR, allergies, falls risk, diet): the same words and colours everywhere."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.ui.theme import restyle


def alert_kind(alert: str) -> str:
    """'danger' for what could kill (DNACPR, allergy), 'warning' for falls, 'info' for diet."""
    lowered = alert.lower()
    if lowered.startswith(("dnacpr", "allergy")):
        return "danger"
    if lowered.startswith("falls"):
        return "warning"
    return "info"


def make_chip(text: str, kind: str) -> QLabel:
    chip = QLabel(text)
    chip.setProperty("chip", kind)
    chip.setAccessibleName(f"Alert: {text}")
    restyle(chip)
    return chip


class AlertChips(QWidget):
    """A row of chips; ``set_alerts`` replaces them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.texts: tuple[str, ...] = ()

    def set_alerts(self, alerts: tuple[str, ...]) -> None:
        self.set_chips(tuple((a, alert_kind(a)) for a in alerts))

    def set_chips(self, chips: tuple[tuple[str, str], ...]) -> None:
        """Replace the chips with these (text, kind) pairs."""
        self.texts = tuple(text for text, _kind in chips)
        while self._layout.count() > 1:
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for index, (text, kind) in enumerate(chips):
            self._layout.insertWidget(index, make_chip(text, kind))
