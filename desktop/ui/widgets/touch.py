"""Touch screens: finger scrolling for long lists, and the smallest size of a control a finger
can use (number and date boxes are smaller by default)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QScroller

TOUCH_HEIGHT = 44
TOUCH_WIDTH = 120


def enable_touch_scrolling(view: QAbstractScrollArea) -> None:
    QScroller.grabGesture(view.viewport(), QScroller.ScrollerGestureType.TouchGesture)
