"""The one data generator: a realistic, deterministic care provider for the demo, the tests
and the benchmarks. Names are invented; NHS numbers are in the 999 test range and pass the
modulus 11 check."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from shared.nhs_number import check_digit

DEMO_PASSWORD = "CareDemo-2026"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST_F = _words(
    "Margaret Dorothy Joan Patricia Irene Jean Sheila Betty Audrey Eileen Doreen Brenda "
    "Maureen Sylvia Pauline Barbara Valerie Kathleen Elsie Mavis Edna Gwen Rita Shirley"
)
_FIRST_M = _words(
    "Arthur Harold Kenneth Dennis Ronald Frank Stanley Albert Raymond Peter Geoffrey Leonard "
    "Norman Walter Bernard Alan Derek Colin Eric Gordon Trevor Clifford Cyril Roy"
)
_SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight"
)
_STAFF_FIRST = _words(
    "Sarah Emma Priya Grace Amara Chloe Olivia Fatima Joanna Lucy Megan Hannah Aisha Tom "
    "James Daniel Kwame Oliver Ben Ryan Marek Ewa Tendai Samuel"
)
_ROLE_PLAN = (
    ("care_assistant", 4),
    ("senior_carer", 2),
    ("nurse", 1),
    ("deputy_manager", 1),
    ("home_manager", 1),
)
_NOTE_TEXT = {
    "personal_care": (
        "Assisted with a full wash and dressing; skin intact, no redness noted.",
        "Supported with a shower; chose own clothes for the day.",
        "Oral care given, dentures cleaned and soaked overnight.",
    ),
    "food_fluid": (
        "Ate most of breakfast (porridge and toast) with a cup of tea.",
        "Lunch: shepherd's pie, about half eaten. Encouraged fluids.",
        "Drank a glass of squash and a cup of tea this afternoon.",
    ),
    "repositioning": (
        "Repositioned from left side to back. Pressure areas checked.",
        "Turned to right side; heels off-loaded with pillow.",
    ),
    "continence": ("Pad changed, dry and comfortable.", "Supported to the toilet, passed urine."),
    "sleep": ("Night check: asleep, breathing regular.", "Awake at 03:00, reassured, settled."),
    "mood": ("Bright and chatty this morning.", "Low in mood, talked about family; reassured."),
    "activity": ("Joined the singing group in the lounge.", "Enjoyed the garden walk."),
    "visit": ("Daughter visited for an hour; went well.", "Visited by the chaplain."),
}


_NICKNAMES = {
    "Margaret": "Peggy",
    "Dorothy": "Dot",
    "Patricia": "Pat",
    "Kathleen": "Kath",
    "Barbara": "Babs",
    "Valerie": "Val",
    "Sylvia": "Syl",
    "Kenneth": "Ken",
    "Ronald": "Ron",
    "Raymond": "Ray",
    "Leonard": "Len",
    "Albert": "Bert",
    "Bernard": "Bernie",
    "Geoffrey": "Geoff",
    "Frank": "Frankie",
    "Stanley": "Stan",
}


@dataclass(frozen=True)
class SeedRecord:
    entity: str
    record_id: str
    home_id: str | None
    resident_id: str | None
    fields: dict[str, Any]
    occurred_ms: int


@dataclass(frozen=True)
class DemoStaff:
    user_id: str
    username: str
    display_name: str
    role: str
    home_ids: tuple[str, ...]
    password: str


@dataclass
class DemoProvider:
    tenant_id: str
    tenant_name: str
    homes: list[SeedRecord] = field(default_factory=list)
    units: list[SeedRecord] = field(default_factory=list)
    staff: list[DemoStaff] = field(default_factory=list)
    residents: list[SeedRecord] = field(default_factory=list)
    days: int = 30
    events_per_resident_day: int = 6
    seed: int = 1
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    medicines: bool = True  # prescriptions, stock and homely remedies (shared.demo_medicines)

    def staff_records(self) -> list[SeedRecord]:
        now_ms = int(self.now.timestamp() * 1000)
        return [
            SeedRecord(
                "staff_user",
                s.user_id,
                s.home_ids[0] if s.home_ids else None,
                None,
                {
                    "username": s.username,
                    "display_name": s.display_name,
                    "role": s.role,
                    "home_ids": list(s.home_ids),
                    "active": True,
                },
                now_ms,
            )
            for s in self.staff
        ]

    def events(self) -> Iterator[SeedRecord]:
        """Notes and observations for every resident over ``days``, oldest first."""
        rng = random.Random(self.seed * 7919)
        start = self.now - dt.timedelta(days=self.days)
        carers = [s for s in self.staff if s.role in ("care_assistant", "senior_carer", "nurse")]
        for day in range(self.days):
            day_start = start + dt.timedelta(days=day)
            day_events = []
            for resident in self.residents:
                for slot in range(self.events_per_resident_day):
                    minutes = int((slot + rng.random()) * (24 * 60) / self.events_per_resident_day)
                    at = day_start + dt.timedelta(minutes=minutes)
                    day_events.append(self._event(rng, resident, at, carers))
            # Made resident by resident; every event of a day falls within that day.
            yield from sorted(day_events, key=lambda record: record.occurred_ms)

    def _event(
        self, rng: random.Random, resident: SeedRecord, at: dt.datetime, carers: list[DemoStaff]
    ) -> SeedRecord:
        record_id = str(uuid7_at(rng, int(at.timestamp() * 1000)))
        occurred = at.isoformat(timespec="seconds")
        if rng.random() < 0.2:
            values = {
                "respiration_rate": rng.choice((14, 16, 18, 20)),
                "spo2": rng.choice((94, 95, 96, 97, 98)),
                "spo2_scale": 1,
                "on_oxygen": False,
                "systolic_bp": rng.randint(105, 150),
                "diastolic_bp": rng.randint(60, 90),
                "pulse": rng.randint(58, 95),
                "consciousness": "A",
                "temperature": round(rng.uniform(36.1, 37.6), 1),
            }
            fields: dict[str, Any] = {"resident_id": resident.record_id, "values": values}
            fields["occurred_at"] = occurred
            return SeedRecord(
                "observation",
                record_id,
                resident.home_id,
                resident.record_id,
                fields,
                int(at.timestamp() * 1000),
            )
        category = rng.choice(tuple(_NOTE_TEXT))
        details: dict[str, Any] | None = None
        if category == "food_fluid":
            details = {"fluid_ml": rng.choice((100, 150, 200, 250)), "food": "some"}
        fields = {
            "resident_id": resident.record_id,
            "category": category,
            "text": rng.choice(_NOTE_TEXT[category]),
            "details": details,
            "occurred_at": occurred,
        }
        _ = carers
        return SeedRecord(
            "care_note",
            record_id,
            resident.home_id,
            resident.record_id,
            fields,
            int(at.timestamp() * 1000),
        )


def uuid7_at(rng: random.Random, ms: int) -> uuid.UUID:
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= rng.getrandbits(12) << 64
    value |= 0b10 << 62
    value |= rng.getrandbits(62)
    return uuid.UUID(int=value)


def _nhs_number(rng: random.Random, used: set[str]) -> str:
    while True:
        first_nine = "999" + f"{rng.randrange(10**6):06d}"
        digit = check_digit(first_nine)
        if digit is not None and first_nine not in used:
            used.add(first_nine)
            return first_nine + str(digit)


def generate_provider(
    *,
    tenant_name: str = "Oakwood Care Group",
    homes: tuple[tuple[str, str], ...] = (("Oakwood House", "england"), ("Bryn Hafod", "wales")),
    residents_per_home: int = 20,
    units_per_home: int = 2,
    days: int = 30,
    events_per_resident_day: int = 6,
    seed: int = 1,
    now: dt.datetime | None = None,
    medicines: bool = True,
) -> DemoProvider:
    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    now_ms = int(now.timestamp() * 1000)
    start_ms = now_ms - (days + 400) * 86_400_000

    def next_id() -> str:
        nonlocal start_ms
        start_ms += 1
        return str(uuid7_at(rng, start_ms))

    provider = DemoProvider(
        tenant_id=next_id(),
        tenant_name=tenant_name,
        days=days,
        events_per_resident_day=events_per_resident_day,
        seed=seed,
        now=now,
        medicines=medicines,
    )
    used_nhs: set[str] = set()
    used_usernames: set[str] = set()
    for home_name, nation in homes:
        home_id = next_id()
        provider.homes.append(
            SeedRecord(
                "home",
                home_id,
                home_id,
                None,
                {"name": home_name, "nation": nation, "address": f"1 {home_name} Lane"},
                now_ms,
            )
        )
        unit_ids = []
        for index in range(units_per_home):
            unit_id = next_id()
            unit_ids.append(unit_id)
            unit_name = ("Bluebell", "Primrose", "Heather", "Foxglove")[index % 4]
            provider.units.append(
                SeedRecord(
                    "unit", unit_id, home_id, None, {"name": unit_name, "home_id": home_id}, now_ms
                )
            )
        for role, count in _ROLE_PLAN:
            for _ in range(count):
                first = rng.choice(_STAFF_FIRST)
                last = rng.choice(_SURNAMES)
                base = f"{first}.{last}".lower()
                username = base
                n = 2
                while username in used_usernames:
                    username = f"{base}{n}"
                    n += 1
                used_usernames.add(username)
                provider.staff.append(
                    DemoStaff(
                        next_id(), username, f"{first} {last}", role, (home_id,), DEMO_PASSWORD
                    )
                )
        for index in range(residents_per_home):
            female = rng.random() < 0.68
            first = rng.choice(_FIRST_F if female else _FIRST_M)
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(365 * 20))
            unit_id = unit_ids[index % len(unit_ids)]
            fields: dict[str, Any] = {
                "first_name": first,
                "last_name": rng.choice(_SURNAMES),
                "preferred_name": _NICKNAMES.get(first, first) if rng.random() < 0.3 else first,
                "date_of_birth": birth.isoformat(),
                "nhs_number": _nhs_number(rng, used_nhs),
                "unit_id": unit_id,
                "room": str(index + 1),
                "status": "admitted",
                "allergies": rng.choice(("None known", "Penicillin", "Latex", "Shellfish", "")),
                "diet": rng.choice(("Normal", "Soft and bite-sized (IDDSI 6)", "Diabetic", "")),
                "fluid_target_ml": rng.choice((1500, 1600, 1800)),
                "dnacpr": rng.random() < 0.4,
                "falls_risk": rng.random() < 0.35,
                "gp": rng.choice(("Dr A. Shah, Riverside Surgery", "Dr M. Owen, Park Practice")),
                "next_of_kin": (
                    f"{rng.choice(_STAFF_FIRST)} (child), 07700 900{rng.randrange(1000):03d}"
                ),
                "communication": rng.choice(("Wears glasses", "Hard of hearing: left aid", "")),
                "religion": rng.choice(("Church of England", "Catholic", "Methodist", "None")),
                "about_me": "Worked as a teacher; loves brass band music and the garden.",
            }
            provider.residents.append(
                SeedRecord("resident", next_id(), home_id, None, fields, now_ms)
            )
    admin_id = next_id()
    provider.staff.append(
        DemoStaff(
            admin_id,
            "it.admin",
            "IT Administrator",
            "it_admin",
            tuple(h.record_id for h in provider.homes),
            DEMO_PASSWORD,
        )
    )
    return provider
