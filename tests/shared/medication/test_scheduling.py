"""Dose slots in UK time (GMT and BST, both change days), their stable identity, and the PRN
limits counted over doses from every PC."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.medication.scheduling import (
    UK,
    PrnDose,
    describe_schedule,
    prn_problems,
    prn_violations,
    slot_id_for,
    slots_between,
)

PID = str(uuid.UUID(int=7))
UTC = dt.UTC


def presc(schedule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"schedule": schedule, "start_date": "2024-01-01", "status": "active", **extra}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_times(slots: list[Any]) -> list[str]:
    return [s.due_at.astimezone(UK).strftime("%Y-%m-%d %H:%M") for s in slots]


def test_daily_times_are_uk_wall_clock_in_winter_and_summer() -> None:
    fields = presc({"kind": "daily", "times": ["08:00", "20:00"]})
    winter = slots_between(PID, fields, utc(2024, 1, 10), utc(2024, 1, 11))
    summer = slots_between(PID, fields, utc(2024, 7, 10), utc(2024, 7, 11))
    assert [s.due_at for s in winter] == [utc(2024, 1, 10, 8), utc(2024, 1, 10, 20)]
    assert [s.due_at for s in summer] == [utc(2024, 7, 10, 7), utc(2024, 7, 10, 19)]


def test_spring_change_day_a_missing_time_falls_an_hour_later_once() -> None:
    # 31 March 2024: clocks go from 01:00 GMT to 02:00 BST; 01:30 does not exist.
    fields = presc({"kind": "daily", "times": ["01:30", "08:00"]})
    slots = slots_between(PID, fields, utc(2024, 3, 30, 12), utc(2024, 4, 1, 12))
    assert local_times(slots) == [
        "2024-03-31 02:30",
        "2024-03-31 08:00",
        "2024-04-01 01:30",
        "2024-04-01 08:00",
    ]
    assert slots[1].due_at == utc(2024, 3, 31, 7)


def test_autumn_change_day_a_repeated_time_is_due_once() -> None:
    # 27 October 2024: 01:00-01:59 happens twice (BST, then GMT).
    fields = presc({"kind": "daily", "times": ["01:30"]})
    slots = slots_between(PID, fields, utc(2024, 10, 26, 12), utc(2024, 10, 27, 12))
    assert [s.due_at for s in slots] == [utc(2024, 10, 27, 0, 30)]  # 01:30 BST, the first
    day = slots_between(
        PID,
        presc({"kind": "daily", "times": ["08:00", "20:00"]}),
        utc(2024, 10, 27),
        utc(2024, 10, 28),
    )
    assert [s.due_at for s in day] == [utc(2024, 10, 27, 8), utc(2024, 10, 27, 20)]


def test_weekly_and_monthly_schedules() -> None:
    weekly = presc({"kind": "weekly", "times": ["09:00"], "weekdays": [0, 3]})  # Mon, Thu
    slots = slots_between(PID, weekly, utc(2024, 5, 1), utc(2024, 5, 15))
    assert [s.local_due.strftime("%a %d") for s in slots] == [
        "Thu 02",
        "Mon 06",
        "Thu 09",
        "Mon 13",
    ]
    monthly = presc({"kind": "monthly", "times": ["09:00"], "month_days": [31]})
    slots = slots_between(PID, monthly, utc(2024, 1, 1), utc(2024, 5, 1))
    assert [s.local_due.strftime("%m-%d") for s in slots] == ["01-31", "02-29", "03-31", "04-30"]
    assert describe_schedule(weekly) == "Mon, Thu at 09:00"


def test_time_critical_window_is_thirty_minutes() -> None:
    fields = presc({"kind": "daily", "times": ["07:00"]}, time_critical=True)
    slot = slots_between(PID, fields, utc(2024, 1, 1), utc(2024, 1, 2))[0]
    assert slot.window_end - slot.due_at == dt.timedelta(minutes=30)
    standard = slots_between(
        PID, presc({"kind": "daily", "times": ["07:00"]}), utc(2024, 1, 1), utc(2024, 1, 2)
    )
    assert standard[0].window_end - standard[0].due_at == dt.timedelta(hours=1)


def test_no_slots_before_start_after_end_after_discontinuation_or_for_prn() -> None:
    fields = presc(
        {"kind": "daily", "times": ["08:00"]}, start_date="2024-01-05", end_date="2024-01-07"
    )
    assert len(slots_between(PID, fields, utc(2024, 1, 1), utc(2024, 1, 31))) == 3
    stopped = presc(
        {"kind": "daily", "times": ["08:00", "20:00"]},
        status="discontinued",
        discontinued_at="2024-01-10T12:00:00+00:00",
    )
    assert local_times(slots_between(PID, stopped, utc(2024, 1, 10), utc(2024, 1, 12))) == [
        "2024-01-10 08:00"
    ]
    assert slots_between(PID, presc({"kind": "prn"}), utc(2024, 1, 1), utc(2024, 2, 1)) == []


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)),
    st.integers(1, 72),
    st.lists(
        st.sampled_from(["00:30", "01:30", "02:15", "08:00", "13:45", "22:00"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_slot_ids_are_stable_and_unique_whatever_the_window(
    start: dt.datetime, hours: int, times: list[str]
) -> None:
    fields = presc({"kind": "daily", "times": times}, start_date="2019-12-01")
    begin = start.replace(tzinfo=UTC)
    end = begin + dt.timedelta(hours=hours)
    whole = slots_between(PID, fields, begin, end)
    middle = begin + (end - begin) / 2
    halves = slots_between(PID, fields, begin, middle) + slots_between(PID, fields, middle, end)
    assert [s.slot_id for s in whole] == [s.slot_id for s in halves]  # the same doses
    assert len({s.slot_id for s in whole}) == len(whole)
    assert all(s.slot_id == slot_id_for(PID, s.due_at.astimezone(UK)) for s in whole)
    # At most one dose per listed time per UK day, never more.
    per_day: dict[dt.date, int] = {}
    for slot in whole:
        per_day[slot.local_due.date()] = per_day.get(slot.local_due.date(), 0) + 1
    assert all(count <= len(times) for count in per_day.values())


# --- PRN -----------------------------------------------------------------------------------

LIMITS = {"prn_min_interval_minutes": 240, "prn_max_per_24h": 8}
T0 = utc(2024, 6, 1, 8)


def dose(ident: int, hours: float, quantity: float = 2) -> PrnDose:
    return PrnDose(str(uuid.UUID(int=ident)), T0 + dt.timedelta(hours=hours), quantity)


def test_too_soon_says_when_the_next_dose_is_allowed() -> None:
    problems = prn_problems(LIMITS, [dose(1, 0)], T0 + dt.timedelta(hours=3), 2)
    assert [p.kind for p in problems] == ["too_soon"]
    assert problems[0].next_allowed == T0 + dt.timedelta(hours=4)
    assert "next from 13:00" in problems[0].message  # 12:00 UTC is 13:00 BST
    assert prn_problems(LIMITS, [dose(1, 0)], T0 + dt.timedelta(hours=4), 2) == []


def test_over_the_24_hour_maximum() -> None:
    earlier = [dose(n, n * 4) for n in range(4)]  # 8 tablets
    problems = prn_problems(LIMITS, earlier, T0 + dt.timedelta(hours=16), 2)
    assert [p.kind for p in problems] == ["over_max"]
    assert prn_problems(LIMITS, earlier, T0 + dt.timedelta(hours=24, minutes=1), 2) == []


def test_doses_from_two_pcs_are_judged_together_in_any_order() -> None:
    pc1, pc2 = dose(1, 0), dose(2, 1)  # two PCs, an hour apart, neither saw the other
    assert prn_violations(LIMITS, [pc1]) == {} == prn_violations(LIMITS, [pc2])
    both = prn_violations(LIMITS, [pc2, pc1])
    assert list(both) == [pc2.record_id] and "Too soon" in both[pc2.record_id]


@given(st.lists(st.tuples(st.integers(0, 96), st.sampled_from([1.0, 2.0])), max_size=12))
def test_violations_do_not_depend_on_arrival_order(raw: list[tuple[int, float]]) -> None:
    doses = [dose(i + 1, hours, qty) for i, (hours, qty) in enumerate(raw)]
    assert prn_violations(LIMITS, doses) == prn_violations(LIMITS, list(reversed(doses)))
    # Every dose kept within the limits passes a check against all the others before it.
    flagged = prn_violations(LIMITS, doses)
    kept = sorted((d for d in doses if d.record_id not in flagged), key=lambda d: d.given_at)
    for index, current in enumerate(kept):
        day = [d for d in kept[:index] if current.given_at - d.given_at < dt.timedelta(hours=24)]
        assert sum(d.quantity for d in day) + current.quantity <= 8 or any(
            d.record_id in flagged for d in doses
        )
