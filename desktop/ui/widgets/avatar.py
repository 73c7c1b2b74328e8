"""Initials in a coloured circle: a resident or a member of staff at a glance."""

from __future__ import annotations

import zlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

# Dark enough for white text at any size (WCAG AA).
_COLOURS = ("#005a9c", "#1e6b35", "#6f2da8", "#a33b00", "#00626b", "#8a1c4a", "#3b4a9c")


def avatar_colour(key: str) -> QColor:
    return QColor(_COLOURS[zlib.crc32(key.encode()) % len(_COLOURS)])


def initials_of(name: str) -> str:
    parts = [p for p in name.split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def paint_avatar(painter: QPainter, rect: QRectF, initials: str, key: str) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(avatar_colour(key))
    painter.drawEllipse(rect)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(8, int(rect.height() * 0.4)))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials)
    painter.restore()


def avatar_pixmap(initials: str, key: str, size: int, ratio: float = 1.0) -> QPixmap:
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_avatar(painter, QRectF(0, 0, size, size), initials, key)
    painter.end()
    return pixmap
