"""Photos of the marks on an incident's body map, in the incident's follow-up: the map (marks
with photos carry a camera badge), the list of marks, the selected mark's photos as
thumbnails, "Add photo…" and a larger view of one photo, from which a photo attached in error
can be marked so (it is kept, hidden, with the reason)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.incident_photos import PhotoView
from desktop.services.incidents import IncidentView
from desktop.ui.context import UiContext
from desktop.ui.formatting import when
from desktop.ui.screens.body_map import BodyMapWidget, MapMark
from desktop.ui.theme import set_role
from desktop.ui.widgets.field_errors import FieldErrors
from shared.errors import WcnError
from shared.incidents import MAX_PHOTO_CAPTION

THUMBNAIL = 96
VIEWER_SIDE = 720
NO_MARKS = "No marks were put on the body map, so there is nothing to photograph."
NO_PHOTOS = "No photos of this mark yet. Press Add photo… to attach one."


def choose_photo_file(parent: QWidget) -> str:
    """The photo file the person picks, or "" (tests replace this)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Choose a photo of the mark", "", "Photos (*.jpg *.jpeg *.png)"
    )
    return path


@dataclass(frozen=True)
class ShownPhoto:
    photo: PhotoView
    thumbnail: QImage  # made on the worker thread: QImage, unlike QPixmap, may be


