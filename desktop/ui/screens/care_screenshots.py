"""The care planning pictures for the user guide, taken by ``desktop.ui.screenshots``: a senior
writes a care plan, scores an assessment, reports a fall on the body map, drafts the
notification, attaches a photo to a mark, and opens the reviews-due dashboard. It works the
app through its widgets, as a person would; ``shoot(name)`` saves the window once the app is
idle."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPen, QRadialGradient
from PySide6.QtWidgets import QListWidget

from desktop.ui.main_window import MainWindow

Shoot = Callable[[str], None]
Wait = Callable[[str, Callable[[], bool]], None]

SECTIONS = {
    "personal_care": {
        "needs": "Needs help to wash her back and legs; likes a bath on Sunday evenings.",
        "actions": "One carer helps with washing each morning; bath on Sundays at 7 pm.",
        "goals": "To keep washing her face and hands herself.",
    },
    "eating_and_drinking": {
        "needs": "Soft and bite-sized diet (IDDSI 6); forgets to drink.",
        "actions": "Offer a drink every hour she is awake; sit with her at lunch.",
        "goals": "Drink 1,500 ml a day and keep her weight steady.",
    },
    "mobility_and_falls": {
        "needs": "Walks with a frame; unsteady when tired in the evening. Two falls in March.",
        "goals": "To walk to the dining room for every meal.",
        "actions": (
            "Frame within reach at all times. Sensor mat at night. Non-slip slippers. "
            "Walk with her to the dining room after 5 pm."
        ),
        "resident_involvement": "Margaret chose the slippers and wants to keep walking.",
        "family_involvement": "Her daughter agreed the sensor mat on 3 March.",
    },
}
WATERLOW = {
    "build_weight_for_height": 1,
    "skin_type": 2,
    "sex_and_age": 4,
    "malnutrition_screening": 2,
    "continence": 1,
    "mobility": 3,
    "tissue_malnutrition": 0,
    "neurological_deficit": 0,
    "major_surgery_or_trauma": 0,
    "medication": 1,
}


def take_care_screens(window: MainWindow, shoot: Shoot, wait: Wait) -> None:
    residents = window.residents.model.rows
    subject = next((r for r in residents if "DNACPR" in r.alerts), residents[0])
    window.open_resident(subject.resident_id)
    wait("the record", lambda: window.record.profile is not None)
    window.open_care(subject.resident_id, "care_plan")
    care = window.care
    editor = care.care_plan
    wait("the care plan", lambda: len(editor.sections) == 11)
    for area, values in SECTIONS.items():
        editor.select_area(area)
        for name, text in values.items():
            editor.edits[name].setPlainText(text)
        editor.save()
        wait(f"the {area} section", _written(window, area))
    editor.select_area("mobility_and_falls")
    editor.edits["actions"].setPlainText(
        SECTIONS["mobility_and_falls"]["actions"] + " Physio review of the frame height."
    )
    editor.reason_edit.setText("Fell on 24 March: physio asked to check the frame")
    editor.save()
    wait("the change", lambda: editor.history.count() == 2)
    window.message_bar.clear()
    shoot("care-plan")

    care.show_tab("assessments")
    form = care.assessments
    form.choose_tool("waterlow")
    for name, points in WATERLOW.items():
        form.inputs[name].set_value(points)
    form.save()
    wait("the earlier result", lambda: "Waterlow 14" in _first(form.history))
    for name, points in {**WATERLOW, "mobility": 5, "continence": 2}.items():
        form.inputs[name].set_value(points)
    window.message_bar.clear()
    shoot("assessment")
    form.reset()

    care.show_tab("incidents")
    incident = care.incident_form
    incident.kind_buttons.select("Fall")
    incident.seen_buttons.select("Not seen")
    incident.severity_buttons.select("Serious")
    incident.flag_boxes["head_injury"].setChecked(True)
    incident.location_edit.setText("Bedroom, beside the bed")
    incident.description_edit.setPlainText(
        "Found sitting on the floor beside her bed at 06:10. Said she was going to the toilet "
        "and her legs gave way. Bump on the back of her head; sore left wrist."
    )
    incident.actions_edit.setPlainText(
        "Checked for injury before moving; hoisted back to bed. Nurse and GP informed; "
        "daughter told at 07:30."
    )
    body = incident.body_map
    body.tap(body.point_for("back", 0.5, 0.05))
    incident.describe_mark(0, "Bump on the back of the head, 2 cm, no bleeding")
    body.tap(body.point_for("front", 0.84, 0.55))
    incident.describe_mark(1, "Swollen left wrist, painful to move: X-ray at hospital")
    incident.location_edit.setFocus()  # closes the mark's editor
    incident.marks_table.clearSelection()
    window.message_bar.clear()
    shoot("incident")
    incident.save()
    wait("the notification prompt", care.prompt.isVisible)
    buttons = care.prompt.draft_buttons
    if buttons:
        next(iter(buttons.values())).click()
        wait("the draft", lambda: care.notification.view is not None)
        window.message_bar.clear()
        shoot("notification-draft")
    _incident_photos(window, shoot, wait)

    window.show_due()
    wait("the reviews due", lambda: window.due.model.rowCount() > 0)
    window.message_bar.clear()
    shoot("reviews-due")


def _incident_photos(window: MainWindow, shoot: Shoot, wait: Wait) -> None:
    """The fall's follow-up with a photo of the wrist attached to its mark."""
    care = window.care
    care.follow_up_button.click()
    card = care.follow_up.photos
    wait("the marks to photograph", lambda: card.mark_list.count() == 2)
    card.mark_list.setCurrentRow(1)  # the wrist
    with tempfile.TemporaryDirectory(prefix="wcn-photo-") as folder:
        path = str(Path(folder) / "wrist.jpg")
        wrist_photo().save(path, quality=85)  # JPEG, from the name
        card.add_photo(path)
        wait("the photo's thumbnail", lambda: card.thumbnails.count() == 1)
    window.message_bar.clear()
    care.follow_up.scroll_area.ensureWidgetVisible(card)
    shoot("incident-photos")


def wrist_photo() -> QImage:
    """A stand-in photo of a swollen, bruised wrist beside a paper ruler."""
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#d9b8a0"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    arm = QLinearGradient(0, 300, 0, 900)
    arm.setColorAt(0, QColor("#e8c4a8"))
    arm.setColorAt(1, QColor("#c99b7e"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(arm)
    painter.drawRoundedRect(QRectF(-100, 330, 1900, 540), 260, 260)
    bruise = QRadialGradient(QPointF(820, 600), 260)
    bruise.setColorAt(0, QColor(110, 60, 120, 220))
    bruise.setColorAt(0.6, QColor(150, 90, 110, 120))
    bruise.setColorAt(1, QColor(200, 150, 130, 0))
    painter.setBrush(bruise)
    painter.drawEllipse(QPointF(820, 600), 300, 220)
    painter.setBrush(QColor("#fafafa"))
    painter.drawRect(QRectF(300, 980, 1000, 120))
    painter.setPen(QPen(QColor("#333333"), 4))
    for cm in range(11):
        x = 320 + cm * 96
        painter.drawLine(QPointF(x, 980), QPointF(x, 1040 if cm % 5 == 0 else 1015))
    painter.end()
    return image


def _written(window: MainWindow, area: str) -> Callable[[], bool]:
    return lambda: window.care.care_plan.sections[area].written


def _first(items: QListWidget) -> str:
    item = items.item(0)
    return item.text() if item is not None else ""
