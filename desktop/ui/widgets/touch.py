"""Touch screens: finger scrolling for long lists."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QScroller


def enable_touch_scrolling(view: QAbstractScrollArea) -> None:
    QScroller.grabGesture(view.viewport(), QScroller.ScrollerGestureType.TouchGesture)