def with_thumbnails(photos: list[PhotoView]) -> list[ShownPhoto]:
    shown = []
    for photo in photos:
        image = QImage.fromData(photo.jpeg)
        if not image.isNull():
            image = image.scaled(
                THUMBNAIL,
                THUMBNAIL,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        shown.append(ShownPhoto(photo, image))
    return shown


class PhotoViewer(QDialog):
    """One photo, large, with its caption and when it was attached."""

    withdrawn = Signal(str)  # the photo's id, once marked entered in error

    def __init__(self, ui: UiContext, photo: PhotoView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ui = ui
        self.photo = photo
        self.errors = FieldErrors()
        self.setWindowTitle(f"Photo of mark {photo.mark_number}")
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(f"Photo of mark {photo.mark_number}")
        pixmap = QPixmap()
        pixmap.loadFromData(QByteArray(photo.jpeg), "JPG")
        if not pixmap.isNull():
            pixmap = pixmap.scaled(
                VIEWER_SIDE,
                VIEWER_SIDE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.picture.setPixmap(pixmap)
        details = f"Mark {photo.mark_number} · attached {when(photo.attached_at)}"
        if photo.caption:
            details = f"{photo.caption}\n{details}"
        self.details = QLabel(details)
        self.details.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why? e.g. wrong resident, wrong mark")
        self.reason_edit.setAccessibleName("Why the photo was entered in error")
        self.error_button = QPushButton("Entered in error")
        self.error_button.clicked.connect(self.mark_in_error)
        self.error_button.setVisible(ui.may_write("incident_photo"))
        self.reason_edit.setVisible(ui.may_write("incident_photo"))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.reason_edit, 1)
        row.addWidget(self.error_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.details)
        layout.addLayout(row)
        layout.addWidget(self.errors.add("reason", self.reason_edit))

    def mark_in_error(self) -> None:
        photos, photo_id = self._ui.services.incident_photos, self.photo.photo_id
        reason = self.reason_edit.text()

        def done(_record_id: str) -> None:
            self._ui.notify("Photo marked as entered in error. It is kept in the record.")
            self.withdrawn.emit(photo_id)
            self.accept()

        self._ui.runner.run(
            lambda: photos.mark_entered_in_error(photo_id, reason),
            done,
            on_failure=self._failed,
            changes=("incidents",),
        )

    def _failed(self, error: WcnError) -> None:
        field = getattr(error, "field", None)
        self.errors.show(field if isinstance(field, str) else "reason", error.message)


class MarkPhotosCard(QFrame):
    """The incident's body map with its marks' photos; ``show_incident`` loads them."""

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._ui = ui
        self.incident: IncidentView | None = None
        self.photos: list[ShownPhoto] = []
        self.viewer: PhotoViewer | None = None
        self.errors = FieldErrors()
        heading = QLabel("Body map and photos")
        set_role(heading, "heading")
        self.body_map = BodyMapWidget()
        self.body_map.read_only = True
        self.body_map.setCursor(Qt.CursorShape.ArrowCursor)
        self.body_map.setMinimumSize(220, 240)
        self.mark_list = QListWidget()
        self.mark_list.setAccessibleName("Marks on the body map")
        self.mark_list.setMaximumHeight(120)
        self.mark_list.setWordWrap(True)
        self.mark_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mark_list.currentRowChanged.connect(lambda _row: self._show_thumbnails())
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        set_role(self.empty_label, "hint")
        self.thumbnails = QListWidget()
        self.thumbnails.setAccessibleName("Photos of the chosen mark")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setFixedHeight(THUMBNAIL + 16)
        self.thumbnails.itemActivated.connect(lambda item: self.open_photo(self._row_of(item)))
        self.thumbnails.itemClicked.connect(lambda item: self.open_photo(self._row_of(item)))
        self.caption_edit = QLineEdit()
        self.caption_edit.setAccessibleName("Caption for the next photo")
        self.caption_edit.setPlaceholderText("Caption (optional), e.g. skin tear 3 cm, with ruler")
        self.caption_edit.setMaxLength(MAX_PHOTO_CAPTION)
        self.add_button = QPushButton("Add photo…")
        self.add_button.setToolTip("Attach a JPEG or PNG photo of the chosen mark")
        self.add_button.clicked.connect(self.ask_for_photo)
        beside = QVBoxLayout()  # beside the map, so the card is no taller than its neighbours
        beside.addWidget(self.mark_list)
        beside.addWidget(self.thumbnails)
        beside.addWidget(self.empty_label)
        beside.addStretch(1)
        beside.addWidget(self.caption_edit)
        beside.addWidget(self.errors.add("caption", self.caption_edit))
        beside.addWidget(self.add_button)
        beside.addWidget(self.errors.add("photo", self.add_button))
        row = QHBoxLayout()
        row.addWidget(self.body_map, 1)
        row.addLayout(beside, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(row, 1)

    # --- loading ---------------------------------------------------------------------------

    def show_incident(self, incident: IncidentView) -> None:
        fresh = self.incident is None or self.incident.record_id != incident.record_id
        self.incident = incident
        self.errors.clear()
        if fresh:
            self.photos = []
            self.mark_list.clear()
            for number, mark in enumerate(incident.body_map, start=1):
                self.mark_list.addItem(f"{number} ({mark.side}): {mark.description}")
            if incident.body_map:
                self.mark_list.setCurrentRow(0)
        self._refresh()
        self.load()

    def load(self) -> None:
        if self.incident is None:
            return
        photos, incident_id = self._ui.services.incident_photos, self.incident.record_id

        def shown(found: list[ShownPhoto]) -> None:
            if self.incident is not None and self.incident.record_id == incident_id:
                self.photos = found
                self._refresh()

        self._ui.runner.run(lambda: with_thumbnails(photos.photos(incident_id)), shown)

    def selected_mark(self) -> int:
        """The chosen mark's number (1 = the first), or 0."""
        return self.mark_list.currentRow() + 1

    def photos_of(self, mark_number: int) -> list[ShownPhoto]:
        return [p for p in self.photos if p.photo.mark_number == mark_number]

    def _refresh(self) -> None:
        marks = self.incident.body_map if self.incident else ()
        self.body_map.set_marks(
            tuple(
                MapMark(m.side, m.x, m.y, n, photos=len(self.photos_of(n)))
                for n, m in enumerate(marks, start=1)
            )
        )
        for row in range(self.mark_list.count()):
            item = self.mark_list.item(row)
            count = len(self.photos_of(row + 1))
            mark = marks[row]
            photos = f" · {count} photo{'s' if count != 1 else ''}" if count else ""
            item.setText(f"{row + 1} ({mark.side}){photos}: {mark.description}")
        may_add = bool(marks) and self._ui.may_write("incident_photo")
        self.add_button.setEnabled(may_add)
        self.caption_edit.setVisible(may_add)
        self.mark_list.setVisible(bool(marks))
        self._show_thumbnails()

    def _show_thumbnails(self) -> None:
        self.thumbnails.clear()
        has_marks = bool(self.incident and self.incident.body_map)
        mine = self.photos_of(self.selected_mark())
        for shown in mine:
            item = QListWidgetItem(QIcon(QPixmap.fromImage(shown.thumbnail)), "")
            label = shown.photo.caption or f"Photo of mark {shown.photo.mark_number}"
            item.setToolTip(f"{label}: {when(shown.photo.attached_at)}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
            item.setData(Qt.ItemDataRole.UserRole, shown.photo.photo_id)
            self.thumbnails.addItem(item)
        self.thumbnails.setVisible(bool(mine))
        self.empty_label.setText("" if mine else (NO_PHOTOS if has_marks else NO_MARKS))
        self.empty_label.setVisible(not mine)

    # --- attaching and viewing -------------------------------------------------------------

    def ask_for_photo(self) -> None:
        self.add_photo(choose_photo_file(self))

    def add_photo(self, path: str) -> None:
        """Attach the photo in ``path`` (none: the person cancelled) to the chosen mark."""
        mark = self.selected_mark()
        if self.incident is None or mark < 1:
            return
        if not path:
            return
        self.errors.clear()
        photos, incident_id = self._ui.services.incident_photos, self.incident.record_id
        caption = self.caption_edit.text()
        self.add_button.setEnabled(False)
        self.add_button.setText("Adding photo…")

        def done(photo: PhotoView) -> None:
            self._ready()
            self.caption_edit.clear()
            self._ui.notify(f"Photo added to mark {photo.mark_number}.")
            self.load()

        def failed(error: WcnError) -> None:
            self._ready()
            field = getattr(error, "field", None)
            self.errors.show("caption" if field == "caption" else "photo", error.message)

        self._ui.runner.run(
            lambda: photos.attach_file(incident_id, mark, Path(path), caption),
            done,
            on_failure=failed,
            changes=("incidents",),
        )

    def _ready(self) -> None:
        self.add_button.setText("Add photo…")
        self.add_button.setEnabled(self._ui.may_write("incident_photo"))

    def _row_of(self, item: QListWidgetItem) -> int:
        return self.thumbnails.row(item)

    def open_photo(self, row: int) -> None:
        """Show the chosen mark's ``row``-th photo large."""
        mine = self.photos_of(self.selected_mark())
        if not 0 <= row < len(mine):
            return
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = PhotoViewer(self._ui, mine[row].photo, self)
        self.viewer.withdrawn.connect(lambda _photo_id: self.load())
        self.viewer.show()
