"""One resident's record: the banner (DNACPR and allergies always in view), the timeline
newest first or the trend charts, quick-record buttons for each kind of note and for
observations, and corrections."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.notes import CATEGORY_LABELS, TimelineEntry
from desktop.services.observations import Baseline, ObservationSaved
from desktop.services.residents import ResidentProfile
from desktop.ui.context import UiContext
from desktop.ui.formatting import parse_time
from desktop.ui.models.rows import ROW_ROLE
from desktop.ui.models.timeline import TimelineFilterModel, TimelineModel
from desktop.ui.screens.baseline_form import BaselineForm
from desktop.ui.screens.correction import AMEND, IN_ERROR, CorrectionForm
from desktop.ui.screens.fluid_form import FluidForm
from desktop.ui.screens.note_forms import SPECS, NoteForm, RepositioningForm
from desktop.ui.screens.observations_form import ObservationsForm
from desktop.ui.screens.profile_form import ProfileForm
from desktop.ui.screens.record_actions import QUICK, RecordActions
from desktop.ui.screens.resident_moves import ResidentMoveForm
from desktop.ui.screens.trends_view import TrendsView
from desktop.ui.theme import set_role
from desktop.ui.widgets.resident_banner import ResidentBanner
from desktop.ui.widgets.scrolled import scrolled
from desktop.ui.widgets.timeline_delegate import TimelineDelegate
from desktop.ui.widgets.touch import enable_touch_scrolling

PAGE = 100
KINDS = ("", *CATEGORY_LABELS.values(), "Observations", "Review")


def make_form(ui: UiContext, category: str) -> NoteForm:
    if category == "food_fluid":
        return FluidForm(ui, SPECS[category])
    if category == "repositioning":
        return RepositioningForm(ui, SPECS[category])
    return NoteForm(ui, SPECS[category])


def just_after(iso: str) -> str | None:
    """An upper bound that still includes records made in the same second as ``iso``."""
    parsed = parse_time(iso)
    if parsed is None:
        return None
    return (parsed + dt.timedelta(seconds=1)).isoformat(timespec="seconds")


class ResidentRecordScreen(QWidget):
    closed = Signal()
    care_requested = Signal(str, str)  # resident id, tab of the care planning screen

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.resident_id = ""
        self.profile: ResidentProfile | None = None
        self._select_after: str | None = None

        self.back_button = QPushButton("← All residents")
        self.back_button.setToolTip("Back to the residents list (Esc)")
        self.back_button.clicked.connect(self.close_record)
        self.banner = ResidentBanner()
        top = QHBoxLayout()
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.banner, 1)

        self.timeline = TimelineModel(self)
        self.timeline.set_author_names(ui.name_of)
        self.timeline.more_wanted.connect(self._load_more)
        self.filter = TimelineFilterModel(self)
        self.filter.setSourceModel(self.timeline)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Show")
        for kind in KINDS:
            self.kind_combo.addItem(kind or "All records", kind)
        self.kind_combo.currentIndexChanged.connect(
            lambda _i: self.filter.set_kind(str(self.kind_combo.currentData()))
        )
        self.timeline_view = QListView()
        self.timeline_view.setAccessibleName("Timeline, newest first")
        self.timeline_view.setModel(self.filter)
        self.timeline_view.setItemDelegate(
            TimelineDelegate(ui.theme, self.timeline, self.timeline_view)
        )
        self.timeline_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.timeline_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.timeline_view.selectionModel().currentChanged.connect(self._entry_chosen)
        enable_touch_scrolling(self.timeline_view)
        self.amend_button = QPushButton("C&orrect note…")
        self.amend_button.clicked.connect(lambda: self.correct(AMEND))
        self.error_button = QPushButton("Entered in &error…")
        set_role(self.error_button, "danger")
        self.error_button.clicked.connect(lambda: self.correct(IN_ERROR))
        self._entry_chosen(QModelIndex(), QModelIndex())

        header = QHBoxLayout()
        header.addStretch(1)
        header.addWidget(QLabel("Show"))
        header.addWidget(self.kind_combo)
        corrections = QHBoxLayout()
        corrections.addWidget(self.amend_button)
        corrections.addWidget(self.error_button)
        corrections.addStretch(1)
        timeline_page = QWidget()
        left = QVBoxLayout(timeline_page)
        left.setContentsMargins(0, 4, 0, 0)
        left.addLayout(header)
        left.addWidget(self.timeline_view, 1)
        left.addLayout(corrections)
        self.trends = TrendsView(ui)
        self.views = QTabWidget()
        self.views.addTab(timeline_page, "Timeline")
        self.views.addTab(scrolled(self.trends), "Tren&ds: weight, NEWS2, fluids")
        self.views.currentChanged.connect(lambda _i: self._view_chosen())

        self.panel = QStackedWidget()
        self.panel.setMinimumWidth(420)
        self.panel.setMaximumWidth(560)
        self.panel.addWidget(scrolled(self._actions_page()))
        self.forms: dict[str, NoteForm] = {}
        for category, _label in QUICK:
            form = make_form(ui, category)
            form.saved.connect(lambda _id, f=form: self._note_saved(f))
            form.cancelled.connect(self.show_actions)
            self.forms[category] = form
            self.panel.addWidget(form)
        self.observations = ObservationsForm(ui)
        self.observations.saved.connect(self._observations_saved)
        self.observations.finished.connect(self.show_actions)
        self.observations.cancelled.connect(self.show_actions)
        self.observations.baseline_requested.connect(self.start_baseline)
        self.panel.addWidget(self.observations)
        self.baseline = BaselineForm(ui)
        self.baseline.saved.connect(self._baseline_saved)
        self.baseline.cancelled.connect(self.start_observations)
        self.panel.addWidget(self.baseline)
        self.correction = CorrectionForm(ui)
        self.correction.corrected.connect(self._corrected)
        self.correction.cancelled.connect(self.show_actions)
        self._correction_page = scrolled(self.correction)
        self.panel.addWidget(self._correction_page)
        self.profile_form = ProfileForm(ui)  # admission changes (issue 5)
        self.profile_form.saved.connect(self._profile_saved)
        self.profile_form.cancelled.connect(self.show_actions)
        self._profile_page = scrolled(self.profile_form)
        self.panel.addWidget(self._profile_page)
        self.move_form = ResidentMoveForm(ui)
        self.move_form.done.connect(self._moved)
        self.move_form.cancelled.connect(self.show_actions)
        self.panel.addWidget(self.move_form)

        body = QHBoxLayout()
        body.addWidget(self.views, 3)
        body.addWidget(self.panel, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    def _actions_page(self) -> QWidget:
        actions = RecordActions()
        actions.note_requested.connect(self.start_form)
        actions.observations_requested.connect(self.start_observations)
        actions.care_requested.connect(lambda tab: self.care_requested.emit(self.resident_id, tab))
        actions.profile_actions.requested.connect(self._profile_action)
        self.quick_buttons = actions.quick_buttons
        self.observations_button = actions.observations_button
        self.summary = actions.summary
        self.profile_actions = actions.profile_actions
        return actions

    # --- opening and refreshing ------------------------------------------------------------

    def open(self, resident_id: str) -> None:
        """Open a resident's record (recorded in the audit trail by the service)."""
        if resident_id != self.resident_id:
            self.reset()
            self.profile = None  # not the last resident's, while this one loads
            self.banner.name_label.setText("Loading…")
            self.timeline.set_page([], has_more=False)
        self.resident_id = resident_id
        self.show_actions()
        can_record = self._ui.may_write("care_note")
        for button in self.quick_buttons.values():
            button.setEnabled(can_record)
        self.observations_button.setEnabled(self._ui.may_write("observation"))
        residents = self._ui.services.residents
        self._ui.runner.run(lambda: residents.get(resident_id), self._show_profile)
        self._load_timeline()

    def refresh(self) -> None:
        if not self.resident_id:
            return
        resident_id = self.resident_id
        self._ui.runner.run(
            lambda: self._ui.services.residents.refresh(resident_id), self._show_profile
        )
        self._load_timeline()
        if self.views.currentWidget() is not self.views.widget(0):
            self.trends.open(resident_id)
        fluid = self.forms["food_fluid"]
        if isinstance(fluid, FluidForm) and self.current_form is fluid:
            fluid.refresh_total()

    def _view_chosen(self) -> None:
        if self.views.currentIndex() == 1 and self.resident_id:
            self.trends.open(self.resident_id)

    def _show_profile(self, profile: ResidentProfile) -> None:
        if profile.resident_id != self.resident_id:
            return
        self.profile = profile
        self.banner.show_profile(profile)
        self.summary.show_profile(profile)
        self.profile_actions.show_profile(
            profile,
            may_edit=self._ui.may_write("resident"),
            senior=self._ui.may_write("resident", ["status"]),
        )

    def _load_timeline(self) -> None:
        resident_id, notes = self.resident_id, self._ui.services.notes
        self._ui.runner.run(
            lambda: notes.timeline(resident_id, limit=PAGE),
            lambda entries: self._show_page(resident_id, entries),
        )

    def _show_page(self, resident_id: str, entries: list[TimelineEntry]) -> None:
        if resident_id != self.resident_id:
            return
        self.timeline.set_page(entries, has_more=bool(entries))
        self._entry_chosen(self.timeline_view.currentIndex(), QModelIndex())
        if self._select_after:
            row = self.timeline.row_of(self._select_after)
            self._select_after = None
            if row >= 0:
                index = self.filter.mapFromSource(self.timeline.index(row, 0))
                self.timeline_view.setCurrentIndex(index)
                self.timeline_view.scrollTo(index)

    def _load_more(self, oldest: str) -> None:
        resident_id, notes, before = self.resident_id, self._ui.services.notes, just_after(oldest)
        self._ui.runner.run(
            lambda: notes.timeline(resident_id, limit=PAGE, before=before),
            lambda entries: self._add_page(resident_id, entries),
        )

    def _add_page(self, resident_id: str, entries: list[TimelineEntry]) -> None:
        if resident_id != self.resident_id:
            return
        known = self.timeline.rowCount()
        self.timeline.add_page(entries, has_more=False)
        if self.timeline.rowCount() > known:
            self.timeline.add_page([], has_more=True)

    # --- forms -----------------------------------------------------------------------------

    def start_form(self, category: str) -> None:
        self.panel.setCurrentWidget(self.forms[category])
        self.forms[category].start(self.resident_id)

    def show_actions(self) -> None:
        self.panel.setCurrentIndex(0)

    def start_observations(self) -> None:
        self.panel.setCurrentWidget(self.observations)
        self.observations.start(self.resident_id)

    def start_baseline(self) -> None:
        self.panel.setCurrentWidget(self.baseline)
        self.baseline.start(self.resident_id)

    def _baseline_saved(self, baseline: Baseline) -> None:
        self.panel.setCurrentWidget(self.observations)
        self.observations.show_baseline(baseline)
        self._ui.notify("Saved: their usual self (baseline).")

    def _observations_saved(self, saved: ObservationSaved) -> None:
        name = self.profile.display_name if self.profile else "the resident"
        score = f" NEWS2 {saved.news2.total}." if saved.news2.total is not None else ""
        self._ui.notify(f"Saved: observations for {name}.{score}")
        if self.views.currentIndex() == 1:
            self.trends.load()

    @property
    def current_form(self) -> NoteForm | None:
        current = self.panel.currentWidget()
        return current if isinstance(current, NoteForm) else None

    def is_dirty(self) -> bool:
        return (
            any(f.is_dirty() for f in self.forms.values())
            or self.correction.is_dirty()
            or self.observations.is_dirty()
            or self.baseline.is_dirty()
            or self.profile_form.is_dirty()
            or self.move_form.is_dirty()
        )

    def reset(self) -> None:
        """Forget every half-filled form (another person signed in, or another resident)."""
        for form in self.forms.values():
            form.reset()
            form.saved_label.clear()
        self.correction.cancel()
        self.observations.reset()
        self.profile_form.reset()
        self.move_form.cancel()
        self.kind_combo.setCurrentIndex(0)
        self.views.setCurrentIndex(0)
        self.show_actions()

    def _note_saved(self, form: NoteForm) -> None:
        name = self.profile.display_name if self.profile else "the resident"
        if isinstance(form, FluidForm):
            return  # stays open: the carer sees the new 24-hour total
        self.show_actions()
        self._ui.notify(f"Saved: {form.spec.title} for {name}. {form.saved_text()}")
        form.saved_label.clear()

    # --- the profile, moves and discharge (managers and seniors) ----------------------------

    def _profile_action(self, action: str) -> None:
        if action == "edit":
            self.edit_profile()
        else:
            self.start_move(action)

    def edit_profile(self) -> None:
        if self.profile is None or self.profile.resident_id != self.resident_id:
            return
        self.panel.setCurrentWidget(self._profile_page)
        self.profile_form.start_edit(self.profile)

    def start_move(self, mode: str) -> None:
        if self.profile is None or self.profile.resident_id != self.resident_id:
            return
        self.panel.setCurrentWidget(self.move_form)
        self.move_form.start(mode, self.profile)

    def _profile_saved(self, profile: ResidentProfile) -> None:
        self.show_actions()
        self._show_profile(profile)

    def _moved(self, profile: ResidentProfile) -> None:
        self.show_actions()
        self._show_profile(profile)
        if profile.fields.get("status") == "discharged":
            self.close_record()

    # --- corrections -----------------------------------------------------------------------

    def selected_entry(self) -> TimelineEntry | None:
        entry = self.timeline_view.currentIndex().data(ROW_ROLE)
        return entry if isinstance(entry, TimelineEntry) else None

    def _entry_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(ROW_ROLE) if current.isValid() else None
        live = isinstance(entry, TimelineEntry) and entry.status != "entered_in_error"
        entity = entry.entity if isinstance(entry, TimelineEntry) else ""
        self.amend_button.setEnabled(live and entity == "care_note")
        self.error_button.setEnabled(live and entity in ("care_note", "observation"))

    def correct(self, mode: str) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self.panel.setCurrentWidget(self._correction_page)
        self.correction.start(entry, mode)

    def _corrected(self, note_id: str) -> None:
        self._select_after = note_id
        self.show_actions()
        self._ui.notify("The correction is saved; the earlier version stays in the history.")

    def close_record(self) -> None:
        self.closed.emit()
