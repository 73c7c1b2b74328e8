"""The observations pictures for the user guide, taken by ``desktop.ui.screenshots``: a carer
records a fortnight of weekly-ish observations (so the trends have a line), then a set that
scores in the medium band with soft signs, and opens the trends. It works the form through
its widgets, as a person would; ``shoot(name)`` saves the window once the app is idle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDateTime

from desktop.ui.main_window import MainWindow
from desktop.ui.screens.observations_form import ObservationsForm

Shoot = Callable[[str], None]
Wait = Callable[[str, Callable[[], bool]], None]

# days ago -> readings: a resident slowly losing weight, with a score that creeps up.
EARLIER = {
    12: {"weight_kg": "64.2", "temperature": "36.8", "pulse": "76", "respiration_rate": "16"},
    9: {"weight_kg": "63.8", "temperature": "37.0", "pulse": "82", "respiration_rate": "18"},
    6: {"weight_kg": "63.1", "temperature": "37.2", "pulse": "92", "respiration_rate": "18"},
    3: {"weight_kg": "62.6", "temperature": "37.6", "pulse": "96", "respiration_rate": "20"},
    1: {"weight_kg": "62.0", "temperature": "38.2", "pulse": "98", "respiration_rate": "21"},
}
COMMON = {"systolic_bp": "124", "diastolic_bp": "74", "spo2": "96"}
# NEWS2 6 (medium): respiration 22 (2), SpO2 94 (1), BP 108 (1), pulse 104 (1), 38.6 °C (1).
TODAY = {
    "temperature": "38.6",
    "pulse": "104",
    "respiration_rate": "22",
    "systolic_bp": "108",
    "diastolic_bp": "64",
    "spo2": "94",
}


def _fill(form: ObservationsForm, readings: dict[str, str]) -> None:
    for key, edit in form.edits.items():
        edit.setText(readings.get(key, ""))
    form.air_choice.select("Air")
    form.level_choice.select("A: Alert")


def _save(form: ObservationsForm, wait: Wait) -> None:
    form.save()
    wait("the observations to save", lambda: form.pages.currentIndex() == 1)


def take_observation_screens(window: MainWindow, shoot: Shoot, wait: Wait) -> None:
    record = window.record
    record.start_observations()
    form = record.observations
    wait("the baseline", lambda: form.baseline is not None)
    for days, readings in EARLIER.items():
        form.taken_edit.setDateTime(QDateTime.currentDateTime().addDays(-days))
        _fill(form, {**COMMON, **readings})
        _save(form, wait)
        form.result.more_button.click()

    form.taken_edit.setDateTime(QDateTime.currentDateTime())
    _fill(form, TODAY)
    form.signs.select("Confused or drowsy")
    form.signs.select("Eating or drinking less")
    window.message_bar.clear()
    shoot("observations")
    _save(form, wait)
    window.message_bar.clear()
    shoot("observations-saved")

    form.result.done_button.click()
    record.views.setCurrentIndex(1)
    wait(
        "the trends",
        lambda: record.trends.trends is not None and not record.trends.weight_chart.empty,
    )
    window.message_bar.clear()
    shoot("trends")
    record.views.setCurrentIndex(0)
