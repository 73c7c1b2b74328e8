"""The look of the app: colours for the normal and the high-contrast theme, a font size a
person can change, and touch-sized controls (44 px and more) everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

TOUCH_PX = 48  # comfortably over the 44 px minimum for gloved fingers
FONT_SIZES = (11, 12, 13, 15, 17, 20)
DEFAULT_FONT_INDEX = 2


@dataclass(frozen=True)
class Colours:
    window: str
    surface: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    focus: str
    selection: str
    selection_text: str
    danger: str
    danger_text: str
    warning: str
    warning_text: str
    ok: str
    ok_text: str
    info: str
    info_text: str

    def q(self, name: str) -> QColor:
        return QColor(str(getattr(self, name)))


NORMAL = Colours(
    window="#f3f5f7",
    surface="#ffffff",
    text="#1b1f24",
    muted="#515a64",
    border="#9aa4ae",
    accent="#005a9c",
    accent_text="#ffffff",
    focus="#ffbf47",
    selection="#cfe3f6",
    selection_text="#0b0c0c",
    danger="#b00020",
    danger_text="#ffffff",
    warning="#fce8b2",
    warning_text="#4a3500",
    ok="#1e6b35",
    ok_text="#ffffff",
    info="#e0ecf8",
    info_text="#0b2e4f",
)

HIGH_CONTRAST = Colours(
    window="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#d0d0d0",
    border="#ffffff",
    accent="#ffff00",
    accent_text="#000000",
    focus="#00ffff",
    selection="#ffff00",
    selection_text="#000000",
    danger="#ff6b6b",
    danger_text="#000000",
    warning="#ffff00",
    warning_text="#000000",
    ok="#7dff7d",
    ok_text="#000000",
    info="#000000",
    info_text="#ffffff",
)


def stylesheet(c: Colours, point_size: int) -> str:
    small = max(9, point_size - 2)
    big = point_size + 5
    return f"""
QWidget {{ color: {c.text}; font-size: {point_size}pt; }}
QMainWindow {{ background: {c.window}; }}
QScrollArea {{ background: transparent; border: none; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QLabel {{ background: transparent; }}
QLabel[role="title"] {{ font-size: {big}pt; font-weight: bold; }}
QLabel[role="heading"] {{ font-size: {point_size + 2}pt; font-weight: bold; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="hint"] {{ color: {c.muted}; font-size: {small}pt; }}
QLabel[role="field-error"] {{ color: {c.danger}; font-weight: bold; }}
QLabel[role="saved"] {{ color: {c.ok}; font-weight: bold; }}
QLabel[role="warning"] {{ background: {c.warning}; color: {c.warning_text}; padding: 6px 10px;
    border-radius: 4px; font-weight: bold; }}
QLabel[role="empty"] {{ color: {c.muted}; font-size: {point_size + 2}pt; padding: 40px; }}
QLabel[chip="danger"] {{ background: {c.danger}; color: {c.danger_text}; border-radius: 4px;
    padding: 4px 10px; font-weight: bold; }}
QLabel[chip="warning"] {{ background: {c.warning}; color: {c.warning_text}; border-radius: 4px;
    padding: 4px 10px; font-weight: bold; }}
QLabel[chip="info"] {{ background: {c.info}; color: {c.info_text}; border-radius: 4px;
    padding: 4px 10px; border: 1px solid {c.border}; }}
QPushButton, QToolButton {{ min-height: {TOUCH_PX}px; min-width: {TOUCH_PX}px;
    padding: 4px 16px; border: 1px solid {c.border}; border-radius: 6px;
    background: {c.surface}; color: {c.text}; }}
QToolButton::menu-indicator {{ image: none; width: 0px; }}
QPushButton:hover, QToolButton:hover {{ border-color: {c.accent}; }}
QPushButton:pressed, QToolButton:pressed {{ background: {c.selection}; }}
QPushButton:checked {{ background: {c.accent}; color: {c.accent_text}; border-color: {c.accent}; }}
QPushButton:disabled {{ color: {c.muted}; border-style: dashed; }}
QPushButton[role="primary"] {{ background: {c.accent}; color: {c.accent_text};
    border-color: {c.accent}; font-weight: bold; }}
QPushButton[role="primary"]:disabled {{ background: {c.surface}; color: {c.muted}; }}
QPushButton[role="danger"] {{ color: {c.danger}; border-color: {c.danger}; }}
QPushButton[role="tile"] {{ min-height: 64px; text-align: left; padding: 8px 16px;
    font-weight: bold; }}
QPushButton:focus, QToolButton:focus {{ border: 3px solid {c.focus}; padding: 2px 14px; }}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QSpinBox:focus, QDateTimeEdit:focus {{
    border: 3px solid {c.focus}; padding: 0px 6px; }}
QListView:focus, QTableView:focus {{ border: 3px solid {c.focus}; }}
QCheckBox:focus, QRadioButton:focus {{ border: 3px solid {c.focus}; }}
QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QDateTimeEdit {{ min-height: {TOUCH_PX - 8}px;
    background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
    border-radius: 4px; padding: 2px 8px; selection-background-color: {c.accent};
    selection-color: {c.accent_text}; }}
QComboBox QAbstractItemView {{ background: {c.surface}; color: {c.text};
    selection-background-color: {c.selection}; selection-color: {c.selection_text}; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: 0px; }}
*[invalid="true"] {{ border: 3px solid {c.danger}; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH_PX - 8}px; spacing: 10px; padding: 0px 6px;
    border: 3px solid transparent; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 26px; height: 26px; }}
QListView, QTableView {{ background: {c.surface}; color: {c.text};
    border: 1px solid {c.border}; selection-background-color: {c.selection};
    selection-color: {c.selection_text}; alternate-background-color: {c.window}; }}
QHeaderView::section {{ background: {c.window}; color: {c.text}; padding: 6px;
    border: none; border-bottom: 2px solid {c.border}; font-weight: bold; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 4px; background: {c.surface};
    text-align: center; min-height: 24px; }}
QProgressBar::chunk {{ background: {c.accent}; }}
QProgressBar[role="low"]::chunk {{ background: {c.danger}; }}
QScrollBar:vertical {{ width: 22px; }}
QFrame#TopBar, QFrame#SyncBar {{ background: {c.surface}; border: 1px solid {c.border}; }}
QFrame#TopBar QPushButton, QFrame#TopBar QToolButton {{ padding: 4px 10px; }}
QFrame#TopBar QPushButton:focus, QFrame#TopBar QToolButton:focus {{ padding: 2px 8px; }}
QFrame#Banner {{ background: {c.surface}; border: 2px solid {c.border}; border-radius: 6px; }}
QFrame#Card {{ background: {c.surface}; border: 1px solid {c.border}; border-radius: 6px; }}
QFrame#MessageBar[kind="error"] {{ background: {c.danger}; }}
QFrame#MessageBar[kind="error"] QLabel {{ color: {c.danger_text}; font-weight: bold; }}
QFrame#MessageBar[kind="info"] {{ background: {c.ok}; }}
QFrame#MessageBar[kind="info"] QLabel {{ color: {c.ok_text}; font-weight: bold; }}
QLabel#SyncStale {{ background: {c.warning}; color: {c.warning_text}; padding: 4px 8px;
    border-radius: 4px; font-weight: bold; }}
