"""The medication safety rules, as every replica runs them: the same dose recorded twice, a
PRN limit broken across PCs, a dose after discontinuation, and a controlled-drug balance that
does not add up. Each raises one review item with an id every replica derives identically,
and never drops a record."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared import rules
from shared.entities import validate_fields
from shared.ids import stable_id
from shared.medication import ledger
from shared.medication import rules as medication_rules
from shared.medication.ledger import TAKEN, Event
from shared.medication.scheduling import PrnDose, prn_violations, slot_id_for
from shared.rules import AppliedChange, StoredRecord

DOSE = "medication_administration"
RESIDENT = str(uuid.UUID(int=1))
PRESCRIPTION = str(uuid.UUID(int=2))
_ids = itertools.count(100)


def new_id() -> str:
    return str(uuid.UUID(int=next(_ids)))


class Replica:
    """A replica's records, as the rules see them."""

    def __init__(self, *stored: StoredRecord) -> None:
        self.records = {r.record_id: r for r in stored}

    def add(
        self, entity: str, fields: dict[str, Any], record_id: str | None = None
    ) -> StoredRecord:
        record = StoredRecord(entity, record_id or new_id(), fields, {})
        self.records[record.record_id] = record
        return record

    def get_record(self, entity: str, record_id: str) -> StoredRecord | None:
        found = self.records.get(record_id)
        return found if found is not None and found.entity == entity else None

    def events_for_resident(self, entity: str, resident_id: str) -> list[StoredRecord]:
        return [
            r
            for r in self.records.values()
            if r.entity == entity and r.fields.get("resident_id") == resident_id
        ]

    def raise_for(self, record: StoredRecord, op: str = "create") -> list[rules.ReviewDraft]:
        change = AppliedChange(
            record.entity,
            record.record_id,
            op,
            record.fields,
            {},
            RESIDENT,
            "2024-06-01T12:00:00+00:00",
        )
        drafts = rules.run_rules(change, self)
        for draft in drafts:
            validate_fields("review_item", draft.fields, partial=False)
        return drafts


def prescription(kind: str = "daily", **extra: Any) -> StoredRecord:
    fields = {
        "resident_id": RESIDENT,
        "medicine": "Paracetamol",
        "strength": "500 mg",
        "schedule": {"kind": kind, "times": [] if kind == "prn" else ["08:00"]},
        "status": "active",
        "dose_quantity": 2,
        "prn_min_interval_minutes": 240,
        "prn_max_per_24h": 8,
        **extra,
    }
    return StoredRecord("prescription", PRESCRIPTION, fields, {})


def dose(at: str, **extra: Any) -> dict[str, Any]:
    return {
        "resident_id": RESIDENT,
        "prescription_id": PRESCRIPTION,
        "outcome": "given",
        "occurred_at": at,
        **extra,
    }


SLOT = slot_id_for(
    PRESCRIPTION, __import__("datetime").datetime.fromisoformat("2024-06-01T07:00:00+00:00")
)


def test_the_same_slot_recorded_on_two_pcs_raises_one_review_and_keeps_both() -> None:
    pc1, pc2 = Replica(prescription()), Replica(prescription())
    a = pc1.add("medication_administration", dose("2024-06-01T07:05:00+00:00", slot_id=SLOT))
    b = pc2.add("medication_administration", dose("2024-06-01T07:10:00+00:00", slot_id=SLOT))
    assert pc1.raise_for(a) == [] and pc2.raise_for(b) == []
    server = Replica(prescription(), a)
    server.records[b.record_id] = b
    first = server.raise_for(b)
    assert [d.fields["rule"] for d in first] == ["dose_recorded_twice"]
    assert "recorded 2 times" in first[0].fields["message"]
    # The other PC, learning of the first record, raises the same item (same id).
    again = Replica(prescription(), b, a).raise_for(a)
    assert [d.record_id for d in again] == [first[0].record_id]


def test_a_correction_is_not_a_second_dose() -> None:
    replica = Replica(prescription())
    a = replica.add("medication_administration", dose("2024-06-01T07:05:00+00:00", slot_id=SLOT))
    fix = replica.add(
        "medication_administration",
        dose(
            "2024-06-01T07:05:00+00:00",
            slot_id=SLOT,
            amends_id=a.record_id,
            amend_kind="entered_in_error",
        ),
    )
    assert replica.raise_for(fix) == []


