"""A resident's care planning, under the same banner as their record (DNACPR and allergies
always in view, with the ReSPECT form's details): the care plan, assessments, and incidents
with their statutory notifications."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.capacity import RespectView
from desktop.services.errors import InvalidInput
from desktop.services.incident_trends import HOME_TREND_ROLES
from desktop.services.incidents import IncidentSaved
from desktop.services.notifications import NotificationView
from desktop.services.residents import ResidentProfile
from desktop.ui.context import UiContext
from desktop.ui.screens.admission_form import AdmissionForm
from desktop.ui.screens.assessment_forms import AssessmentForm
from desktop.ui.screens.capacity_panel import CapacityTab
from desktop.ui.screens.care_plan_editor import CarePlanEditor
from desktop.ui.screens.incident_followup import IncidentFollowUp
from desktop.ui.screens.incident_form import IncidentForm
from desktop.ui.screens.incident_trends import IncidentTrendsView
from desktop.ui.screens.notification_draft import NotificationDraftPanel, NotificationPrompt
from desktop.ui.screens.respect_dialog import RespectDialog
from desktop.ui.theme import set_role
from desktop.ui.widgets.resident_banner import ResidentBanner

TABS = ("care_plan", "assessments", "incidents", "capacity", "admission")
NO_RESPECT = "ReSPECT / DNACPR form details not recorded: where it is kept, who completed it."


class ResidentCareScreen(QWidget):
    closed = Signal(str)  # back to this resident's record

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._ui = ui
        self.resident_id = ""
        self.profile: ResidentProfile | None = None

        self.back_button = QPushButton("← Record")
        self.back_button.setToolTip("Back to the resident's record (Esc)")
        self.back_button.clicked.connect(lambda: self.closed.emit(self.resident_id))
        self.banner = ResidentBanner()
        self.respect_label = QLabel(NO_RESPECT)
        self.respect_label.setAccessibleName("ReSPECT form")
        self.respect_label.setWordWrap(True)
        set_role(self.respect_label, "muted")
        self.respect: RespectView | None = None
        self.respect_button = QPushButton("ReSPECT form…")
        self.respect_button.setToolTip("Record the form as the clinician completed it")
        self.respect_button.clicked.connect(self.edit_respect)
        left = QVBoxLayout()  # beside the banner, so the banner keeps its height
        left.addWidget(self.back_button)
        left.addWidget(self.respect_button)
        left.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left)
        banner = QVBoxLayout()
        banner.setSpacing(2)
        banner.addWidget(self.banner)
        banner.addWidget(self.respect_label)
        top.addLayout(banner, 1)

        self.care_plan = CarePlanEditor(ui)
        self.assessments = AssessmentForm(ui)
        self.assessments.review_requested.connect(self.review_area)
        self.incident_form = IncidentForm(ui)
        self.prompt = NotificationPrompt(ui)
        self.notification = NotificationDraftPanel(ui)
        self.incident_form.saved.connect(self._incident_saved)
        self.prompt.draft_requested.connect(self.draft_notification)
        self.notification.closed.connect(self._back_from_notification)
        self.another_button = QPushButton("Report another incident")
        self.another_button.clicked.connect(self.show_incident_form)
        self.follow_up_button = QPushButton("Observations and review…")
        self._last_incident = ""
        self.follow_up_button.clicked.connect(lambda: self.open_incident(self._last_incident))
        self.follow_up = IncidentFollowUp(ui)
        self.follow_up.closed.connect(self.show_incident_form)
        prompt_page = QWidget()  # what the saved incident calls for, in place of the form
        prompt_layout = QVBoxLayout(prompt_page)
        prompt_layout.setContentsMargins(0, 8, 0, 0)
        prompt_layout.addWidget(self.prompt)
        prompt_buttons = QHBoxLayout()
        prompt_buttons.addWidget(self.another_button)
        prompt_buttons.addWidget(self.follow_up_button)
        prompt_buttons.addStretch(1)
        prompt_layout.addLayout(prompt_buttons)
        prompt_layout.addStretch(1)
        self.trends = IncidentTrendsView(ui)
        self.trends.closed.connect(self.show_incident_form)
        self.incidents = QStackedWidget()
        pages = (self.incident_form, prompt_page, self.notification, self.follow_up, self.trends)
        for page in pages:
            self.incidents.addWidget(page)
        self._prompt_page = prompt_page
        self.resident_trends_button = QPushButton("Trends…")
        self.resident_trends_button.setToolTip("This resident's incidents by month and kind")
        self.resident_trends_button.clicked.connect(self.show_resident_trends)
        self.home_trends_button = QPushButton("Home trends…")
        self.home_trends_button.setToolTip("The home's incidents by month and kind, and falls")
        self.home_trends_button.clicked.connect(self.show_home_trends)
        incidents_tab = QWidget()
        incidents_layout = QVBoxLayout(incidents_tab)
        incidents_layout.setContentsMargins(0, 0, 0, 0)
        trend_buttons = QHBoxLayout()
        trend_buttons.addStretch(1)
        trend_buttons.addWidget(self.resident_trends_button)
        trend_buttons.addWidget(self.home_trends_button)
        incidents_layout.addLayout(trend_buttons)
        incidents_layout.addWidget(self.incidents, 1)

        self.capacity = CapacityTab(ui)
        self.admission = AdmissionForm(ui)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.care_plan, "&Care plan")
        self.tabs.addTab(self.assessments, "&Assessments")
        self.tabs.addTab(incidents_tab, "&Incidents")
        self.tabs.addTab(self.capacity, "Ca&pacity and consent")
        self.tabs.addTab(self.admission, "Ad&mission")
        self.tabs.currentChanged.connect(lambda _i: self._start_tab())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # --- opening ---------------------------------------------------------------------------

    def open(self, resident_id: str, tab: str = "care_plan", *, audit: bool = False) -> None:
        """Show the resident's care planning; ``audit`` records the view (opened from a list
        rather than from their record, which recorded it already)."""
        if resident_id != self.resident_id:
            self.reset()
        self.resident_id = resident_id
        residents = self._ui.services.residents
        load = residents.get if audit else residents.refresh
        self._ui.runner.run(lambda: load(resident_id), self._show_profile)
        self._load_respect()
        self.show_tab(tab)

    def show_tab(self, tab: str) -> None:
        index = TABS.index(tab)
        if self.tabs.currentIndex() == index:
            self._start_tab()
        else:
            self.tabs.setCurrentIndex(index)  # starts it

    def refresh(self) -> None:
        if not self.resident_id:
            return
        resident_id = self.resident_id
        self._ui.runner.run(
            lambda: self._ui.services.residents.refresh(resident_id), self._show_profile
        )
        self._load_respect()
        if self.tabs.currentWidget() is self.care_plan:
            self.care_plan.refresh()
        elif self.tabs.currentWidget() is self.capacity:
            self.capacity.refresh()

    def _start_tab(self) -> None:
        if not self.resident_id:
            return
        current = self.tabs.currentWidget()
        if current is self.care_plan:
            self.care_plan.start(self.resident_id)
        elif current is self.assessments:
            self.assessments.start(self.resident_id)
        elif current is self.capacity:
            self.capacity.start(self.resident_id)
        elif current is self.admission:
            self.admission.start(self.resident_id)
        else:
            user = self._ui.user
            self.home_trends_button.setVisible(user is not None and user.role in HOME_TREND_ROLES)
            if self.incidents.currentWidget() is self.trends:
                self.trends.load()
            else:
                self.incident_form.start(self.resident_id)

    def _show_profile(self, profile: ResidentProfile) -> None:
        if profile.resident_id != self.resident_id:
            return
        self.profile = profile
        self.banner.show_profile(profile)

    def _load_respect(self) -> None:
        capacity, resident_id = self._ui.services.capacity, self.resident_id
        self._ui.runner.run(
            lambda: capacity.respect(resident_id), lambda v: self._show_respect(resident_id, v)
        )

    def _show_respect(self, resident_id: str, view: RespectView | None) -> None:
        if resident_id == self.resident_id:
            self.respect = view
            self.respect_label.setText(view.summary if view is not None else NO_RESPECT)
            self.respect_button.setVisible(self._ui.may_write("respect_record"))

    def edit_respect(self) -> None:
        values = RespectDialog.ask(self.respect, self)
        if values is None or not self.resident_id:
            return
        capacity, resident_id = self._ui.services.capacity, self.resident_id

        def saved(view: RespectView) -> None:
            self._show_respect(resident_id, view)
            self._ui.notify(f"Saved: {view.summary}.")

        self._ui.runner.run(
            lambda: capacity.save_respect(resident_id, values), saved, changes=("residents",)
        )

    # --- moving between the parts ----------------------------------------------------------

    def review_area(self, area: str) -> None:
        self.care_plan.area = area
        self.show_tab("care_plan")
        self.care_plan.select_area(area)

    def _incident_saved(self, saved: IncidentSaved) -> None:
        self._last_incident = saved.incident.record_id
        self.prompt.show_saved(saved)
        self.incidents.setCurrentWidget(self._prompt_page)
        name = self.profile.display_name if self.profile else "the resident"
        self._ui.notify(f"Saved: {saved.incident.kind_label.lower()} for {name}.")

    def show_resident_trends(self) -> None:
        self.show_tab("incidents")
        self.incidents.setCurrentWidget(self.trends)
        self.trends.show_resident(self.resident_id)

    def show_home_trends(self) -> None:
        self.show_tab("incidents")
        self.incidents.setCurrentWidget(self.trends)
        self.trends.show_home()

    def draft_notification(self, incident_id: str, kind: str) -> None:
        self.show_tab("incidents")
        self.incidents.setCurrentWidget(self.notification)
        self.notification.draft(incident_id, kind)

    def open_notification(self, record_id: str) -> None:
        self.show_tab("incidents")
        self.incidents.setCurrentWidget(self.notification)
        self.notification.open(record_id)

    def open_due_subject(self, resident_id: str, subject: str) -> None:
        """Go to what an item of the reviews-due list is about ("kind:id")."""
        kind, _sep, subject_id = subject.partition(":")
        if kind == "notification" and subject_id:
            self.open_due_notification(subject_id)
        elif kind in ("care_plan", "proposed"):
            self.review_area(subject_id)
        elif kind in ("observations", "incident_review"):
            self.open_incident(subject_id)
        elif kind == "dols":
            self.open_dols(subject_id)
        elif kind in ("rescore", "falls"):
            self.assessments.start(resident_id, subject_id if kind == "rescore" else "falls")

    def open_due_notification(self, subject_id: str) -> None:
        """From the dashboard: a drafted notification, or an incident not yet drafted for."""
        self.show_tab("incidents")
        services = self._ui.services

        def load() -> NotificationView | IncidentSaved:
            try:
                return services.notifications.get(subject_id)
            except InvalidInput:
                pass
            try:
                incident = services.incidents.get(subject_id)
            except InvalidInput:  # a DoLS outcome: its draft
                return services.notifications.draft_for_dols(subject_id)
            return IncidentSaved(incident, services.incidents.notifications_due(subject_id))

        self._ui.runner.run(load, self._show_due_subject)

    def _show_due_subject(self, subject: NotificationView | IncidentSaved) -> None:
        if isinstance(subject, IncidentSaved):
            self._last_incident = subject.incident.record_id
            self.prompt.show_saved(subject)
            self.incidents.setCurrentWidget(self._prompt_page)
        else:
            self.incidents.setCurrentWidget(self.notification)
            self.notification.show_view(subject)

    def open_dols(self, dols_id: str) -> None:
        """From the dashboard: a DoLS application whose expiry or renewal is due."""
        self.show_tab("capacity")
        self.capacity.start(self.resident_id, "dols")
        self.capacity.dols.refresh(select=dols_id)

    def open_incident(self, incident_id: str) -> None:
        """An incident's post-fall observations and review."""
        if not incident_id:
            return
        self.show_tab("incidents")
        self.incidents.setCurrentWidget(self.follow_up)
        self.follow_up.open(incident_id)

    def _back_from_notification(self) -> None:
        shown = self.prompt.isVisibleTo(self._prompt_page)
        self.incidents.setCurrentWidget(self._prompt_page if shown else self.incident_form)

    def show_incident_form(self) -> None:
        self.incidents.setCurrentWidget(self.incident_form)

    # --- who is signed in ------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return (
            self.care_plan.is_dirty()
            or self.assessments.is_dirty()
            or self.incident_form.is_dirty()
            or self.capacity.is_dirty()
            or self.admission.is_dirty()
        )

    def reset(self) -> None:
        """Forget half-filled forms (another person signed in, or another resident)."""
        self.care_plan.reset()
        self.assessments.reset()
        self.incident_form.reset()
        self.capacity.reset()
        self.admission.reset()
        self.prompt.setVisible(False)
        self.follow_up.current = None
        self._last_incident = ""
        self.show_incident_form()
        self.respect_label.setText(NO_RESPECT)
