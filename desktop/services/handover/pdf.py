"""The printable handover (fpdf2, A4 portrait): the home, unit, shift and when it was made at
the top of every page, page numbers at the foot; general remarks first, then each resident
with something to hand over (flags in red), and a line naming those with nothing recorded."""

from __future__ import annotations

from fpdf import FPDF

from desktop.services.handover.report import (
    Entry,
    HandoverReport,
    Remark,
    ResidentHandover,
    local_clock,
)
from desktop.services.medication.mar_chart import BLACK, GREY, RED, text
from shared.medication.scheduling import UK

MARGIN = 12.0
LINE_H = 4.6
AMBER = (138, 90, 0)


class _Pdf(FPDF):
    def __init__(self, report: HandoverReport) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(f"Handover - {report.home} - {report.unit_name}")
        self.set_creator("WriteCareNotes")

    def header(self) -> None:
        report = self.report
        self.set_text_color(*BLACK)
        self.set_font("Helvetica", "B", 14)
        self.cell(0, 7, text(f"Handover - {report.home}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        made = report.generated_at.astimezone(UK)
        by = f" by {report.generated_by}" if report.generated_by else ""
        self.cell(
            0,
            5,
            text(f"Unit: {report.unit_name}    {report.shift.label}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.cell(
            0,
            5,
            text(f"Generated {made:%a %d %b %Y %H:%M}{by}. Times are UK time."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.set_draw_color(*BLACK)
        self.line(MARGIN, self.get_y() + 1, self.w - MARGIN, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*BLACK)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def paragraph(
        self,
        value: str,
        *,
        bold: bool = False,
        colour: tuple[int, int, int] = BLACK,
        indent: float = 0.0,
        size: float = 9,
    ) -> None:
        self.set_text_color(*colour)
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_x(MARGIN + indent)
        shown = text(value)
        if self.get_string_width(shown) < self.w - MARGIN * 2 - indent - 2:
            # fpdf2's line breaking is slow on long documents: most lines fit on one.
            self.cell(0, LINE_H, shown, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, LINE_H, shown, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*BLACK)


def _entry_line(line: Entry) -> str:
    who = f" ({line.author})" if line.author else ""
    amended = " [amended]" if line.amended else ""
    clock = f"{line.clock}  " if line.at else ""
    return f"{clock}{line.text}{amended}{who}"


def _remark_line(remark: Remark) -> str:
    amended = " [amended]" if remark.amended else ""
    return f"{local_clock(remark.at)}  {remark.author or 'Someone'}: {remark.text}{amended}"


def _section(pdf: _Pdf, title: str, lines: list[tuple[str, bool]]) -> None:
    if not lines:
        return
    if pdf.get_y() > pdf.h - 30:
        pdf.add_page()  # a heading never sits alone at the foot of a page
    pdf.paragraph(title, bold=True, indent=2)
    for value, flagged in lines:
        pdf.paragraph(value, colour=RED if flagged else BLACK, indent=6)


def _resident(pdf: _Pdf, person: ResidentHandover) -> None:
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.set_fill_color(*GREY)
    pdf.set_font("Helvetica", "B", 11)
    room = f"Room {person.room} - " if person.room else ""
    pdf.cell(0, 7, text(f"{room}{person.name}"), fill=True, new_x="LMARGIN", new_y="NEXT")
    if person.alerts:
        pdf.paragraph("Alerts: " + "; ".join(person.alerts), indent=2, size=8)
    if person.flags:
        for flag in person.flags:
            pdf.paragraph(
                "! " + flag.text, bold=True, colour=RED if flag.urgent else AMBER, indent=2
            )
    fluid = person.fluid
    if fluid is not None:
        total = fluid.last_24h
        target = f" of a {total.target_ml:,} ml target" if total.target_ml else ""
        _section(
            pdf,
            "Fluids",
            [
                (
                    f"{fluid.in_shift_ml:,} ml this shift; {total.total_ml:,} ml in the 24 "
                    f"hours to {local_clock(fluid.to)}{target}",
                    total.low,
                )
            ],
        )
    for group in person.notes:
        _section(
            pdf,
            f"{group.label} ({len(group.entries)})",
            [(_entry_line(e), e.flagged) for e in group.entries],
        )
    _section(pdf, "Observations", [(_entry_line(e), e.flagged) for e in person.observations])
    _section(pdf, "Falls and incidents", [(_entry_line(e), True) for e in person.incidents])
    _section(pdf, "PRN (when required) doses", [(_entry_line(e), False) for e in person.prn_doses])
    _section(pdf, "Refused medicines", [(_entry_line(e), True) for e in person.refusals])
    _section(pdf, "Reviews due", [(e.text, e.flagged) for e in person.reviews_due])
    _section(pdf, "Remarks", [(_remark_line(r), False) for r in person.remarks])
    pdf.ln(2)


def handover_pdf(report: HandoverReport) -> bytes:
    """The report as an A4 PDF."""
    pdf = _Pdf(report)
    pdf.add_page()
    if report.general_remarks:
        pdf.paragraph("General remarks", bold=True, size=11)
        for remark in report.general_remarks:
            pdf.paragraph(_remark_line(remark), indent=4)
        pdf.ln(2)
    if report.nothing_happened:
        pdf.paragraph("Nothing was recorded for these residents in this shift.", size=11)
    changed = [r for r in report.residents if r.changed]
    for person in changed:
        _resident(pdf, person)
    quiet = [r for r in report.residents if not r.changed]
    if quiet and changed:
        names = ", ".join(f"{r.name} ({r.room})" if r.room else r.name for r in quiet)
        pdf.paragraph(f"Nothing recorded this shift: {names}.", indent=0)
    if not report.residents:
        pdf.paragraph("There are no residents in this unit.", size=11)
    return bytes(pdf.output())
