"""The capacity and consent pictures for the user guide, taken by ``desktop.ui.screenshots``
with a nurse signed in: a two-stage MCA assessment, a best-interests decision, a DoLS
authorisation nearing its end, and an attorney. ``shoot(name)`` saves the window once idle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.ui.main_window import MainWindow

Shoot = Callable[[str], None]
Wait = Callable[[str, Callable[[], bool]], None]


def take_capacity_screens(window: MainWindow, resident_id: str, shoot: Shoot, wait: Wait) -> None:
    today = dt.date.today()
    window.open_care(resident_id, "capacity", audit=True)
    care = window.care
    wait("the resident", lambda: care.profile is not None)
    panel = care.capacity.mca
    form = panel.form
    form.decision_edit.setText("Whether to have bed rails at night")
    form.set_answer("can_understand", False)
    form.set_answer("can_retain", False)
    form.set_answer("can_use_or_weigh", False)
    form.set_answer("can_communicate", True)
    form.set_answer("impairment", True)
    form.impairment_edit.setText("Vascular dementia (diagnosed 2023)")
    form.set_answer("because_of_impairment", True)
    form.steps_edit.setPlainText(
        "Explained at 10 am, her best time, with pictures of the rails and a low bed; "
        "hearing aids in; her daughter present."
    )
    form.save()
    wait("the saved assessment", lambda: panel.history.count() >= 1 and panel.bi_button.isEnabled())
    form.decision_edit.setText("Whether to move to a ground-floor room")
    form.set_answer("can_understand", True)
    form.set_answer("can_retain", False)
    window.message_bar.clear()
    shoot("mca-assessment")
    form.reset()

    panel.start_best_interests()
    bi = panel.best_interests
    bi.edits["people_consulted"].setPlainText(
        "Susan Clarke, daughter (LPA health and welfare); Dr R Patel, GP; key worker Amy."
    )
    bi.edits["options_considered"].setPlainText(
        "1. Bed rails: stop her getting up, but risk of climbing over and entrapment.\n"
        "2. Low bed with a crash mat and a sensor mat: she can still get up; falls are short."
    )
    bi.less_restrictive.setChecked(True)
    bi.edits["resident_wishes"].setPlainText("Has always said she hates feeling shut in.")
    bi.edits["outcome"].setPlainText(
        "Low bed, crash mat and sensor mat; no rails. Review in one month or after a fall."
    )
    window.message_bar.clear()
    shoot("best-interests")
    bi.save()
    wait("the decision", lambda: panel.history.count() >= 2)

    care.capacity.setCurrentWidget(care.capacity.dols)
    dols = care.capacity.dols
    wait("the DoLS list", lambda: dols.list.count() >= 1)
    dols.body_edit.setText("Northshire County Council")
    dols.reference_edit.setText("DoLS/2026/0147")
    start = today - dt.timedelta(days=340)
    dols.dates["applied_on"].set_value(start - dt.timedelta(days=30))
    dols.dates["standard_granted_on"].set_value(start)
    dols.dates["standard_ends_on"].set_value(start + dt.timedelta(days=364))
    dols.outcome_combo.setCurrentIndex(dols.outcome_combo.findData("granted"))
    dols.conditions_edit.setPlainText(
        "1. Support her to visit her daughter at least once a fortnight.\n"
        "2. Record each time she asks to leave and how she was reassured."
    )
    dols.save()
    wait("the authorisation", lambda: "Standard" in _first(dols.list))
    window.message_bar.clear()
    shoot("dols")

    care.capacity.setCurrentWidget(care.capacity.representatives)
    reps = care.capacity.representatives
    wait("the attorneys list", lambda: reps.list.count() >= 1)
    reps.kind_combo.setCurrentIndex(reps.kind_combo.findData("lpa_health_and_welfare"))
    reps.name_edit.setText("Susan Clarke (daughter)")
    reps.contact_edit.setText("07700 900123")
    reps.registered.set_value(dt.date(2021, 5, 4))
    reps.reference_edit.setText("7000-1234-5678")
    reps.seen_box.setChecked(True)
    reps.scope_edit.setPlainText(
        "Health and welfare decisions, including life-sustaining treatment, when her mother "
        "lacks capacity to make them."
    )
    reps.save()
    wait("the attorney", lambda: "Susan Clarke" in _first(reps.list))
    window.message_bar.clear()
    shoot("attorneys")


def _first(items: object) -> str:
    from PySide6.QtWidgets import QListWidget

    if not isinstance(items, QListWidget) or items.item(0) is None:
        return ""
    return items.item(0).text()
