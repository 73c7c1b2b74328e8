"""The panels of the observations form: the NEWS2 total in its band's colour with what the
band calls for, the question asked before unusual readings are saved, and what was saved with
the SBARD prompt for handing over (RESTORE2)."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.services.observation_checks import band_label, soft_signs_text
from desktop.services.observations import ObservationSaved, Sbard
from desktop.ui import news2_colours
from desktop.ui.theme import set_role
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.news2 import News2Result

NOTHING = "NEWS2: enter the observations to see the score."


def total_text(result: News2Result | None) -> str:
    if result is None or len(result.missing) == len(result.scores):
        return NOTHING
    if result.total is not None:
        return f"NEWS2 {result.total}: {band_label(result)}"
    if result.minimum_band.value != "low":
        return f"NEWS2 incomplete: already {band_label(result)}"
    return "NEWS2 not calculated yet"


class News2Box(QFrame):
    """``compact``: the total and how often to observe only (the form shows what to do below,
    where there is room for it)."""

    def __init__(self, *, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("News2Box")
        self.compact = compact
        self.total_label = QLabel(NOTHING)
        self.total_label.setAccessibleName("NEWS2 total")
        font = self.total_label.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 3)
        self.total_label.setFont(font)
        self.monitoring_label = QLabel()
        self.monitoring_label.setWordWrap(True)
        self.escalation_label = QLabel()
        self.escalation_label.setWordWrap(True)
        self.escalation_label.setAccessibleName("What to do")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.total_label)
        layout.addWidget(self.escalation_label)
        layout.addWidget(self.monitoring_label)
        self.colour = "grey"
        self.show_result(None)

    def show_result(self, result: News2Result | None) -> None:
        self.total_label.setText(total_text(result))
        empty = result is None or len(result.missing) == len(result.scores)
        self.colour = "grey" if empty or result is None else result.colour
        self.escalation_label.setText("" if empty or result is None else result.escalation)
        self.escalation_label.setVisible(not empty and not self.compact)
        monitoring = "" if empty or result is None else f"Observations: {result.monitoring}."
        self.monitoring_label.setText(monitoring)
        self.monitoring_label.setVisible(not empty)
        back, text = news2_colours.COLOURS.get(self.colour, news2_colours.COLOURS["grey"])
        self.setStyleSheet(
            f"QFrame#News2Box {{ background: {back}; border: 2px solid #515a64; "
            f"border-radius: 6px; }} QFrame#News2Box QLabel {{ color: {text}; }}"
        )
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every wrapped line at this width (a layout asks only the hint)."""
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.setMinimumHeight(layout.heightForWidth(max(self.width(), 200)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


def sbard_html(sbard: Sbard) -> str:
    rows = "".join(
        f"<p><b>{html.escape(heading)}</b>: {html.escape(body)}</p>"
        for heading, body in sbard.sections
    )
    return f"<p><b>Hand over with SBARD</b> (RESTORE2):</p>{rows}"


class ObservationResult(QWidget):
    """What was saved: the score in its band's colour with the response it calls for, the
    soft signs, and the SBARD prompt when someone needs to be told."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 8, 0)
        self.saved_label = QLabel()
        set_role(self.saved_label, "saved")
        self.saved_label.setWordWrap(True)
        self.box = News2Box()
        self.signs_label = QLabel()
        self.signs_label.setWordWrap(True)
        self.sbard_label = QLabel()
        self.sbard_label.setWordWrap(True)
        self.sbard_label.setTextFormat(Qt.TextFormat.RichText)
        self.sbard_label.setAccessibleName("SBARD handover")
        self.sbard_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.saved_label, self.box, self.signs_label, self.sbard_label):
            body.addWidget(widget)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        enable_touch_scrolling(scroll)
        self.done_button = QPushButton("Done")
        set_role(self.done_button, "primary")
        self.more_button = QPushButton("Record more")
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_button, 2)
        buttons.addWidget(self.more_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def show_saved(self, saved: ObservationSaved) -> None:
        self.saved_label.setText(f"Saved at {dt.datetime.now():%H:%M}.")
        self.box.show_result(saved.news2 if saved.news2_recorded else None)
        self.box.setVisible(saved.news2_recorded)
        self.signs_label.setText(soft_signs_text(saved.soft_signs))
        self.signs_label.setVisible(bool(saved.soft_signs))
        self.sbard_label.setText(sbard_html(saved.sbard) if saved.sbard else "")
        self.sbard_label.setVisible(saved.sbard is not None)


class ConfirmPanel(QFrame):
    """Unusual readings, and the two answers: save them as they are, or check again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.label = QLabel()
        self.label.setWordWrap(True)
        set_role(self.label, "warning")
        self.confirm_button = QPushButton("The readings are right: save")
        set_role(self.confirm_button, "primary")
        self.recheck_button = QPushButton("Check again")
        self.recheck_button.clicked.connect(self.withdraw)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button, 2)
        buttons.addWidget(self.recheck_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.setVisible(False)

    def ask(self, messages: list[str]) -> None:
        self.label.setText("\n".join(messages))
        self.setVisible(True)
        self.confirm_button.setFocus()

    def withdraw(self) -> None:
        self.setVisible(False)
        self.label.clear()
