"""One object holding every service of an enrolled PC: what the UI and the CLI start from."""

from __future__ import annotations

from pathlib import Path

import httpx

from desktop.services.assessments import AssessmentService
from desktop.services.capacity import CapacityService
from desktop.services.care_plans import CarePlanService
from desktop.services.context import AppContext
from desktop.services.handover import HandoverService
from desktop.services.incident_photos import IncidentPhotoService
from desktop.services.incident_trends import IncidentTrendsService
from desktop.services.incidents import IncidentService
from desktop.services.medication import MedicationServices
from desktop.services.notes import NoteService
from desktop.services.notifications import NotificationService
from desktop.services.observations import ObservationService
from desktop.services.residents import ResidentService
from desktop.services.reviews import ReviewService
from desktop.services.reviews_due import ReviewsDueService
from desktop.services.session import SessionService
from desktop.services.sync_status import SyncService


class DesktopServices:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.session = SessionService(context)
        self.residents = ResidentService(context, self.session)
        self.notes = NoteService(context, self.session)
        self.observations = ObservationService(context, self.session)
        self.reviews = ReviewService(context, self.session)
        self.sync = SyncService(context)
        self.medication = MedicationServices(context, self.session)
        # Care planning (issue 7).
        self.care_plans = CarePlanService(context, self.session)
        self.assessments = AssessmentService(context, self.session)
        self.capacity = CapacityService(context, self.session)
        self.incidents = IncidentService(context, self.session)
        self.incident_photos = IncidentPhotoService(context, self.session)
        self.incident_trends = IncidentTrendsService(context, self.session)
        self.notifications = NotificationService(context, self.session)
        self.reviews_due = ReviewsDueService(context, self.session)
        self.handover = HandoverService(context, self.session)  # shift handover (issue 5)

    @classmethod
    def open(
        cls, data_dir: Path, *, key_dir: str | None = None, http: httpx.Client | None = None
    ) -> DesktopServices:
        return cls(AppContext.open(data_dir, key_dir=key_dir, http=http))

    def close(self) -> None:
        self.context.close()
