"""One trend chart drawn with QPainter (QtCharts is not part of the installed PySide6, and a
plain painter needs nothing more): a line through the recorded points for weight and NEWS2
(NEWS2 over its medium and high bands), bars for daily fluids with the target as a dashed
line, and a sentence instead of a chart when nothing is recorded."""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.services.notes import LOW_FLUID_FRACTION
from desktop.services.trends import Point, Series
from desktop.ui import news2_colours
from desktop.ui.theme import Theme

LINE, BARS = "line", "bars"
PAD = 10
AXIS_W = 64
AXIS_H = 24


def shown(value: float, unit: str) -> str:
    if unit == "ml":
        return f"{value:,.0f} ml"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def describe(series: Series, empty_text: str) -> str:
    """What the chart says, in words (for screen readers and tests)."""
    latest = series.latest
    if latest is None or latest.value is None:
        return empty_text
    recorded = [p.value for p in series.points if p.value is not None]
    text = f"{series.title}: latest {shown(latest.value, series.unit)} ({latest.period.label})"
    if len(recorded) > 1:
        text += f"; lowest {shown(min(recorded), series.unit)}, highest "
        text += shown(max(recorded), series.unit)
    if series.target:
        text += f"; target {shown(series.target, series.unit)} a day"
    return text + "."


def nice_scale(low: float, high: float, steps: int = 4) -> tuple[float, float, float]:
    """An axis from ``low`` to ``high`` in round steps (1, 2 or 5 times a power of ten)."""
    raw = max(high - low, 1e-9) / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _scale(values: list[float], series: Series, style: str) -> tuple[float, float, float]:
    if series.title == "NEWS2":
        return nice_scale(0.0, max(10.0, max(values, default=0) + 1))
    if style == BARS:
        return nice_scale(0.0, max([*values, series.target or 0, 1.0]) * 1.1)
    low, high = min(values), max(values)
    spread = max(high - low, 2.0)
    return nice_scale(low - spread * 0.25, high + spread * 0.25)