"""


def palette(c: Colours) -> QPalette:
    """The same colours for everything the stylesheet does not mention."""
    p = QPalette()
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, role.Window, c.q("window"))
        p.setColor(group, role.WindowText, c.q("text"))
        p.setColor(group, role.Base, c.q("surface"))
        p.setColor(group, role.AlternateBase, c.q("window"))
        p.setColor(group, role.Text, c.q("text"))
        p.setColor(group, role.Button, c.q("surface"))
        p.setColor(group, role.ButtonText, c.q("text"))
        p.setColor(group, role.Highlight, c.q("selection"))
        p.setColor(group, role.HighlightedText, c.q("selection_text"))
        p.setColor(group, role.ToolTipBase, c.q("surface"))
        p.setColor(group, role.ToolTipText, c.q("text"))
        p.setColor(group, role.PlaceholderText, c.q("muted"))
    p.setColor(QPalette.ColorGroup.Disabled, role.Text, c.q("muted"))
    p.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, c.q("muted"))
    p.setColor(QPalette.ColorGroup.Disabled, role.WindowText, c.q("muted"))
    return p


class Theme(QObject):
    """The current colours and font size; ``changed`` tells custom painters to repaint."""

    changed = Signal()

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.high_contrast = False
        self._font_index = DEFAULT_FONT_INDEX

    @property
    def colours(self) -> Colours:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    @property
    def point_size(self) -> int:
        return FONT_SIZES[self._font_index]

    @property
    def font_index(self) -> int:
        return self._font_index

    def set_display(self, font_index: int, high_contrast: bool) -> None:
        """Both at once (remembered settings), with one re-style."""
        self._font_index = max(0, min(len(FONT_SIZES) - 1, font_index))
        self.high_contrast = high_contrast
        self.apply()

    def apply(self) -> None:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPointSize(self.point_size)
        sheet = stylesheet(self.colours, self.point_size)
        if self._app.styleSheet() != sheet:  # re-styling every widget is slow: only on change
            self._app.setFont(font)
            self._app.setPalette(palette(self.colours))
            self._app.setStyleSheet(sheet)
        self.changed.emit()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        self.apply()

    def bigger_text(self) -> None:
        self._font_index = min(len(FONT_SIZES) - 1, self._font_index + 1)
        self.apply()

    def smaller_text(self) -> None:
        self._font_index = max(0, self._font_index - 1)
        self.apply()


def set_role(widget: QWidget, role: str) -> None:
    """Style a widget by its job (see ``stylesheet``), re-polishing it when it changes."""
    widget.setProperty("role", role)
    restyle(widget)


def restyle(widget: QWidget) -> None:
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return  # not shown yet: it is styled, property and all, when first polished
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
