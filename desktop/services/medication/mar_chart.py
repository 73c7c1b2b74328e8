"""Printable medication records (fpdf2): the familiar 28-day MAR grid per resident and cycle,
with the resident's details and allergies (in red) on every page and the code key, and a
controlled-drug register page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.services.medication.common import ResidentInfo
from desktop.services.medication.controlled import CdLine
from shared.medication.scheduling import UK

if TYPE_CHECKING:
    from fpdf import FPDF

RED = (176, 0, 32)
BLACK = (0, 0, 0)
GREY = (225, 228, 232)
MARGIN = 8.0
LABEL_W = 74.0
TIME_W = 11.0
ROW_H = 7.0


@dataclass(frozen=True)
class MarRow:
    medicine: str
    notes: str
    time: str  # "08:00" or "PRN"
    cells: list[str]  # one per day: initials, a code, "-" not due, "" not yet


@dataclass(frozen=True)
class MarChart:
    home: str
    resident: ResidentInfo
    days: list[dt.date]
    rows: list[MarRow]
    key: tuple[tuple[str, str], ...]
    printed_at: dt.datetime


def text(value: str) -> str:
    """The core PDF fonts speak Latin-1 only: anything else prints as '?'."""
    return (
        value.replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u00b7", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _new_pdf() -> FPDF:
    # fpdf is imported when a chart is printed, not when the app starts (a quarter of the
    # app's import time).
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title("Medication administration record")
    pdf.set_creator("WriteCareNotes")
    return pdf


def fit(pdf: FPDF, value: str, width: float) -> str:
    """``value`` shortened with '...' to fit ``width`` mm in the current font."""
    shown = text(value)
    if pdf.get_string_width(shown) <= width - 2:
        return shown
    while shown and pdf.get_string_width(shown + "...") > width - 2:
        shown = shown[:-1]
    return shown + "..."


def _resident_block(
    pdf: FPDF, home: str, resident: ResidentInfo, title: str, subtitle: str
) -> None:
    pdf.set_text_color(*BLACK)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, text(f"{title} - {home}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    born = resident.date_of_birth
    details = (
        f"Resident: {resident.name}    Date of birth: {born}    NHS number: "
        f"{resident.nhs_number or 'not recorded'}    Room: {resident.room}    {subtitle}"
    )
    pdf.cell(0, 5, text(details), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*RED)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, text(resident.allergies.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)


def _grid_header(pdf: FPDF, chart: MarChart, day_w: float) -> None:
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_fill_color(*GREY)
    pdf.cell(LABEL_W, ROW_H, "Medicine, form, route and dose", border=1, fill=True)
    pdf.cell(TIME_W, ROW_H, "Time", border=1, fill=True, align="C")
    for day in chart.days:
        pdf.cell(day_w, ROW_H / 2, f"{day.day}", border="LTR", fill=True, align="C")
    pdf.ln(ROW_H / 2)
    pdf.set_x(MARGIN + LABEL_W + TIME_W)
    for day in chart.days:
        pdf.cell(day_w, ROW_H / 2, day.strftime("%a")[:2], border="LBR", fill=True, align="C")
    pdf.ln(ROW_H / 2)


def _start_page(pdf: FPDF, chart: MarChart, day_w: float) -> None:
    pdf.add_page()
    first, last = chart.days[0], chart.days[-1]
    cycle = f"Cycle: {first:%d %b %Y} to {last:%d %b %Y}"
    _resident_block(pdf, chart.home, chart.resident, "Medication administration record", cycle)
    pdf.ln(1)
    _grid_header(pdf, chart, day_w)


def _footer(pdf: FPDF, chart: MarChart) -> None:
    pdf.set_y(-16)
    pdf.set_font("Helvetica", "", 7)
    key = "   ".join(f"{code} = {meaning}" for code, meaning in chart.key)
    pdf.multi_cell(
        0,
        3.5,
        text(f"Key: initials = given by   {key}   grey = not due"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    printed = chart.printed_at.astimezone(UK)
    pdf.cell(
        0,
        3.5,
        text(f"Printed {printed:%d %b %Y %H:%M} from WriteCareNotes. Page {pdf.page_no()}."),
    )


def mar_pdf(chart: MarChart) -> bytes:
    pdf = _new_pdf()
    usable = pdf.w - 2 * MARGIN - LABEL_W - TIME_W
    day_w = usable / max(1, len(chart.days))
    _start_page(pdf, chart, day_w)
    bottom = pdf.h - 20
    if not chart.rows:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 10, "No medicines were prescribed in this cycle.")
    for row in chart.rows:
        if pdf.get_y() + ROW_H * 2 > bottom:
            _footer(pdf, chart)
            _start_page(pdf, chart, day_w)
        y = pdf.get_y()
        pdf.set_font("Helvetica", "B", 7)
        pdf.cell(LABEL_W, ROW_H, fit(pdf, row.medicine, LABEL_W), border="LTR")
        pdf.set_font("Helvetica", "B", 8)
        pdf.cell(TIME_W, ROW_H * 2, row.time, border=1, align="C")
        pdf.set_font("Helvetica", "", 7)
        for cell in row.cells:
            missing = cell == "?"
            if cell == "-":
                pdf.set_fill_color(*GREY)
            pdf.set_text_color(*(RED if missing else BLACK))
            pdf.cell(
                day_w, ROW_H * 2, "" if cell == "-" else cell, border=1, align="C", fill=cell == "-"
            )
        pdf.set_text_color(*BLACK)
        pdf.set_xy(MARGIN, y + ROW_H)
        pdf.set_font("Helvetica", "", 6)
        pdf.cell(LABEL_W, ROW_H, fit(pdf, row.notes, LABEL_W), border="LBR")
        pdf.set_xy(MARGIN, y + ROW_H * 2)
    _footer(pdf, chart)
    return bytes(pdf.output())


def cd_register_pdf(
    home: str, resident: ResidentInfo, medicine: str, lines: Sequence[CdLine], names: dict[str, str]
) -> bytes:
    pdf = _new_pdf()
    pdf.add_page()
    _resident_block(pdf, home, resident, "Controlled drug register", f"Medicine: {medicine}")
    widths = (34.0, 24.0, 18.0, 20.0, 20.0, 45.0, 45.0, 75.0)
    headers = (
        "Date and time",
        "Entry",
        "Quantity",
        "Balance",
        "Written",
        "By",
        "Witness",
        "From / to, note",
    )
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(*GREY)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1, fill=True)
    pdf.ln(7)
    pdf.set_font("Helvetica", "", 8)
    for line in lines:
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        when = dt.datetime.fromisoformat(line.occurred_at).astimezone(UK)
        values = (
            f"{when:%d %b %Y %H:%M}",
            line.kind.capitalize(),
            f"{line.quantity:g}",
            f"{line.balance:g}",
            f"{line.recorded_balance:g}",
            names.get(line.user_id or "", ""),
            names.get(line.witness_id or "", ""),
            " ".join(x for x in (line.counterparty, line.note) if x),
        )
        pdf.set_text_color(*(RED if line.mismatch else BLACK))
        for width, value in zip(widths, values, strict=True):
            pdf.cell(width, 6, fit(pdf, value, width), border=1)
        pdf.ln(6)
    pdf.set_text_color(*BLACK)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 7)
    pdf.cell(0, 4, "Lines in red do not add up: the written balance differs from the register.")
    return bytes(pdf.output())


def missed_doses_pdf(
    home: str, period: str, lines: Sequence[tuple[str, str, str, str, str]], flagged: Sequence[str]
) -> bytes:
    """The missed and refused doses report: the flags for the prescriber first (in red), then
    one line per dose (due, resident, room, medicine, what happened)."""
    pdf = _new_pdf()
    pdf.set_title("Missed and refused doses")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, text(f"Missed and refused doses - {home}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, text(period), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*RED)
    pdf.set_font("Helvetica", "B", 9)
    for flag in flagged:
        pdf.cell(0, 5, text(flag), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.ln(2)
    widths = (34.0, 60.0, 16.0, 90.0, 81.0)
    headers = ("Due", "Resident", "Room", "Medicine", "What happened")
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(*GREY)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1, fill=True)
    pdf.ln(7)
    pdf.set_font("Helvetica", "", 8)
    if not lines:
        pdf.cell(0, 6, "No doses were missed or refused in this period.", border=1)
        pdf.ln(6)
    for line in lines:
        if pdf.get_y() > pdf.h - 14:
            pdf.add_page()
        for width, value in zip(widths, line, strict=True):
            pdf.cell(width, 6, fit(pdf, value, width), border=1)
        pdf.ln(6)
    return bytes(pdf.output())