class TrendChart(QWidget):
    def __init__(
        self, theme: Theme, style: str, title: str, empty_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        self.title = title
        self.style_kind = style
        self.empty_text = empty_text
        self.series: Series | None = None
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader reads the description
        theme.changed.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(600, 200)

    def set_series(self, series: Series | None) -> None:
        self.series = series
        self.setAccessibleName(f"{self.title} chart")
        self.setAccessibleDescription(self.description)
        self.setToolTip(self.description)
        self.update()

    @property
    def description(self) -> str:
        return describe(self.series, self.empty_text) if self.series else "Loading…"

    @property
    def empty(self) -> bool:
        return self.series is None or self.series.empty

    # --- drawing ---------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        c = self._theme.colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = self.rect().adjusted(0, 0, -1, -1)
        painter.fillRect(frame, c.q("surface"))
        painter.setPen(c.q("border"))
        painter.drawRoundedRect(frame, 6, 6)
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSize(max(8, base.pointSize() - 2))
        head_h = QFontMetrics(bold).height()
        series = self.series
        title = self.title + (f" ({series.unit})" if series is not None and series.unit else "")
        painter.setFont(bold)
        painter.setPen(c.q("text"))
        painter.drawText(QRect(PAD, PAD, self.width() - 2 * PAD, head_h), 0, title)
        if series is not None and series.latest is not None and series.latest.value is not None:
            latest = f"Latest {shown(series.latest.value, series.unit)}"
            painter.setFont(base)
            painter.drawText(
                QRect(PAD, PAD, self.width() - 2 * PAD, head_h),
                int(Qt.AlignmentFlag.AlignRight),
                latest,
            )
        plot = QRect(
            PAD + AXIS_W,
            PAD + head_h + 8,
            self.width() - 2 * PAD - AXIS_W,
            self.height() - 2 * PAD - head_h - 8 - AXIS_H,
        )
        if series is None or series.empty:
            painter.setFont(base)
            painter.setPen(c.q("muted"))
            flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
            painter.drawText(plot, flags, self.empty_text if series else "Loading…")
            painter.end()
            return
        values = [p.value for p in series.points if p.value is not None]
        low, high, step = _scale(values, series, self.style_kind)
        self._draw_axes(painter, plot, series, (low, high, step), small)
        if self.style_kind == BARS:
            self._draw_bars(painter, plot, series, (low, high), small)
        else:
            self._draw_line(painter, plot, series.points, (low, high), small)
        painter.end()

    def _y(self, plot: QRect, value: float, low: float, high: float) -> float:
        return plot.bottom() - (value - low) / (high - low) * plot.height()

    def _x(self, plot: QRect, index: int, count: int) -> float:
        step = plot.width() / max(count, 1)
        return plot.left() + step * (index + 0.5)

    def _draw_axes(
        self,
        painter: QPainter,
        plot: QRect,
        series: Series,
        scale: tuple[float, float, float],
        font: QFont,
    ) -> None:
        c = self._theme.colours
        low, high, step = scale
        if series.title == "NEWS2":  # the bands the score calls a response at
            for start, end, colour in ((5, 7, "orange"), (7, high, "red")):
                band = QColor(news2_colours.background(colour))
                band.setAlpha(45)
                top, bottom = self._y(plot, end, low, high), self._y(plot, start, low, high)
                painter.fillRect(QRectF(plot.left(), top, plot.width(), bottom - top), band)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        grid = QPen(c.q("border"))
        grid.setStyle(Qt.PenStyle.DotLine)
        for tick in range(round((high - low) / step) + 1):
            value = low + tick * step
            y = self._y(plot, value, low, high)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(c.q("muted"))
            label = f"{value:,.0f}" if step >= 1 else f"{value:.1f}"
            painter.drawText(
                QRect(PAD, int(y - metrics.height() / 2), AXIS_W - 8, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight),
                label,
            )
        count = len(series.points)
        widest = max(metrics.horizontalAdvance(p.period.label) for p in series.points) + 8
        every = max(1, math.ceil(widest / max(plot.width() / max(count, 1), 1)))
        for index, point in enumerate(series.points):
            if (count - 1 - index) % every:
                continue  # label from today backwards, so today always has one
            x = self._x(plot, index, count)
            painter.drawText(
                QRect(int(x - widest / 2), plot.bottom() + 4, int(widest), AXIS_H),
                int(Qt.AlignmentFlag.AlignHCenter),
                point.period.label,
            )

    def _draw_line(
        self,
        painter: QPainter,
        plot: QRect,
        points: tuple[Point, ...],
        scale: tuple[float, float],
        font: QFont,
    ) -> None:
        c = self._theme.colours
        low, high = scale
        count = len(points)
        spots = [
            (QPointF(self._x(plot, i, count), self._y(plot, p.value, low, high)), p.value)
            for i, p in enumerate(points)
            if p.value is not None
        ]
        pen = QPen(c.q("accent"), 3)
        painter.setPen(pen)
        for (a, _va), (b, _vb) in itertools.pairwise(spots):
            painter.drawLine(a, b)
        painter.setFont(font)
        for spot, value in spots:
            colour = c.q("accent")
            if self.series is not None and self.series.title == "NEWS2":
                band = "red" if value >= 7 else "orange" if value >= 5 else "green"
                colour = news2_colours.background(band)
            painter.setPen(QPen(c.q("surface"), 2))
            painter.setBrush(colour)
            painter.drawEllipse(spot, 6, 6)
            if len(spots) <= 16:
                painter.setPen(c.q("text"))
                label = shown(value, "")
                painter.drawText(
                    QRectF(spot.x() - 30, spot.y() - 26, 60, 18),
                    int(Qt.AlignmentFlag.AlignCenter),
                    label,
                )

    def _draw_bars(
        self,
        painter: QPainter,
        plot: QRect,
        series: Series,
        scale: tuple[float, float],
        font: QFont,
    ) -> None:
        c = self._theme.colours
        low, high = scale
        count = len(series.points)
        width = plot.width() / max(count, 1) * 0.6
        painter.setFont(font)
        for index, point in enumerate(series.points):
            if point.value is None:
                continue
            x = self._x(plot, index, count)
            top = self._y(plot, point.value, low, high)
            short = series.target is not None and point.value < series.target * LOW_FLUID_FRACTION
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.q("danger" if short else "accent"))
            painter.drawRect(QRectF(x - width / 2, top, width, plot.bottom() - top))
        if series.target:
            y = self._y(plot, series.target, low, high)
            pen = QPen(c.q("ok"), 2)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(c.q("ok"))
            painter.drawText(
                QRectF(plot.left() + 4, y - 20, plot.width() - 8, 18),
                int(Qt.AlignmentFlag.AlignRight),
                f"Target {shown(series.target, series.unit)}",
            )
