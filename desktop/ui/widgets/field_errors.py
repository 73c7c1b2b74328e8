"""Field-level messages for a form: the field named by ``InvalidInput.field`` gets a red
border, its message underneath, and the keyboard focus."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop.ui.theme import restyle, set_role


class FieldErrors:
    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def add(self, name: str, widget: QWidget) -> QLabel:
        """Register ``widget`` as field ``name``; returns the label to place under it."""
        label = QLabel()
        label.setWordWrap(True)
        set_role(label, "field-error")
        label.setVisible(False)
        self._fields[name] = (widget, label)
        return label

    def knows(self, name: str | None) -> bool:
        return name is not None and name in self._fields

    def show(self, name: str | None, message: str) -> bool:
        """Mark the field; False when this form has no such field (the bar shows it alone)."""
        if name is None or name not in self._fields:
            return False
        self.clear()
        widget, label = self._fields[name]
        widget.setProperty("invalid", True)
        restyle(widget)
        widget.setAccessibleDescription(message)
        label.setText(message)
        label.setVisible(True)
        widget.setFocus()
        return True

    def message(self, name: str) -> str:
        label = self._fields[name][1]
        return label.text() if not label.isHidden() else ""

    def clear(self) -> None:
        for widget, label in self._fields.values():
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                restyle(widget)
                widget.setAccessibleDescription("")
            label.clear()
            label.setVisible(False)
