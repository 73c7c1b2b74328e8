"""Sign in, switch user, or unlock: tap your name, then your password or PIN (and, for managers
and admins, the code of their authenticator app, set up here the first time). Always says who
is (or was) signed in."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import MfaRequired
from desktop.services.session import CurrentUser, StaffMember
from desktop.ui.context import UiContext
from desktop.ui.formatting import role_label
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.models.staff import StaffListModel
from desktop.ui.screens.mfa_code import CodeEntry
from desktop.ui.screens.mfa_setup import MfaSetupPage
from desktop.ui.theme import Theme, set_role
from desktop.ui.widgets.avatar import initials_of, paint_avatar
from desktop.ui.widgets.field_errors import FieldErrors
from desktop.ui.widgets.pin_pad import PinPad
from desktop.ui.widgets.touch import enable_touch_scrolling
from shared.errors import WcnError

TILE = QSize(260, 76)
PASSWORD_PAGE, PIN_PAGE, CODE_PAGE = 0, 1, 2


class StaffTileDelegate(QStyledItemDelegate):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return TILE

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        staff = index.data(ROW_ROLE)
        if not isinstance(staff, StaffMember):
            return
        c = self._theme.colours
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(c.q("focus" if option.state & QStyle.StateFlag.State_HasFocus else "border"))
        painter.setBrush(c.q("selection" if selected else "surface"))
        painter.drawRoundedRect(rect, 6, 6)
        avatar = QRect(rect.left() + 10, rect.top() + (rect.height() - 44) // 2, 44, 44)
        paint_avatar(painter, avatar.toRectF(), initials_of(staff.display_name), staff.user_id)
        text_left = avatar.right() + 12
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(c.q("selection_text" if selected else "text"))
        top = QRect(text_left, rect.top() + 8, rect.right() - text_left - 6, rect.height() // 2 - 8)
        painter.drawText(
            top,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                staff.display_name, Qt.TextElideMode.ElideRight, top.width()
            ),
        )
        font.setBold(False)
        painter.setFont(font)
        bottom = top.translated(0, top.height())
        role = role_label(staff.role) + ("  ·  PIN" if staff.has_pin else "")
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, role)
        painter.restore()


class SignInScreen(QWidget):
    signed_in = Signal(object)  # CurrentUser

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self._selected: StaffMember | None = None
        self.errors = FieldErrors()

        self.title = QLabel("Who is signing in?")
        set_role(self.title, "title")
        self.status_label = QLabel("Nobody is signed in.")
        set_role(self.status_label, "heading")
        self.status_label.setAccessibleName("Who is signed in")
        self.model = StaffListModel(self)
        self.staff_view = QListView()
        self.staff_view.setAccessibleName("Staff of this home")
        self.staff_view.setModel(self.model)
        self.staff_view.setItemDelegate(StaffTileDelegate(ui.theme, self.staff_view))
        self.staff_view.setViewMode(QListView.ViewMode.IconMode)
        self.staff_view.setFlow(QListView.Flow.LeftToRight)
        self.staff_view.setWrapping(True)
        self.staff_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.staff_view.setMovement(QListView.Movement.Static)
        self.staff_view.setUniformItemSizes(True)
        self.staff_view.setSpacing(4)
        self.staff_view.selectionModel().currentChanged.connect(self._chosen)
        self.staff_view.activated.connect(lambda _index: self._focus_secret())
        enable_touch_scrolling(self.staff_view)

        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName("Username")
        self.username_edit.setPlaceholderText("Tap your name, or type your username")
        self.password_edit = QLineEdit()
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.submit_password)
        self.sign_in_button = QPushButton("&Sign in")
        set_role(self.sign_in_button, "primary")
        self.sign_in_button.clicked.connect(self.submit_password)
        self.pin_edit = QLineEdit()
        self.pin_edit.setAccessibleName("PIN")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(8)
        self.pin_edit.returnPressed.connect(self.submit_pin)
        self.pin_edit.setPlaceholderText("Your PIN")
        self.pin_button = QPushButton("Sign in with &PIN")
        set_role(self.pin_button, "primary")
        self.pin_button.clicked.connect(self.submit_pin)
        use_password = QPushButton("Use password")
        use_password.setToolTip("Sign in with your password instead of your PIN")
        use_password.clicked.connect(lambda: self._show_mode(pin=False))

        password_page = QWidget()
        pw = QVBoxLayout(password_page)
        pw.setContentsMargins(0, 0, 0, 0)
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password_edit)
        pw.addWidget(password_label)
        pw.addWidget(self.password_edit)
        pw.addWidget(self.errors.add("password", self.password_edit))
        pw.addWidget(self.sign_in_button)
        pw.addStretch(1)
        pin_page = QWidget()
        pn = QVBoxLayout(pin_page)
        pn.setContentsMargins(0, 0, 0, 0)
        pn.addWidget(self.pin_edit)
        pn.addWidget(self.errors.add("pin", self.pin_edit))
        self.pin_pad = PinPad(self.pin_edit)
        pn.addWidget(self.pin_pad)
        pin_buttons = QHBoxLayout()
        pin_buttons.addWidget(self.pin_button, 1)
        pin_buttons.addWidget(use_password, 1)
        pn.addLayout(pin_buttons)
        self.code_entry = CodeEntry()
        self.code_entry.submitted.connect(self.submit_code)
        self.code_entry.cancelled.connect(self.cancel_code)
        self.secret_stack = QStackedWidget()
        self.secret_stack.addWidget(password_page)
        self.secret_stack.addWidget(pin_page)
        self.secret_stack.addWidget(self.code_entry)

        self.hint_label = QLabel(ui.launch.demo_hint or "")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.hint_label, "warning")
        self.hint_label.setVisible(bool(ui.launch.demo_hint))

        card = QFrame()
        card.setObjectName("Card")
        side = QVBoxLayout(card)
        side.setContentsMargins(20, 16, 20, 16)
        username_label = QLabel("&Username")
        username_label.setBuddy(self.username_edit)
        side.addWidget(username_label)
        side.addWidget(self.username_edit)
        side.addWidget(self.secret_stack, 1)

        card_area = QScrollArea()  # small screens and big text: the card scrolls, never clips
        card_area.setWidgetResizable(True)
        card_area.setFrameShape(QScrollArea.Shape.NoFrame)
        card_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        card_area.setWidget(card)
        card_area.setFixedWidth(400)
        enable_touch_scrolling(card_area)
        choose_page = QWidget()
        body = QHBoxLayout(choose_page)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.staff_view, 1)
        body.addWidget(card_area)
        self.mfa_setup = MfaSetupPage(ui)
        self.mfa_setup.finished.connect(self._done)
        self.mfa_setup.cancelled.connect(self.cancel_code)
        self.mfa_setup.timed_out.connect(self._setup_timed_out)
        self.steps = QStackedWidget()
        self.steps.addWidget(choose_page)
        self.steps.addWidget(self.mfa_setup)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.status_label)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.hint_label)

    # --- what the main window tells it -----------------------------------------------------

    def show_locked(self, previous: CurrentUser | None) -> None:
        """Called when the PC locks or someone chooses Switch user."""
        if previous is None:
            self.status_label.setText("Nobody is signed in.")
        else:
            self.status_label.setText(
                f"Locked. {previous.display_name} was signed in: sign in again to carry on "
                "where you left off, or tap your own name."
            )
        self.password_edit.clear()
        self.pin_edit.clear()
        self.errors.clear()
        self._set_working(False)
        self._back_to_names()

    def refresh(self) -> None:
        self._ui.runner.run(self._ui.services.session.staff, self._show_staff)

    def _show_staff(self, staff: list[StaffMember]) -> None:
        self._ui.staff_names = {s.user_id: s.display_name for s in staff}
        self.model.set_rows(staff)
        current = self.staff_view.currentIndex().data(ROW_ROLE)
        if isinstance(current, StaffMember) and current != self._selected:
            self._use(current)  # they may have set a PIN since

    # --- choosing a person -----------------------------------------------------------------

    def choose(self, username: str) -> None:
        """Select a person as tapping their tile would."""
        for row, staff in enumerate(self.model.rows):
            if staff.username == username:
                self.staff_view.setCurrentIndex(self.model.index(row, 0))
                self._use(staff)
                return
        self.username_edit.setText(username)

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        staff = current.data(ROW_ROLE)
        if isinstance(staff, StaffMember):
            self._use(staff)

    def _use(self, staff: StaffMember) -> None:
        self._selected = staff
        self.username_edit.setText(staff.username)
        self.errors.clear()
        self._show_mode(pin=staff.has_pin)

    def _show_mode(self, *, pin: bool) -> None:
        self.secret_stack.setCurrentIndex(PIN_PAGE if pin else PASSWORD_PAGE)
        self._focus_secret()

    def _focus_secret(self) -> None:
        page = self.secret_stack.currentIndex()
        if page == CODE_PAGE:
            self.code_entry.code_edit.setFocus()
        else:
            (self.pin_edit if page == PIN_PAGE else self.password_edit).setFocus()

    # --- signing in ------------------------------------------------------------------------

    def submit_password(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        username, password = self.username_edit.text(), self.password_edit.text()
        self.errors.clear()
        self._set_working(True)
        session = self._ui.services.session
        self._ui.runner.run(
            lambda: _asked_for_code(lambda: session.sign_in(username, password)),
            self._first_factor_done,
            on_failure=self._failed,
        )

    def submit_pin(self) -> None:
        staff = self._selected
        if staff is None or not self.pin_button.isEnabled():
            return
        pin = self.pin_edit.text()
        self.errors.clear()
        self._set_working(True)
        session = self._ui.services.session
        self._ui.runner.run(
            lambda: _asked_for_code(lambda: session.sign_in_with_pin(staff.user_id, pin)),
            self._first_factor_done,
            on_failure=self._failed,
        )

    def _first_factor_done(self, result: CurrentUser | MfaRequired) -> None:
        if isinstance(result, CurrentUser):
            self._done(result)
            return
        self._set_working(False)
        self.password_edit.clear()
        self.pin_edit.clear()
        if result.enrolled:
            self.secret_stack.setCurrentIndex(CODE_PAGE)
            self.code_entry.start(result.message)
        else:
            self.title.setVisible(False)  # the setup page has its own title
            self.status_label.setVisible(False)
            self.steps.setCurrentWidget(self.mfa_setup)
            self.mfa_setup.begin()

    def submit_code(self, code: str) -> None:
        session = self._ui.services.session
        self._ui.runner.run(
            lambda: session.finish_sign_in(code),
            self._done,
            on_failure=self._code_refused,
        )

    def _code_refused(self, error: WcnError) -> None:
        if self._ui.services.session.waiting_for_code:
            self.code_entry.refused(error.message)
            return
        # Locked out, or too slow: back to the password, with the reason at the field.
        self._back_to_names()
        self.errors.show("password", error.message)

    def cancel_code(self) -> None:
        self._ui.runner.run(self._ui.services.session.cancel_sign_in)
        self._back_to_names()
        self._focus_secret()

    def _setup_timed_out(self, message: str) -> None:
        # The person may be signed in behind the recovery codes already: sign them out.
        self._ui.runner.run(self._ui.services.session.sign_out)
        self._back_to_names()
        self.errors.show("password", message)

    def _back_to_names(self) -> None:
        if self.steps.currentWidget() is self.mfa_setup:
            self.mfa_setup.stop()
        self.steps.setCurrentIndex(0)
        self.title.setVisible(True)
        self.status_label.setVisible(True)
        self.code_entry.set_working(False)
        if self.secret_stack.currentIndex() == CODE_PAGE:
            has_pin = self._selected is not None and self._selected.has_pin
            self.secret_stack.setCurrentIndex(PIN_PAGE if has_pin else PASSWORD_PAGE)

    def _set_working(self, working: bool) -> None:
        self.sign_in_button.setEnabled(not working)
        self.pin_button.setEnabled(not working)
        self.sign_in_button.setText("Checking…" if working else "&Sign in")

    def _done(self, user: CurrentUser) -> None:
        self._set_working(False)
        self.password_edit.clear()
        self.pin_edit.clear()
        self._back_to_names()
        self.signed_in.emit(user)

    def _failed(self, error: WcnError) -> None:
        self._set_working(False)
        pin_mode = self.secret_stack.currentIndex() == PIN_PAGE
        field = getattr(error, "field", None) or ("pin" if pin_mode else "password")
        self.errors.show(field, error.message)
        (self.pin_edit if pin_mode else self.password_edit).selectAll()


def _asked_for_code(sign_in: Callable[[], CurrentUser]) -> CurrentUser | MfaRequired:
    """A right password or PIN that needs the authenticator code next is a step, not an
    error: it comes back as a result, so nothing is shown in the message bar."""
    try:
        return sign_in()
    except MfaRequired as asked:
        return asked
