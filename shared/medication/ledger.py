"""Running balances: the controlled-drug register and medicine stock, computed the same way on
every PC and on the server, so a balance that does not add up after a merge is found.

Events reach this module as plain field dicts with their record id; corrections follow the
same rule as every clinical event: an "entered in error" record withdraws the one it names,
an amendment replaces its fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TAKEN = frozenset({"given", "self_administered"})
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Event:
    """A clinical event as the ledger sees it."""

    record_id: str
    fields: Mapping[str, Any]


def live_events(events: Iterable[Event]) -> list[Event]:
    """The events that stand: each original with its latest amendment's fields (by id, which
    is time-ordered), without those marked entered in error. Ids are the originals'."""
    by_root: dict[str, list[Event]] = {}
    originals: dict[str, Event] = {}
    for event in events:
        target = event.fields.get("amends_id")
        if target:
            by_root.setdefault(str(target), []).append(event)
        else:
            originals[event.record_id] = event
    result = []
    for record_id, original in originals.items():
        chain = sorted(by_root.get(record_id, []), key=lambda e: e.record_id)
        if chain and chain[-1].fields.get("amend_kind") == "entered_in_error":
            continue
        latest = chain[-1] if chain else original
        result.append(Event(record_id, latest.fields))
    return result


def occurred(fields: Mapping[str, Any]) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(str(fields.get("occurred_at")))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def cd_key(resident_id: str, fields: Mapping[str, Any]) -> str:
    """Which register page an entry belongs to: one per resident and medicine and strength."""
    medicine = str(fields.get("medicine") or "").strip().lower()
    strength = str(fields.get("strength") or "").strip().lower()
    return f"{resident_id}|{medicine}|{strength}"


@dataclass(frozen=True)
class LedgerLine:
    record_id: str
    fields: Mapping[str, Any]
    computed_balance: float  # what the entries before it (and it) add up to
    balance: float  # the balance from this line on (a check's count replaces the total)
    mismatch: bool  # the entry's balance (or a check's count) differs from the running total


def cd_ledger(entries: Iterable[Event]) -> list[LedgerLine]:
    """The register page in time order with the running balance. Receipts add; administrations,
    disposals and returns take away; a check records a count: a count that differs is a
    mismatch, and the count becomes the balance from then on (what is really in the cupboard)."""
    ordered = sorted(live_events(entries), key=lambda e: (occurred(e.fields), e.record_id))
    balance = 0.0
    lines = []
    for entry in ordered:
        kind = entry.fields.get("kind")
        quantity = float(entry.fields.get("quantity") or 0)
        if kind == "receipt":
            balance += quantity
        elif kind in ("administration", "disposal", "return"):
            balance -= quantity
        recorded = float(entry.fields.get("balance_after", balance))
        found = quantity if kind == "check" else recorded
        mismatch = abs(found - balance) > _TOLERANCE or balance < -_TOLERANCE
        computed = balance
        if kind == "check":
            balance = quantity
        lines.append(LedgerLine(entry.record_id, entry.fields, computed, balance, mismatch))
    return lines


def cd_balance(entries: Iterable[Event]) -> float:
    lines = cd_ledger(entries)
    return lines[-1].balance if lines else 0.0


def stock_level(
    stock_events: Iterable[Event], administrations: Iterable[Event], default_quantity: float
) -> float | None:
    """Units in stock: the last count, plus receipts, less doses taken and waste or returns
    since. None when nothing was ever received or counted."""
    stock = sorted(live_events(stock_events), key=lambda e: (occurred(e.fields), e.record_id))
    if not stock:
        return None
    level = 0.0
    since = dt.datetime.min.replace(tzinfo=dt.UTC)
    for event in stock:
        quantity = float(event.fields.get("quantity") or 0)
        kind = event.fields.get("kind")
        if kind == "count":
            level, since = quantity, occurred(event.fields)
        elif kind == "receipt":
            level += quantity
        else:
            level -= quantity
    for dose in live_events(administrations):
        if dose.fields.get("outcome") in TAKEN and occurred(dose.fields) > since:
            level -= float(dose.fields.get("quantity") or default_quantity)
    return level
