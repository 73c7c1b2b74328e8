"""Photos of body map marks in the app: after saving an incident with marks, the follow-up
shows the map; choosing a mark and adding a photo shows its thumbnail and a camera badge on
the map; a photo opens larger and can be marked entered in error; a file that is not a photo
is refused at the button."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from desktop.ui.main_window import MainWindow
from desktop.ui.screens import incident_photos
from desktop.ui.screens.incident_photos import NO_PHOTOS, THUMBNAIL, MarkPhotosCard
from desktop.ui.screens.resident_care import ResidentCareScreen
from tests.desktop.conftest import InProcessServer
from tests.desktop.ui.conftest import WAIT_MS
from tests.desktop.ui.test_care_planning import open_care


def photo_file(folder: Path, name: str, size: tuple[int, int]) -> Path:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 70, 60)).save(out, "PNG")
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def follow_up_with_marks(qtbot: QtBot, care: ResidentCareScreen) -> MarkPhotosCard:
    form = care.incident_form
    form.kind_buttons.select("Injury")
    form.severity_buttons.select("Minor")
    form.description_edit.setPlainText("Skin tear on the left forearm from the bed rail.")
    body = form.body_map
    body.tap(body.point_for("front", 0.84, 0.55))
    form.describe_mark(0, "Skin tear, 3 cm, left forearm")
    body.tap(body.point_for("back", 0.5, 0.3))
    form.describe_mark(1, "Old bruise between the shoulders")
    form.save_button.click()
    qtbot.waitUntil(care.prompt.isVisible, timeout=WAIT_MS)
    care.follow_up_button.click()
    card = care.follow_up.photos
    qtbot.waitUntil(lambda: card.mark_list.count() == 2, timeout=WAIT_MS)
    return card


def test_adding_a_photo_to_a_mark_shows_its_thumbnail_and_a_badge(
    qtbot: QtBot,
    window: MainWindow,
    wcn_server: InProcessServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    care = open_care(qtbot, window, wcn_server, "care_assistant", "incidents")
    card = follow_up_with_marks(qtbot, care)
    assert card.selected_mark() == 1
    assert card.empty_label.text() == NO_PHOTOS and not card.thumbnails.isVisible()
    assert [m.photos for m in card.body_map.marks] == [0, 0]

    card.mark_list.setCurrentRow(1)  # the bruise on the back
    chosen = photo_file(tmp_path, "bruise.png", (1600, 1200))
    monkeypatch.setattr(incident_photos, "choose_photo_file", lambda _parent: str(chosen))
    card.caption_edit.setText("  Bruise 4 cm, ruler beside it ")
    card.add_button.click()
    qtbot.waitUntil(lambda: card.thumbnails.count() == 1, timeout=WAIT_MS)
    assert window.message_bar.text == "Photo added to mark 2."
    assert card.photos[0].photo.caption == "Bruise 4 cm, ruler beside it"
    assert card.caption_edit.text() == ""  # ready for the next photo
    assert card.thumbnails.item(0).toolTip().startswith("Bruise 4 cm, ruler beside it: ")
    assert [m.photos for m in card.body_map.marks] == [0, 1]
    assert card.mark_list.item(1).text().startswith("2 (back) · 1 photo: Old bruise")
    icon = card.thumbnails.item(0).icon().pixmap(THUMBNAIL, THUMBNAIL)
    assert (icon.width(), icon.height()) == (96, 72)  # the photo's shape, made small
    assert card.photos[0].photo.width == 1280  # stored shrunk to 1280 × 960

    card.mark_list.setCurrentRow(0)  # the other mark has none
    assert card.thumbnails.count() == 0 and card.empty_label.text() == NO_PHOTOS
    card.mark_list.setCurrentRow(1)
    card.open_photo(0)
    viewer = card.viewer
    assert viewer is not None and viewer.isVisible()
    picture = viewer.picture.pixmap()
    assert (picture.width(), picture.height()) == (720, 540)
    assert "Mark 2 · attached Today" in viewer.details.text()
    for control in (card.add_button, viewer.error_button, viewer.reason_edit):
        assert control.height() >= 44  # big enough to tap

    viewer.error_button.click()  # no reason
    qtbot.waitUntil(lambda: viewer.errors.message("reason") != "", timeout=WAIT_MS)
    viewer.reason_edit.setText("Wrong resident's photo")
    viewer.error_button.click()
    qtbot.waitUntil(lambda: card.thumbnails.count() == 0, timeout=WAIT_MS)
    assert not viewer.isVisible()
    assert [m.photos for m in card.body_map.marks] == [0, 0]


def test_a_file_that_is_not_a_photo_is_refused_at_the_button(
    qtbot: QtBot,
    window: MainWindow,
    wcn_server: InProcessServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    care = open_care(qtbot, window, wcn_server, "nurse", "incidents")
    card = follow_up_with_marks(qtbot, care)
    notes = tmp_path / "notes.png"
    notes.write_text("Not a picture at all")
    monkeypatch.setattr(incident_photos, "choose_photo_file", lambda _parent: str(notes))
    card.add_button.click()
    qtbot.waitUntil(lambda: card.errors.message("photo") != "", timeout=WAIT_MS)
    assert "not a photo" in card.errors.message("photo")
    assert card.add_button.isEnabled() and card.add_button.text() == "Add photo…"
    monkeypatch.setattr(incident_photos, "choose_photo_file", lambda _parent: "")
    card.add_button.click()  # cancelled: nothing happens
    assert card.errors.message("photo") != ""
    assert card.thumbnails.count() == 0
