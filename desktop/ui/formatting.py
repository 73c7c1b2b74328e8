"""How times, roles and amounts read on screen: local clock time, "Today"/"Yesterday", plain
role names. Pure functions, so they are easy to test."""

from __future__ import annotations

import datetime as dt

ROLE_LABELS = {
    "care_assistant": "Care assistant",
    "senior_carer": "Senior carer",
    "nurse": "Nurse",
    "deputy_manager": "Deputy manager",
    "home_manager": "Home manager",
    "provider_admin": "Provider admin",
    "it_admin": "IT admin",
    "inspector": "Inspector",
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


def parse_time(iso: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def when(iso: str | None, *, now: dt.datetime | None = None) -> str:
    """'Today 14:05', 'Yesterday 09:10', 'Tue 24 Nov 18:00' in this PC's time zone."""
    parsed = parse_time(iso or "")
    if parsed is None:
        return ""
    local = parsed.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"Today {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"Yesterday {clock}"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b')} {clock}"


def clock(ms: int | None) -> str:
    if not ms:
        return "never"
    local = dt.datetime.fromtimestamp(ms / 1000, dt.UTC).astimezone()
    return when(local.isoformat())


def age_on(born_iso: str, today: dt.date | None = None) -> int | None:
    try:
        born = dt.date.fromisoformat(born_iso)
    except ValueError:
        return None
    today = today or dt.date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def date_of_birth(born_iso: str) -> str:
    try:
        born = dt.date.fromisoformat(born_iso)
    except ValueError:
        return ""
    age = age_on(born_iso)
    return f"{born.day} {born.strftime('%b %Y')} (age {age})"


def nhs(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 10:
        return number
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def millilitres(amount: int) -> str:
    return f"{amount:,} ml"