def test_prn_doses_from_two_pcs_too_close_are_raised_for_the_later_one() -> None:
    server = Replica(prescription("prn"))
    early = server.add("medication_administration", dose("2024-06-01T08:00:00+00:00", quantity=2))
    late = server.add("medication_administration", dose("2024-06-01T09:00:00+00:00", quantity=2))
    # Whichever arrives last, the later dose is the one that broke the gap.
    for arriving in (early, late):
        drafts = server.raise_for(arriving)
        assert [(d.fields["rule"], d.fields["subject_id"]) for d in drafts] == [
            ("prn_limit_broken", late.record_id)
        ]
        assert "Too soon" in drafts[0].fields["message"]


def test_prn_24_hour_maximum_counts_every_pc() -> None:
    server = Replica(prescription("prn", prn_min_interval_minutes=None))
    doses = [
        server.add("medication_administration", dose(f"2024-06-01T{h:02d}:00:00+00:00", quantity=2))
        for h in (6, 10, 14, 18, 22)
    ]
    drafts = server.raise_for(doses[-1])
    assert [d.fields["subject_id"] for d in drafts] == [doses[-1].record_id]
    assert "24-hour maximum" in drafts[0].fields["message"]


def test_a_dose_after_discontinuation_is_raised_whichever_arrives_first() -> None:
    stopped = prescription(status="discontinued", discontinued_at="2024-06-01T09:00:00+00:00")
    replica = Replica(stopped)
    before = replica.add("medication_administration", dose("2024-06-01T08:00:00+00:00"))
    after = replica.add("medication_administration", dose("2024-06-01T10:00:00+00:00"))
    from_dose = replica.raise_for(after)
    from_stop = replica.raise_for(stopped, op="update")
    assert [d.fields["subject_id"] for d in from_dose] == [after.record_id]
    assert [d.record_id for d in from_stop] == [d.record_id for d in from_dose]
    assert before.record_id not in {d.fields["subject_id"] for d in from_stop}


def cd(kind: str, quantity: float, balance: float, at: str) -> dict[str, Any]:
    return {
        "resident_id": RESIDENT,
        "medicine": "Morphine sulfate",
        "strength": "10 mg/5 ml",
        "kind": kind,
        "quantity": quantity,
        "balance_after": balance,
        "witness_id": str(uuid.UUID(int=9)),
        "occurred_at": at,
    }


def test_cd_balance_that_does_not_add_up_after_merge() -> None:
    server = Replica()
    server.add("cd_register_entry", cd("receipt", 10, 10, "2024-06-01T07:00:00+00:00"))
    pc1 = server.add("cd_register_entry", cd("administration", 1, 9, "2024-06-01T08:00:00+00:00"))
    assert server.raise_for(pc1) == []
    pc2 = server.add("cd_register_entry", cd("administration", 1, 9, "2024-06-01T08:05:00+00:00"))
    drafts = server.raise_for(pc2)
    assert [(d.fields["rule"], d.fields["subject_id"]) for d in drafts] == [
        ("cd_balance_mismatch", pc2.record_id)
    ]
    assert "shows 9, but the register entries add up to 8" in drafts[0].fields["message"]


@given(st.permutations([1, 2]))
def test_review_ids_do_not_depend_on_arrival_order(concurrent: list[int]) -> None:
    """Entries 1 and 2 were made on two PCs from the same balance; entry 3 on a PC that had
    seen both (so it reaches the server after them, as sync guarantees)."""
    entries = [
        cd("receipt", 10, 10, "2024-06-01T07:00:00+00:00"),
        cd("administration", 1, 9, "2024-06-01T08:00:00+00:00"),
        cd("administration", 1, 9, "2024-06-01T08:05:00+00:00"),
        cd("administration", 2, 6, "2024-06-01T09:00:00+00:00"),
    ]
    ids = [str(uuid.UUID(int=500 + n)) for n in range(4)]
    replica = Replica()
    raised: list[str] = []
    for index in [0, *concurrent, 3]:
        record = replica.add("cd_register_entry", entries[index], ids[index])
        raised += [d.record_id for d in replica.raise_for(record)]
    assert len(raised) == 1  # one review, for the later of the two concurrent doses
    assert raised[0] == stable_id("cd_balance", ids[2])


# --- the events a rule reads ---------------------------------------------------------------
# A rule reads only the events it could need of a resident's growing history (the candidates
# of ``_events``, and PRN doses within two days): what it raises is what it raises reading
# every event, whatever amendments and corrections the history holds.

PRESCRIPTIONS = (PRESCRIPTION, str(uuid.UUID(int=3)))
SLOTS = (SLOT, str(uuid.UUID(int=4)))
START = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


