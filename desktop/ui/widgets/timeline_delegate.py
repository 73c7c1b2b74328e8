"""How one timeline entry looks: when, what kind, who; the note; earlier versions underneath
when it was amended; struck through when it was entered in error."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.services.notes import TimelineEntry
from desktop.ui import news2_colours
from desktop.ui.formatting import when
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.models.timeline import TimelineModel, status_text
from desktop.ui.theme import Theme
from shared import news2

PAD = 10
GAP = 4
WRAP = int(Qt.TextFlag.TextWordWrap)


def score_chip_text(entry: TimelineEntry) -> str:
    """The NEWS2 chip of an observation: its score, or that it is incomplete but already at
    a band that calls for a response."""
    if entry.score_label:
        return entry.score_label
    if entry.score_colour and entry.score_colour != news2.INCOMPLETE_COLOUR:
        return "NEWS2 incomplete"
    return ""


def earlier_versions(entry: TimelineEntry) -> tuple[str, ...]:
    """What to show under an entry; a struck-through entry already shows its words."""
    if entry.status == "entered_in_error":
        return tuple(h for h in entry.history if h != entry.summary)
    return entry.history


class TimelineDelegate(QStyledItemDelegate):
    def __init__(self, theme: Theme, model: TimelineModel, view: QListView) -> None:
        super().__init__(view)
        self._theme = theme
        self._model = model
        self._view = view

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSize(max(8, base.pointSize() - 2))
        return base, bold, small

    def _text_width(self) -> int:
        return max(200, self._view.viewport().width() - 2 * PAD - 4)

    def _heights(self, entry: TimelineEntry, base: QFont) -> tuple[int, int, list[int]]:
        plain, bold, small = self._fonts(base)
        width = self._text_width()
        head = QFontMetrics(bold).height()
        body = QFontMetrics(plain).boundingRect(QRect(0, 0, width, 10_000), WRAP, entry.summary)
        history = [
            QFontMetrics(small)
            .boundingRect(QRect(0, 0, width, 10_000), WRAP, f"Earlier: {h}")
            .height()
            for h in earlier_versions(entry)
        ]
        return head, body.height(), history

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        entry = index.data(ROW_ROLE)
        if not isinstance(entry, TimelineEntry):
            return QSize(0, 0)
        head, body, history = self._heights(entry, option.font)
        height = PAD + head + GAP + body + sum(h + GAP for h in history) + PAD
        return QSize(self._text_width(), max(56, height))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        entry = index.data(ROW_ROLE)
        if not isinstance(entry, TimelineEntry):
            return
        c = self._theme.colours
        rect: QRect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        plain, bold, small = self._fonts(option.font)
        head_h, body_h, history_h = self._heights(entry, option.font)
        painter.save()
        painter.fillRect(rect, c.q("selection" if selected else "surface"))
        painter.setPen(c.q("border"))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        text_colour = c.q("selection_text" if selected else "text")
        muted = text_colour if selected else c.q("muted")
        left, width = rect.left() + PAD, self._text_width()
        y = rect.top() + PAD

        painter.setFont(bold)
        painter.setPen(text_colour)
        stamp = f"{when(entry.occurred_at)}   {entry.kind_label}"
        painter.drawText(QRect(left, y, width, head_h), Qt.AlignmentFlag.AlignLeft, stamp)
        x = left + QFontMetrics(bold).horizontalAdvance(stamp) + 12
        author = self._model.author_of(entry)
        painter.setFont(plain)
        painter.setPen(muted)
        if author:
            painter.drawText(QRect(x, y, width, head_h), Qt.AlignmentFlag.AlignLeft, f"by {author}")
        status = status_text(entry)
        right = left + width
        if status:
            painter.setFont(bold)
            tag_w = QFontMetrics(bold).horizontalAdvance(status) + 16
            tag = QRect(left + width - tag_w, y - 2, tag_w, head_h + 4)
            right = tag.left() - 8
            danger = entry.status == "entered_in_error"
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.q("danger" if danger else "warning"))
            painter.drawRoundedRect(tag, 4, 4)
            painter.setPen(c.q("danger_text" if danger else "warning_text"))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, status)
        score = score_chip_text(entry)
        if score:
            painter.setFont(bold)
            chip_w = QFontMetrics(bold).horizontalAdvance(score) + 16
            chip = QRect(right - chip_w, y - 2, chip_w, head_h + 4)
            painter.setPen(c.q("border"))
            painter.setBrush(news2_colours.background(entry.score_colour))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(news2_colours.foreground(entry.score_colour))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, score)
        y += head_h + GAP

        body_font = QFont(plain)
        body_font.setStrikeOut(entry.status == "entered_in_error")
        painter.setFont(body_font)
        painter.setPen(muted if entry.status == "entered_in_error" else text_colour)
        painter.drawText(QRect(left, y, width, body_h), WRAP, entry.summary)
        y += body_h + GAP
        painter.setFont(small)
        painter.setPen(muted)
        for text, height in zip(earlier_versions(entry), history_h, strict=True):
            painter.drawText(QRect(left, y, width, height), WRAP, f"Earlier: {text}")
            y += height + GAP
        painter.restore()
