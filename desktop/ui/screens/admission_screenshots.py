"""The admission pictures for the user guide, taken by ``desktop.ui.screenshots`` with a nurse
signed in: the admit form catching a mistyped NHS number, the prospective residents list, a
pre-admission assessment, moving a resident to another room and the discharge form."""

from __future__ import annotations

from collections.abc import Callable

from desktop.ui.main_window import MainWindow

Shoot = Callable[[str], None]
Wait = Callable[[str, Callable[[], bool]], None]


def take_admission_screens(window: MainWindow, shoot: Shoot, wait: Wait) -> None:
    window.show_residents()
    screen = window.residents
    screen.start_admit()
    form = screen.admit_form
    wait("the units", lambda: form.unit_combo.count() > 1)
    form.edits["first_name"].setText("Arthur")
    form.edits["last_name"].setText("Penn")
    form.edits["preferred_name"].setText("Art")
    form.edits["date_of_birth"].setText("02/11/1936")
    form.edits["nhs_number"].setText("943 476 5918")
    form.edits["nhs_number"].editingFinished.emit()  # a digit mistyped: caught at the field
    form.unit_combo.setCurrentIndex(1)
    form.edits["gp"].setText("Dr R Patel, Riverside Surgery")
    form.edits["next_of_kin"].setText("Tom Penn (son) 07700 900456")
    form.edits["allergies"].setText("None known")
    form.prospective_box.setChecked(True)
    window.message_bar.clear()
    shoot("admit-resident")

    form.edits["nhs_number"].setText("943 476 5919")
    form.save()
    record = window.record
    wait("the new record", lambda: record.banner.name_label.text() == "Art Penn")
    resident_id = record.resident_id
    window.open_care(resident_id, "admission")
    admission = window.care.admission
    wait("the admission tab", lambda: admission.history.count() >= 1)
    admission.source_edit.setText("Visit at home with his son Tom, 24 March")
    for area, found in {
        "personal_care": "Needs help with washing his back and feet; shaves himself.",
        "mobility_and_falls": "Walks with a stick indoors; two falls at home this year.",
        "continence": "Some urgency at night; uses a urinal bottle.",
        "medication_support": "Blister packs from the pharmacy; forgets lunchtime doses.",
        "social_and_spiritual": "Church of England; misses the bowls club.",
    }.items():
        admission.need_edits[area].setText(found)
    admission.matters_edit.setPlainText(
        "His dog Bess's photo by the bed; the racing on Saturday afternoons; tea, no sugar."
    )
    admission.risks_edit.setPlainText("Falls at night on the way to the toilet.")
    admission.meet_buttons.select("Yes")
    admission.decision_edit.setPlainText("Ground-floor room near the lounge is free.")
    window.message_bar.clear()
    shoot("admission-assessment")
    admission.save()
    wait("the saved assessment", lambda: "Pre-admission" in _first(admission))

    window.show_residents()
    screen.prospective_button.setChecked(True)
    wait("the prospective list", lambda: screen.prospective_proxy.rowCount() >= 1)
    window.message_bar.clear()
    shoot("prospective-residents")
    screen.prospective_button.setChecked(False)

    subject = screen.model.rows[0]
    window.open_resident(subject.resident_id)
    wait(
        "the record",
        lambda: record.profile is not None and record.profile.resident_id == subject.resident_id,
    )
    record.start_move("transfer")
    move = record.move_form
    wait("the units", lambda: move.unit_combo.count() > 0)
    move.room_edit.setText("12A")
    window.message_bar.clear()
    shoot("move-room")
    move.cancel()

    record.start_move("discharge")  # filled in, not pressed: the demo resident stays
    move.reason_combo.setCurrentIndex(move.reason_combo.findData("hospital"))
    move.note_edit.setText("Royal Infirmary, ward 4")
    window.message_bar.clear()
    shoot("discharge")
    move.cancel()


def _first(form: object) -> str:
    from desktop.ui.screens.admission_form import AdmissionForm

    if not isinstance(form, AdmissionForm) or form.history.count() == 0:
        return ""
    item = form.history.item(0)
    return item.text() if item is not None else ""
