"""The demo provider: deterministic, realistic, and valid against every shared rule."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import Counter

from shared import demo_data, news2, nhs_number
from shared.demo_data import DemoProvider, SeedRecord, generate_provider
from shared.demo_medicines import medicine_records
from shared.entities import ROLES, validate_fields

NOW = dt.datetime(2024, 3, 31, 12, 0, tzinfo=dt.UTC)
HOMES = (("Oakwood House", "england"), ("Bryn Hafod", "wales"))


@functools.cache
def provider(seed: int = 1) -> DemoProvider:
    return generate_provider(residents_per_home=6, days=3, seed=seed, now=NOW)


@functools.cache
def events(seed: int = 1) -> tuple[SeedRecord, ...]:
    return tuple(provider(seed).events())


def every_record(p: DemoProvider) -> list[SeedRecord]:
    return [*p.homes, *p.units, *p.staff_records(), *p.residents, *events(), *medicine_records(p)]


def test_the_same_seed_makes_the_same_provider() -> None:
    again = generate_provider(residents_per_home=6, days=3, seed=1, now=NOW)
    assert again.residents == provider().residents
    assert again.staff == provider().staff
    assert tuple(again.events()) == events()


def test_a_different_seed_makes_different_people() -> None:
    assert provider(2).residents != provider(1).residents
    assert events(2) != events(1)


def test_every_record_is_valid_for_its_entity() -> None:
    for record in every_record(provider()):
        validate_fields(record.entity, record.fields, partial=False)


def test_record_ids_are_unique_uuid7s() -> None:
    ids = [record.record_id for record in every_record(provider())]
    assert {s.user_id for s in provider().staff} <= set(ids)  # a staff record's id is theirs
    assert len(ids) == len(set(ids))
    assert all(uuid.UUID(i).version == 7 for i in ids)


def test_nhs_numbers_are_valid_unique_and_in_the_test_range() -> None:
    numbers = [r.fields["nhs_number"] for r in provider().residents]
    assert len(set(numbers)) == len(numbers) == 12
    for number in numbers:
        assert number.startswith("999")
        assert nhs_number.is_valid(number)


def test_each_home_is_fully_staffed_and_an_it_admin_covers_them_all() -> None:
    p = provider()
    home_ids = [h.record_id for h in p.homes]
    assert [h.fields["name"] for h in p.homes] == [name for name, _ in HOMES]
    for home_id in home_ids:
        roles = Counter(s.role for s in p.staff if s.home_ids == (home_id,))
        assert roles == {
            "care_assistant": 4,
            "senior_carer": 2,
            "nurse": 1,
            "deputy_manager": 1,
            "home_manager": 1,
        }
    admins = [s for s in p.staff if s.role == "it_admin"]
    assert len(admins) == 1
    assert admins[0].home_ids == tuple(home_ids)
    assert {s.role for s in p.staff} <= set(ROLES)
    usernames = [s.username for s in p.staff]
    assert len(set(usernames)) == len(usernames)
    assert all(s.password == demo_data.DEMO_PASSWORD for s in p.staff)


def test_residents_live_on_a_unit_of_their_own_home() -> None:
    p = provider()
    unit_home = {u.record_id: u.fields["home_id"] for u in p.units}
    for r in p.residents:
        assert unit_home[r.fields["unit_id"]] == r.home_id
        assert r.fields["status"] == "admitted"


def test_events_cover_every_resident_every_day_oldest_first() -> None:
    # Regression: events came resident by resident, so a day's evening events for one
    # resident came before the next resident's morning.
    p = provider()
    made = events()
    assert len(made) == p.days * len(p.residents) * p.events_per_resident_day
    times = [e.occurred_ms for e in made]
    assert times == sorted(times)
    start_ms = int((NOW - dt.timedelta(days=p.days)).timestamp() * 1000)
    assert start_ms <= times[0] and times[-1] < int(NOW.timestamp() * 1000)
    per_resident = Counter(e.resident_id for e in made)
    assert set(per_resident.values()) == {p.days * p.events_per_resident_day}


def test_event_ids_carry_the_time_of_the_event() -> None:
    for event in events():
        assert uuid.UUID(event.record_id).int >> 80 == event.occurred_ms
        occurred = dt.datetime.fromisoformat(event.fields["occurred_at"])
        assert int(occurred.timestamp()) == event.occurred_ms // 1000


def test_observations_are_complete_believable_news2_sets() -> None:
    observations = [e for e in events() if e.entity == "observation"]
    assert observations
    for record in observations:
        obs = news2.News2Input.from_values(record.fields["values"])
        result = news2.score(obs)
        assert result.complete
        assert result.total is not None
        assert news2.implausible(obs) == []
        assert news2.unusual(obs) == []
