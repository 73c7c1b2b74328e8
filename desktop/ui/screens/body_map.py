"""A body map: front and back outlines drawn with QPainter. Tap the body to place a mark;
marks are numbered so the list beside the map can describe each one. Positions are kept as
fractions (0–1) of each outline's box, so a map reads the same at any size. A mark with
photos carries a small camera badge."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from shared.incidents import SIDES

# The right half of the outline (x from the middle outwards, y downwards, both 0–1),
# from the neck, down the arm and the leg, to the middle between the legs.
_RIGHT_HALF = (
    (0.545, 0.125),
    (0.55, 0.16),
    (0.69, 0.18),
    (0.755, 0.22),
    (0.79, 0.36),
    (0.84, 0.50),
    (0.865, 0.575),
    (0.825, 0.595),
    (0.785, 0.525),
    (0.74, 0.405),
    (0.705, 0.30),
    (0.685, 0.41),
    (0.695, 0.50),
    (0.675, 0.72),
    (0.645, 0.93),
    (0.675, 0.985),
    (0.565, 0.985),
    (0.56, 0.93),
    (0.535, 0.72),
    (0.51, 0.545),
    (0.5, 0.54),
)
HEAD = (0.5, 0.068, 0.085, 0.062)  # centre x, centre y, radius across, radius down
ASPECT = 0.55  # an outline's box is this wide for its height
MARK_RADIUS = 11
UNIT = 1000.0  # the outline is built this large so that merging it keeps the head round


@dataclass(frozen=True)
class MapMark:
    side: str
    x: float
    y: float
    number: int
    photos: int = 0  # photos attached to the mark: a camera badge shows there are some


def outline_path() -> QPainterPath:
    """The body outline in a UNIT × UNIT box."""
    left_half = [(1 - x, y) for x, y in reversed(_RIGHT_HALF)]
    body = QPolygonF([QPointF(x * UNIT, y * UNIT) for x, y in (*_RIGHT_HALF, *left_half)])
    path = QPainterPath()
    path.addPolygon(body)
    path.closeSubpath()
    cx, cy, rx, ry = HEAD
    path.addEllipse(QPointF(cx * UNIT, cy * UNIT), rx * UNIT, ry * UNIT)
    path.setFillRule(Qt.FillRule.WindingFill)
    return path.simplified()  # one outline: the head joins the neck


class BodyMapWidget(QWidget):
    """``mark_added(side, x, y)`` when the body is tapped; ``set_marks`` shows the marks."""

    mark_added = Signal(str, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Body map: tap the front or back outline to mark where")
        self.setMinimumSize(260, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._outline = outline_path()
        self.marks: tuple[MapMark, ...] = ()
        self.read_only = False

    def sizeHint(self) -> QSize:
        return QSize(380, 360)

    # --- ours ------------------------------------------------------------------------------

    def set_marks(self, marks: tuple[MapMark, ...]) -> None:
        self.marks = marks
        self.update()

    def figure_rect(self, side: str) -> QRectF:
        """Where the outline of ``side`` is drawn, in widget coordinates."""
        top = 30.0
        height = max(10.0, self.height() - top - 8)
        width = height * ASPECT
        half = self.width() / 2
        if width > half - 16:
            width = half - 16
            height = width / ASPECT
        column = 0 if side == SIDES[0] else 1
        left = column * half + (half - width) / 2
        return QRectF(left, top, width, height)

    def point_for(self, side: str, x: float, y: float) -> QPointF:
        rect = self.figure_rect(side)
        return QPointF(rect.left() + x * rect.width(), rect.top() + y * rect.height())

    def on_body(self, x: float, y: float) -> bool:
        return self._outline.contains(QPointF(x * UNIT, y * UNIT))

    def tap(self, position: QPointF) -> bool:
        """Place a mark where ``position`` falls on a body; False when it is off the body."""
        if self.read_only:
            return False
        for side in SIDES:
            rect = self.figure_rect(side)
            if rect.contains(position):
                x = (position.x() - rect.left()) / rect.width()
                y = (position.y() - rect.top()) / rect.height()
                if self.on_body(x, y):
                    self.mark_added.emit(side, round(x, 3), round(y, 3))
                    return True
        return False

    # --- Qt overrides ----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.tap(event.position()):
            event.accept()
            return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(palette.ColorRole.WindowText)
        fill = palette.color(palette.ColorRole.Base)
        for side in SIDES:
            rect = self.figure_rect(side)
            painter.setPen(text)
            title = QRectF(rect.left() - 20, 0, rect.width() + 40, 26)
            painter.drawText(title, Qt.AlignmentFlag.AlignCenter, side.capitalize())
            # The resident's right is on the viewer's left when facing them.
            right, left = ("R", "L") if side == SIDES[0] else ("L", "R")
            band = QRectF(rect.left(), rect.top(), rect.width() * 0.2, rect.height() * 0.12)
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, right)
            band.moveRight(rect.right())
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, left)
            painter.save()
            painter.translate(rect.topLeft())
            painter.scale(rect.width() / UNIT, rect.height() / UNIT)
            pen = QPen(text, 2.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(fill)
            painter.drawPath(self._outline)
            if side == SIDES[1]:  # the spine, so the back reads as the back
                painter.drawLine(QPointF(0.5 * UNIT, 0.17 * UNIT), QPointF(0.5 * UNIT, 0.48 * UNIT))
            painter.restore()
        self._paint_marks(painter)
        painter.end()

    def _paint_marks(self, painter: QPainter) -> None:
        red = QColor("#c62828")
        white = QColor("#ffffff")
        for mark in self.marks:
            centre = self.point_for(mark.side, mark.x, mark.y)
            painter.setPen(QPen(white, 2))
            painter.setBrush(red)
            painter.drawEllipse(centre, MARK_RADIUS, MARK_RADIUS)
            painter.setPen(white)
            box = QRectF(
                centre.x() - MARK_RADIUS, centre.y() - MARK_RADIUS, 2 * MARK_RADIUS, 2 * MARK_RADIUS
            )
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(mark.number))
            if mark.photos:
                _paint_camera(painter, QPointF(centre.x() + MARK_RADIUS, centre.y() - MARK_RADIUS))


def _paint_camera(painter: QPainter, at: QPointF) -> None:
    """A small camera (a body, a lens and a viewfinder bump) centred on ``at``."""
    dark, white = QColor("#1a237e"), QColor("#ffffff")
    painter.save()
    painter.setPen(QPen(white, 1.5))
    painter.setBrush(dark)
    painter.drawRoundedRect(QRectF(at.x() - 8, at.y() - 5, 16, 11), 2.5, 2.5)
    painter.drawRect(QRectF(at.x() - 3, at.y() - 8, 6, 3))
    painter.setBrush(white)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QPointF(at.x(), at.y() + 0.5), 3.2, 3.2)
    painter.setBrush(dark)
    painter.drawEllipse(QPointF(at.x(), at.y() + 0.5), 1.6, 1.6)
    painter.restore()
