"""The demo provider's medicines: deterministic, valid, and covering what the eMAR shows
(regular, time-critical, PRN with limits, controlled drugs with register stock, low stock,
homely remedies)."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

from shared.demo_data import DemoProvider, SeedRecord, generate_provider
from shared.demo_medicines import CYCLE_DAYS, medicine_records
from shared.entities import validate_fields
from shared.medication.ledger import Event, cd_balance
from shared.medication.scheduling import UK, check_schedule, doses_per_day

NOW = dt.datetime(2024, 3, 31, 12, 0, tzinfo=dt.UTC)


@functools.cache
def provider(seed: int = 1) -> DemoProvider:
    return generate_provider(residents_per_home=6, days=1, seed=seed, now=NOW)


def of(entity: str, p: DemoProvider | None = None) -> list[SeedRecord]:
    return [r for r in medicine_records(p or provider()) if r.entity == entity]


def test_the_same_seed_and_time_make_the_same_medicines() -> None:
    again = generate_provider(residents_per_home=6, days=1, seed=1, now=NOW)
    assert medicine_records(again) == medicine_records(provider())
    assert medicine_records(provider(2)) != medicine_records(provider())


def test_a_provider_without_medicines_has_none() -> None:
    bare = generate_provider(residents_per_home=2, days=0, now=NOW, medicines=False)
    assert medicine_records(bare) == []


def test_every_record_is_valid_and_every_schedule_is_understood() -> None:
    for record in medicine_records(provider()):
        validate_fields(record.entity, record.fields, partial=False)
    for p in of("prescription"):
        check_schedule(p.fields["schedule"])
        assert p.fields["start_date"] == NOW.astimezone(UK).date().isoformat()
        assert p.resident_id == p.fields["resident_id"]


def test_every_resident_has_regular_medicines_and_half_or_so_have_prn() -> None:
    p = provider()
    regular = Counter(
        r.resident_id for r in of("prescription") if r.fields["schedule"]["kind"] == "daily"
    )
    assert set(regular) == {r.record_id for r in p.residents}
    assert min(regular.values()) >= 2
    prn = [r for r in of("prescription") if r.fields["schedule"]["kind"] == "prn"]
    assert prn
    for record in prn:
        assert record.fields["prn_max_per_24h"] > 0
        assert record.fields["prn_min_interval_minutes"] == 240


def test_the_first_resident_of_each_unit_has_a_time_critical_medicine() -> None:
    p = provider()
    critical = {r.resident_id for r in of("prescription") if r.fields.get("time_critical")}
    units_covered = {r.fields["unit_id"] for r in p.residents if r.record_id in critical}
    assert units_covered == {u.record_id for u in p.units}


def test_each_home_has_controlled_drugs_with_stock_in_the_register() -> None:
    p = provider()
    controlled = [r for r in of("prescription") if r.fields.get("controlled_drug")]
    assert Counter(r.home_id for r in controlled) == {h.record_id: 2 for h in p.homes}
    entries = of("cd_register_entry")
    for prescription in controlled:
        page = [e for e in entries if e.fields["prescription_id"] == prescription.record_id]
        assert [e.fields["kind"] for e in page] == ["receipt"]
        assert cd_balance([Event(e.record_id, e.fields) for e in page]) > 0
        staff = {s.user_id for s in p.staff if prescription.home_id in s.home_ids}
        assert page[0].fields["witness_id"] in staff


def test_stock_lasts_the_cycle_except_one_low_medicine_a_home() -> None:
    p = provider()
    by_id = {r.record_id: r for r in of("prescription")}
    low = []
    for receipt in of("stock_event"):
        prescription = by_id[receipt.fields["prescription_id"]]
        per_day = doses_per_day(prescription.fields) * prescription.fields["dose_quantity"]
        if per_day and receipt.fields["quantity"] < per_day * 7:
            low.append(prescription.home_id)
        elif per_day:
            assert receipt.fields["quantity"] == per_day * CYCLE_DAYS
    assert Counter(low) == {h.record_id: 1 for h in p.homes}


def test_each_home_has_homely_remedies_signed_off_by_the_gp() -> None:
    p = provider()
    remedies = of("homely_remedy")
    assert Counter(r.home_id for r in remedies) == {h.record_id: 3 for h in p.homes}
    for remedy in remedies:
        assert remedy.fields["active"] and remedy.fields["gp_name"]
        assert remedy.fields["gp_signed_off_on"] < NOW.date().isoformat()
