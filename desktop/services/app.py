"""One object holding every service of an enrolled PC: what the UI and the CLI start from.

Signing in needs only the session and the sync status; every other service (and its module)
is made the first time it is asked for, so the app's sign-in screen shows sooner (issue 5).
The services hold no state of their own, so two threads asking at once is harmless."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.context import AppContext
from desktop.services.session import SessionService
from desktop.services.sync_status import SyncService

if TYPE_CHECKING:
    import httpx

    from desktop.services.assessments import AssessmentService
    from desktop.services.capacity import CapacityService
    from desktop.services.care_plans import CarePlanService
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


class DesktopServices:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.session = SessionService(context)
        self.sync = SyncService(context)

    @cached_property
    def residents(self) -> ResidentService:
        from desktop.services.residents import ResidentService

        return ResidentService(self.context, self.session)

    @cached_property
    def notes(self) -> NoteService:
        from desktop.services.notes import NoteService

        return NoteService(self.context, self.session)

    @cached_property
    def observations(self) -> ObservationService:
        from desktop.services.observations import ObservationService

        return ObservationService(self.context, self.session)

    @cached_property
    def reviews(self) -> ReviewService:
        from desktop.services.reviews import ReviewService

        return ReviewService(self.context, self.session)

    @cached_property
    def medication(self) -> MedicationServices:
        from desktop.services.medication import MedicationServices

        return MedicationServices(self.context, self.session)

    # Care planning (issue 7).
    @cached_property
    def care_plans(self) -> CarePlanService:
        from desktop.services.care_plans import CarePlanService

        return CarePlanService(self.context, self.session)

    @cached_property
    def assessments(self) -> AssessmentService:
        from desktop.services.assessments import AssessmentService

        return AssessmentService(self.context, self.session)

    @cached_property
    def capacity(self) -> CapacityService:
        from desktop.services.capacity import CapacityService

        return CapacityService(self.context, self.session)

    @cached_property
    def incidents(self) -> IncidentService:
        from desktop.services.incidents import IncidentService

        return IncidentService(self.context, self.session)

    @cached_property
    def incident_photos(self) -> IncidentPhotoService:
        from desktop.services.incident_photos import IncidentPhotoService

        return IncidentPhotoService(self.context, self.session)

    @cached_property
    def incident_trends(self) -> IncidentTrendsService:
        from desktop.services.incident_trends import IncidentTrendsService

        return IncidentTrendsService(self.context, self.session)

    @cached_property
    def notifications(self) -> NotificationService:
        from desktop.services.notifications import NotificationService

        return NotificationService(self.context, self.session)

    @cached_property
    def reviews_due(self) -> ReviewsDueService:
        from desktop.services.reviews_due import ReviewsDueService

        return ReviewsDueService(self.context, self.session)

    @cached_property
    def handover(self) -> HandoverService:  # shift handover (issue 5)
        from desktop.services.handover import HandoverService

        return HandoverService(self.context, self.session)

    @classmethod
    def open(
        cls, data_dir: Path, *, key_dir: str | None = None, http: httpx.Client | None = None
    ) -> DesktopServices:
        return cls(AppContext.open(data_dir, key_dir=key_dir, http=http))

    def close(self) -> None:
        self.context.close()
