"""A QR code drawn with QPainter, for an authenticator app to scan.

The modules come from ``segno`` (pure Python) when it is installed; without it ``qr_modules``
returns None and the screen shows the key as text only, which every authenticator app can also
take.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

QUIET_ZONE = 4  # light modules around the code, as the standard asks
SIDE_PX = 280


def qr_modules(text: str) -> list[list[bool]] | None:
    """Rows of dark (True) and light modules for ``text``, quiet zone included; None when no
    QR library is available."""
    try:
        segno: Any = importlib.import_module("segno")
    except ImportError:
        return None
    code = segno.make(text, error="m", micro=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]


class QrCodeView(QWidget):
    """Always black on white (whatever the theme), square, and big enough for a phone camera."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._modules: list[list[bool]] = []
        self.setFixedSize(SIDE_PX, SIDE_PX)  # 4-5 px a module: easy for a phone camera
        self.setAccessibleName("QR code for your authenticator app")

    def set_modules(self, modules: list[list[bool]]) -> None:
        self._modules = modules
        self.update()

    @property
    def modules(self) -> list[list[bool]]:
        return self._modules

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._modules:
            return
        count = len(self._modules)
        side = min(self.width(), self.height())
        module = side // count  # whole pixels per module keep the edges sharp
        if module < 1:
            return
        size = module * count
        left = (self.width() - size) // 2
        top = (self.height() - size) // 2
        painter = QPainter(self)
        painter.fillRect(QRectF(left, top, size, size), QColor("white"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for y, row in enumerate(self._modules):
            for x, dark in enumerate(row):
                if dark:
                    painter.drawRect(left + x * module, top + y * module, module, module)
        painter.end()
