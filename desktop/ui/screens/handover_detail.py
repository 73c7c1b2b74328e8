"""One resident's handover as rich text for the detail pane, in the theme's colours: the flags
first, then fluids, notes by category, observations, incidents, medicines, reviews due and the
remarks, each line with its time and who recorded it."""

from __future__ import annotations

from html import escape

from desktop.services.handover import Entry, Remark, ResidentHandover
from desktop.services.handover.report import local_clock
from desktop.ui.theme import Colours

AMBER = "#8a5a00"


def _line(entry: Entry, colours: Colours) -> str:
    who = f" <span style='color:{colours.muted}'>({escape(entry.author)})</span>"
    who = who if entry.author else ""
    amended = " <i>(amended)</i>" if entry.amended else ""
    text = escape(entry.text)
    if entry.flagged:
        text = f"<b style='color:{colours.danger}'>{text}</b>"
    clock = f"<b>{escape(entry.clock)}</b> " if entry.at else ""
    return f"<li>{clock}{text}{amended}{who}</li>"


WITHDRAW = "withdraw:"  # the link that withdraws a remark, followed by its id


def remark_line(remark: Remark, colours: Colours, user_id: str | None = None) -> str:
    """A remark with its author and time; its author gets a "Withdraw" link."""
    who = escape(remark.author or "Someone")
    amended = " <i>(amended)</i>" if remark.amended else ""
    link = ""
    if user_id is not None and remark.author_id == user_id:
        link = f" <a href='{WITHDRAW}{escape(remark.remark_id)}'>Withdraw</a>"
    return (
        f"<li><b>{escape(local_clock(remark.at))}</b> {who}: {escape(remark.text)}{amended}"
        f"{link}</li>"
    )


def _section(title: str, lines: list[str]) -> str:
    if not lines:
        return ""
    return f"<h3>{escape(title)}</h3><ul>{''.join(lines)}</ul>"


def resident_html(person: ResidentHandover, colours: Colours, user_id: str | None = None) -> str:
    room = f"Room {escape(person.room)} · " if person.room else ""
    parts = [f"<h2>{room}{escape(person.name)}</h2>"]
    if person.alerts:
        parts.append(f"<p style='color:{colours.muted}'>{escape(' · '.join(person.alerts))}</p>")
    for flag in person.flags:
        colour = colours.danger if flag.urgent else AMBER
        parts.append(f"<p style='color:{colour}'><b>⚑ {escape(flag.text)}</b></p>")
    if person.fluid is not None:
        total = person.fluid.last_24h
        target = f" of a {total.target_ml:,} ml target" if total.target_ml else ""
        text = (
            f"{person.fluid.in_shift_ml:,} ml this shift; {total.total_ml:,} ml in the 24 hours "
            f"to {local_clock(person.fluid.to)}{target}"
        )
        style = f" style='color:{colours.danger}'" if total.low else ""
        parts.append(f"<h3>Fluids</h3><p{style}>{escape(text)}</p>")
    for group in person.notes:
        title = f"{group.label} ({len(group.entries)})"
        parts.append(_section(title, [_line(e, colours) for e in group.entries]))
    sections = (
        ("Observations", person.observations),
        ("Falls and incidents", person.incidents),
        ("PRN (when required) doses", person.prn_doses),
        ("Refused medicines", person.refusals),
        ("Reviews due", person.reviews_due),
    )
    for title, entries in sections:
        parts.append(_section(title, [_line(e, colours) for e in entries]))
    remarks = [remark_line(r, colours, user_id) for r in person.remarks]
    parts.append(_section("Remarks", remarks))
    if not person.happened:
        parts.append(f"<p style='color:{colours.muted}'>Nothing was recorded in this shift.</p>")
    return "".join(parts)