@st.composite
def dose_histories(draw: st.DrawFn, prn: bool = False) -> list[StoredRecord]:
    """Doses over six days, some of them corrected or entered in error (an amendment may
    name a missing record, or another amendment). ``prn``: doses of one PRN medicine, many
    to a day, the last (the change) given in the last day of three."""
    history: list[StoredRecord] = []
    count = draw(st.integers(1, 40 if prn else 30))
    for n in range(count):
        minutes = draw(st.integers(0, (3 if prn else 6) * 24 * 60))
        if prn and n == count - 1:
            minutes = draw(st.integers(48 * 60, 72 * 60))
        fields = dose(
            (START + dt.timedelta(minutes=minutes)).isoformat(),
            prescription_id=PRESCRIPTION if prn else draw(st.sampled_from(PRESCRIPTIONS)),
            outcome=draw(st.sampled_from(["given", "given", "refused", "self_administered"])),
            quantity=draw(st.sampled_from([1.0, 2.0])),
        )
        if prn and n == count - 1:
            fields["outcome"] = "given"
        elif not prn and draw(st.booleans()):
            fields["slot_id"] = draw(st.sampled_from(SLOTS))
        if history and draw(st.integers(0, 3)) == 0:
            target = draw(st.sampled_from([*(r.record_id for r in history), new_id()]))
            fields["amends_id"] = target
            fields["amend_kind"] = draw(st.sampled_from(["amendment", "entered_in_error"]))
        history.append(StoredRecord(DOSE, str(uuid.UUID(int=10_000 + n)), fields, {}))
    return history


def _change(record: StoredRecord) -> AppliedChange:
    return AppliedChange(DOSE, record.record_id, "create", record.fields, {}, RESIDENT, "")


@given(dose_histories(), st.sampled_from(["slot", "prescription", "near"]))
def test_a_rule_reads_what_stands_of_every_event_it_wants(
    history: list[StoredRecord], want: str
) -> None:
    *stored, last = history
    replica = Replica(*stored)
    change = _change(last)
    at = ledger.occurred(last.fields)
    wanted: Callable[[Mapping[str, Any]], bool] = {
        "slot": lambda f: f.get("slot_id") == SLOTS[0],
        "prescription": lambda f: f.get("prescription_id") == PRESCRIPTIONS[0],
        "near": lambda f: abs(ledger.occurred(f) - at) < dt.timedelta(hours=30),
    }[want]
    every = {r.record_id: Event(r.record_id, r.fields) for r in stored}
    every.setdefault(last.record_id, Event(last.record_id, last.fields))
    expected = [e for e in ledger.live_events(every.values()) if wanted(e.fields)]
    assert medication_rules._events(replica, DOSE, RESIDENT, change, wanted) == expected


def _prn_reading_every_dose(change: AppliedChange, replica: Replica) -> list[tuple[str, str]]:
    """What ``prn_limit_broken`` raises judging every dose of the medicine (the rule before
    it read only the doses near the change): (subject, message) of each review."""
    limits = dict(prescription("prn").fields)
    every = {r.record_id: Event(r.record_id, r.fields) for r in replica.records.values()}
    every.setdefault(change.record_id, Event(change.record_id, change.fields))
    same = [
        e
        for e in ledger.live_events(every.values())
        if e.fields.get("outcome") in TAKEN
        and e.fields.get("prescription_id") == change.fields.get("prescription_id")
        and e.fields.get("homely_remedy_id") == change.fields.get("homely_remedy_id")
    ]
    doses = [
        PrnDose(e.record_id, ledger.occurred(e.fields), float(e.fields.get("quantity") or 2))
        for e in same
    ]
    at = ledger.occurred(change.fields)
    found = prn_violations(limits, doses)
    return [
        (d.record_id, found[d.record_id])
        for d in sorted(doses, key=lambda d: (d.given_at, d.record_id))
        if d.record_id in found and abs((d.given_at - at).total_seconds()) < 24 * 3600
    ]


@given(dose_histories(prn=True))
def test_prn_limits_raise_what_reading_every_dose_raises(history: list[StoredRecord]) -> None:
    *stored, last = history
    replica = Replica(prescription("prn"), *stored)
    change = _change(last)
    raised = medication_rules.prn_limit_broken(change, replica)
    expected = _prn_reading_every_dose(change, Replica(*stored))
    assert [(d.fields["subject_id"], d.fields["message"].split(": ", 1)[1]) for d in raised] == [
        (subject, why) for subject, why in expected
    ]
