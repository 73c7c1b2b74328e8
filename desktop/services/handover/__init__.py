"""The shift handover: a report per unit and shift of what changed for each resident (new
notes, low fluids, NEWS2 of 5 or more or a single parameter scoring 3, falls and incidents,
PRN doses, refused medicines, reviews due), the remarks staff add to it, and its printable
A4 PDF. ``HandoverService`` is the entry point; the shifts are in ``shifts``."""

from __future__ import annotations

from desktop.services.handover.report import (
    Entry,
    Flag,
    FlagKind,
    FluidLine,
    HandoverReport,
    NoteGroup,
    Remark,
    ResidentHandover,
)
from desktop.services.handover.service import ALL_UNITS, HandoverService, UnitChoice
from desktop.services.handover.shifts import (
    SHIFT_LABELS,
    Shift,
    ShiftKind,
    day_shift,
    default_shift,
    last_hours,
    night_shift,
    shift_at,
    shift_for,
)


def handover_pdf(report: HandoverReport) -> bytes:
    """The report as an A4 PDF (fpdf is loaded on first use, not when the app starts)."""
    from desktop.services.handover.pdf import handover_pdf as render

    return render(report)


__all__ = [
    "ALL_UNITS",
    "SHIFT_LABELS",
    "Entry",
    "Flag",
    "FlagKind",
    "FluidLine",
    "HandoverReport",
    "HandoverService",
    "NoteGroup",
    "Remark",
    "ResidentHandover",
    "Shift",
    "ShiftKind",
    "UnitChoice",
    "day_shift",
    "default_shift",
    "handover_pdf",
    "last_hours",
    "night_shift",
    "shift_at",
    "shift_for",
]
