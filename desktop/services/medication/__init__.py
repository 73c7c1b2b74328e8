"""Medicines (eMAR) on a ward PC: prescriptions, the round, PRN and homely remedies, the
controlled-drug register and stock, the pharmacy MAR import, and the printed reports.

``MedicationServices`` bundles them over one PC's context and session; each service is in its
own module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.services.context import AppContext
from desktop.services.medication.common import AlreadyRecorded, ResidentInfo
from desktop.services.medication.controlled import ControlledDrugService
from desktop.services.medication.pharmacy_import import PharmacyImportService
from desktop.services.medication.prescriptions import PrescriptionInput, PrescriptionService
from desktop.services.medication.prn import PrnLimitReached, PrnService
from desktop.services.medication.reports import ReportService
from desktop.services.medication.round import RoundItem, RoundService
from desktop.services.session import SessionService

__all__ = [
    "AlreadyRecorded",
    "MedicationServices",
    "PrescriptionInput",
    "PrnLimitReached",
    "ResidentInfo",
    "RoundItem",
]


class MedicationServices:
    def __init__(
        self,
        context: AppContext,
        session: SessionService,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.prescriptions = PrescriptionService(context, session, now)
        self.round = RoundService(context, session, now)
        self.prn = PrnService(context, session, now)
        self.controlled = ControlledDrugService(context, session, now)
        self.imports = PharmacyImportService(context, session, now)
        self.reports = ReportService(context, session, now)
