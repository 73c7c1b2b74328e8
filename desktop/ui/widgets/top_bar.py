"""The bar across the top: where you are (Residents, Reviews, Due, Medicines, Handover), who
is signed in, Lock, and the display settings (text size, high contrast)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from desktop.services.session import CurrentUser
from desktop.ui.formatting import role_label


class TopBar(QFrame):
    residents_chosen = Signal()
    reviews_chosen = Signal()
    due_chosen = Signal()
    medicines_chosen = Signal()
    handover_chosen = Signal()
    lock_requested = Signal()
    pin_requested = Signal()
    bigger_text_requested = Signal()
    smaller_text_requested = Signal()
    high_contrast_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.home_label = QLabel("WriteCareNotes")
        self.home_label.setProperty("role", "heading")
        self.residents_button = QPushButton("Residents")
        self.residents_button.setToolTip("The residents list (Alt+1)")
        self.reviews_button = QPushButton("Reviews")
        self.reviews_button.setToolTip("Conflicts and safety flags to review (Alt+2)")
        self.due_button = QPushButton("Due")
        self.due_button.setAccessibleName("Reviews due")
        self.due_button.setToolTip(
            "Reviews due: care plans, assessments, DoLS, notifications (Alt+3)"
        )
        self.due_button.clicked.connect(self.due_chosen)
        self.medicines_button = QPushButton("Medicines")  # eMAR (issue 6)
        self.medicines_button.setToolTip("The medicine round, medicines and CD register (Alt+4)")
        self.medicines_button.clicked.connect(self.medicines_chosen)
        self.handover_button = QPushButton("Handover")  # issue 5
        self.handover_button.setToolTip("The shift handover: what changed, remarks, print (Alt+5)")
        self.handover_button.clicked.connect(self.handover_chosen)
        self._nav = QButtonGroup(self)
        for button in (
            self.residents_button,
            self.reviews_button,
            self.due_button,
            self.medicines_button,
            self.handover_button,
        ):
            button.setCheckable(True)
            self._nav.addButton(button)
        self.residents_button.clicked.connect(self.residents_chosen)
        self.reviews_button.clicked.connect(self.reviews_chosen)
        self.user_label = QLabel("Nobody is signed in")
        self.user_label.setAccessibleName("Who is signed in")
        self.pin_button = QPushButton("Set PIN")
        self.pin_button.setToolTip("Choose a PIN for quick sign-in on this PC")
        self.pin_button.clicked.connect(self.pin_requested)
        self.lock_button = QPushButton("Lock / switch user")
        self.lock_button.setToolTip("Lock the screen, or let someone else sign in (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock_requested)
        self.display_button = QToolButton()
        self.display_button.setText("Display")
        self.display_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.display_button)
        bigger = QAction("Bigger text (Ctrl++)", menu)
        bigger.triggered.connect(self.bigger_text_requested)
        smaller = QAction("Smaller text (Ctrl+-)", menu)
        smaller.triggered.connect(self.smaller_text_requested)
        self.contrast_action = QAction("High contrast (Ctrl+Shift+H)", menu)
        self.contrast_action.setCheckable(True)
        self.contrast_action.toggled.connect(self.high_contrast_toggled)
        for action in (bigger, smaller, self.contrast_action):
            menu.addAction(action)
        self.display_button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 8, 4)
        layout.addWidget(self.home_label)
        layout.addSpacing(16)
        layout.addWidget(self.residents_button)
        layout.addWidget(self.reviews_button)
        layout.addWidget(self.due_button)
        layout.addWidget(self.medicines_button)
        layout.addWidget(self.handover_button)
        layout.addStretch(1)
        layout.addWidget(self.user_label)
        layout.addWidget(self.pin_button)
        layout.addWidget(self.lock_button)
        layout.addWidget(self.display_button)
        self.show_user(None, locked=False)

    def set_home(self, home_name: str) -> None:
        self.home_label.setText(home_name)

    def set_review_count(self, count: int) -> None:
        self.reviews_button.setText(f"Reviews ({count})" if count else "Reviews")

    def show_user(self, user: CurrentUser | None, *, locked: bool) -> None:
        signed_in = user is not None and not locked
        if user is None:
            self.user_label.setText("Nobody is signed in")
        elif locked:
            self.user_label.setText(f"Locked ({user.display_name})")
        else:
            # Name over role: two short lines leave room for every page button at 1280 px.
            self.user_label.setText(f"{user.display_name}\n{role_label(user.role)}")
        who = f"Signed in: {user.display_name} · {role_label(user.role)}" if user else ""
        self.user_label.setToolTip(who if signed_in else "")
        for widget in (
            self.residents_button,
            self.reviews_button,
            self.due_button,
            self.medicines_button,
            self.handover_button,
            self.pin_button,
            self.lock_button,
        ):
            widget.setVisible(signed_in)

    def show_page(self, page: str) -> None:
        self.residents_button.setChecked(page not in ("reviews", "due", "medicines", "handover"))
        self.medicines_button.setChecked(page == "medicines")
        self.handover_button.setChecked(page == "handover")
        self.reviews_button.setChecked(page == "reviews")
        self.due_button.setChecked(page == "due")
