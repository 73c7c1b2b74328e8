"""Pushing batches: idempotent replays, lost batches, the checks every change must pass (each
refusal with its own code, and the whole batch refused), per-field merge with review items,
and the safety rules that run at merge."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.ids import new_id
from shared.protocol import Change, RecordState
from syncserver import tenancy
from syncserver.db.engine import Database
from tests.helpers.server import (
    ChangeMaker,
    Enrol,
    EnrolledDevice,
    audit_rows,
    footprint,
    hlc_at,
    now_iso,
    pull_all,
    push,
    push_ok,
    residents_of,
    staff_of,
    stored_record,
)


@dataclass(frozen=True)
class Scene:
    """The people and records a push test needs, from the demo provider."""

    provider: DemoProvider
    db: Database
    home_a: str
    home_b: str
    carer: str  # care assistant of home A (user id)
    senior: str  # senior carer of home A
    manager: str  # home manager of home A
    resident: str  # a resident of home A
    resident_b: str  # a resident of home B


@pytest.fixture
def scene(seeded_db: Database, demo_provider: DemoProvider, home_a: str, home_b: str) -> Scene:
    return Scene(
        demo_provider,
        seeded_db,
        home_a,
        home_b,
        staff_of(demo_provider, "care_assistant", home_a).user_id,
        staff_of(demo_provider, "senior_carer", home_a).user_id,
        staff_of(demo_provider, "home_manager", home_a).user_id,
        residents_of(demo_provider, home_a)[0].record_id,
        residents_of(demo_provider, home_b)[0].record_id,
    )


def _versions(scene: Scene, record_id: str) -> dict[str, str]:
    stored = stored_record(scene.db, scene.provider.tenant_id, record_id)
    assert stored is not None
    return stored.versions


# --- idempotency and order -----------------------------------------------------------------


def test_a_pushed_note_is_stored_and_acknowledged(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    note = ChangeMaker().note(scene.resident, scene.carer, "Ate well at lunch.")
    result = push_ok(client, pc_a.headers, [note])
    assert (result.applied, result.duplicates, result.acknowledged_seq) == (1, 0, 1)
    stored = stored_record(scene.db, scene.provider.tenant_id, note.record_id)
    assert stored is not None
    assert stored.entity == "care_note"
    assert stored.home_id == scene.home_a  # the home comes from the PC, not the payload
    assert stored.fields["text"] == "Ate well at lunch."
    assert stored.server_seq == result.server_seq
    created = audit_rows(scene.db, scene.provider.tenant_id, "change.create")
    assert [r.subject for r in created] == [f"care_note:{note.record_id}"]
    assert "Ate well" not in str(created[0].detail)  # the audit holds a hash, not the text


def test_replaying_a_batch_is_idempotent(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    batch = [maker.note(scene.resident, scene.carer, f"note {i}") for i in range(3)]
    first = push_ok(client, pc_a.headers, batch)
    after_first = footprint(scene.db, scene.provider.tenant_id)
    again = push_ok(client, pc_a.headers, batch)  # the response was lost; the PC retries
    assert (first.applied, first.duplicates) == (3, 0)
    assert (again.applied, again.duplicates, again.acknowledged_seq) == (0, 3, 3)
    assert again.server_seq == first.server_seq
    assert footprint(scene.db, scene.provider.tenant_id) == after_first


def test_a_retry_with_more_changes_stores_only_the_new_ones(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    batch = [maker.note(scene.resident, scene.carer, f"note {i}") for i in range(2)]
    push_ok(client, pc_a.headers, batch)
    extra = maker.note(scene.resident, scene.carer, "note 2")
    result = push_ok(client, pc_a.headers, [*batch, extra])
    assert (result.applied, result.duplicates, result.acknowledged_seq) == (1, 2, 3)
    records, _ = pull_all(client, pc_a.headers)
    ids = [r.record_id for r in records]
    assert len(ids) == len(set(ids))
    assert {c.record_id for c in [*batch, extra]} <= set(ids)


@pytest.mark.parametrize("acked_first", [0, 2])
def test_a_gap_in_device_sequence_is_refused(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice, acked_first: int
) -> None:
    maker = ChangeMaker()
    if acked_first:
        push_ok(client, pc_a.headers, [maker.note(scene.resident, scene.carer) for _ in range(2)])
    before = footprint(scene.db, scene.provider.tenant_id)
    maker.seq += 1  # one batch was lost on the way
    response = push(client, pc_a.headers, [maker.note(scene.resident, scene.carer)])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "sequence_gap"
    assert body["detail"] == {"expected_seq": acked_first + 1, "got_seq": acked_first + 2}
    assert footprint(scene.db, scene.provider.tenant_id) == before


def test_a_batch_is_applied_in_device_order_whatever_order_it_arrives_in(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    batch = [maker.note(scene.resident, scene.carer, f"note {i}") for i in range(3)]
    result = push_ok(client, pc_a.headers, list(reversed(batch)))
    assert (result.applied, result.acknowledged_seq) == (3, 3)
    stored = [stored_record(scene.db, scene.provider.tenant_id, c.record_id) for c in batch]
    seqs = [s.server_seq for s in stored if s is not None]
    assert len(seqs) == 3
    assert seqs == sorted(seqs)


def test_a_change_id_reused_under_a_new_sequence_number_is_refused(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    first = maker.note(scene.resident, scene.carer)
    push_ok(client, pc_a.headers, [first])
    before = footprint(scene.db, scene.provider.tenant_id)
    reused = maker.note(scene.resident, scene.carer).model_copy(
        update={"change_id": first.change_id}
    )
    response = push(client, pc_a.headers, [reused])
    assert response.status_code == 409
    assert response.json()["code"] == "change_id_reused"
    assert footprint(scene.db, scene.provider.tenant_id) == before


def test_a_change_id_twice_in_one_batch_is_refused(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    first = maker.note(scene.resident, scene.carer)
    twin = maker.note(scene.resident, scene.carer).model_copy(update={"change_id": first.change_id})
    before = footprint(scene.db, scene.provider.tenant_id)
    response = push(client, pc_a.headers, [first, twin])
    assert response.status_code == 409
    assert response.json()["code"] == "change_id_reused"
    assert footprint(scene.db, scene.provider.tenant_id) == before


def test_an_empty_batch_changes_nothing(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    before = footprint(scene.db, scene.provider.tenant_id)
    result = push_ok(client, pc_a.headers, [])
    assert (result.applied, result.duplicates, result.acknowledged_seq) == (0, 0, 0)
    assert footprint(scene.db, scene.provider.tenant_id) == before


# --- refusals: each with its code, and the whole batch refused ------------------------------

BadChange = Callable[[ChangeMaker, Scene, dict[str, str], DemoProvider], Change]


def _update(
    maker: ChangeMaker, user: str, entity: str, record: str, fields: dict[str, object]
) -> Change:
    return maker.update(entity, record, user, dict(fields), {})


def _seeded_note(scene: Scene) -> str:
    return next(
        e.record_id
        for e in scene.provider.events()
        if e.entity == "care_note" and e.home_id == scene.home_a
    )


REFUSALS: dict[str, tuple[int, str, BadChange]] = {
    "unknown_entity": (
        400,
        "unknown_entity",
        lambda m, s, v, o: m.change("medication_magic", new_id(), "create", {}, s.carer),
    ),
    "reference_entity_home": (
        403,
        "read_only",
        lambda m, s, v, o: _update(m, s.manager, "home", s.home_a, {"name": "Renamed"}),
    ),
    "reference_entity_staff": (
        403,
        "read_only",
        lambda m, s, v, o: _update(m, s.manager, "staff_user", s.carer, {"role": "nurse"}),
    ),
    "invalid_choice": (
        400,
        "invalid_field",
        lambda m, s, v, o: m.note(s.resident, s.carer, category="gossip"),
    ),
    "unknown_field": (
        400,
        "invalid_field",
        lambda m, s, v, o: m.note(s.resident, s.carer, mood_score=7),
    ),
    "missing_required_field": (
        400,
        "invalid_field",
        lambda m, s, v, o: m.change(
            "care_note",
            new_id(),
            "create",
            {"resident_id": s.resident, "category": "sleep"},
            s.carer,
        ),
    ),
    "wrong_type": (
        400,
        "invalid_field",
        lambda m, s, v, o: m.update(
            "resident", s.resident, s.carer, {"fluid_target_ml": "lots"}, v
        ),
    ),
    "carer_changes_status": (
        403,
        "permission_denied",
        lambda m, s, v, o: m.update("resident", s.resident, s.carer, {"status": "discharged"}, v),
    ),
    "carer_changes_nhs_number": (
        403,
        "permission_denied",
        lambda m, s, v, o: m.update(
            "resident", s.resident, s.carer, {"nhs_number": "9990000018"}, v
        ),
    ),
    "carer_creates_resident": (
        403,
        "permission_denied",
        lambda m, s, v, o: m.change(
            "resident",
            new_id(),
            "create",
            {
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": "1940-01-01",
                "unit_id": new_id(),
                "status": "admitted",
            },
            s.carer,
        ),
    ),
    "resident_of_another_home": (
        403,
        "not_found",
        lambda m, s, v, o: m.update("resident", s.resident_b, s.carer, {"diet": "Soft"}, {}),
    ),
    "note_for_resident_of_another_home": (
        403,
        "not_found",
        lambda m, s, v, o: m.note(s.resident_b, s.carer),
    ),
    "resident_of_another_tenant": (
        403,
        "not_found",
        lambda m, s, v, o: m.update(
            "resident", o.residents[0].record_id, s.carer, {"diet": "Soft"}, {}
        ),
    ),
    "note_for_resident_of_another_tenant": (
        403,
        "not_found",
        lambda m, s, v, o: m.note(o.residents[0].record_id, s.carer),
    ),
    "author_of_another_tenant": (
        403,
        "unknown_user",
        lambda m, s, v, o: m.note(s.resident, o.staff[0].user_id),
    ),
    "update_of_a_clinical_note": (
        400,
        "append_only",
        lambda m, s, v, o: m.update("care_note", _seeded_note(s), s.carer, {"text": "x"}, {}),
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_change_refuses_the_whole_batch_with_its_code(
    client: TestClient,
    scene: Scene,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
    case: str,
) -> None:
    status, code, make_bad = REFUSALS[case]
    maker = ChangeMaker()
    good = maker.note(scene.resident, scene.carer, "A good note before the bad change.")
    versions = _versions(scene, scene.resident)
    bad = make_bad(maker, scene, versions, other_provider)
    before = footprint(scene.db, scene.provider.tenant_id)
    other_before = footprint(scene.db, other_provider.tenant_id)

    response = push(client, pc_a.headers, [good, bad])

    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["detail"]["device_seq"] == bad.device_seq
    assert footprint(scene.db, scene.provider.tenant_id) == before
    assert footprint(scene.db, other_provider.tenant_id) == other_before
    assert stored_record(scene.db, scene.provider.tenant_id, good.record_id) is None
    refused = audit_rows(scene.db, scene.provider.tenant_id, "push.refused")
    assert [r.detail["code"] for r in refused] == [code]
    assert [r.device_id for r in refused] == [pc_a.device_id]


def test_after_a_refusal_the_pc_can_push_the_good_changes(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    good = maker.note(scene.resident, scene.carer)
    bad = maker.note(scene.resident, scene.carer, category="gossip")
    assert push(client, pc_a.headers, [good, bad]).status_code == 400
    result = push_ok(client, pc_a.headers, [good])
    assert (result.applied, result.acknowledged_seq) == (1, 1)


def test_a_senior_may_change_what_a_carer_may_not(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    versions = _versions(scene, scene.resident)
    change = ChangeMaker().update(
        "resident", scene.resident, scene.senior, {"room": "12A"}, {"room": versions["room"]}
    )
    push_ok(client, pc_a.headers, [change])
    stored = stored_record(scene.db, scene.provider.tenant_id, scene.resident)
    assert stored is not None and stored.fields["room"] == "12A"


def test_a_disabled_author_still_has_offline_work_kept(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    carer = staff_of(scene.provider, "care_assistant", scene.home_a)
    with scene.db.writer.begin() as conn:
        tenancy.set_user_active(conn, scene.provider.tenant_id, carer.username, False)
    result = push_ok(client, pc_a.headers, [ChangeMaker().note(scene.resident, scene.carer)])
    assert result.applied == 1


# --- merging mutable records ----------------------------------------------------------------


def _review_items(records: list[RecordState]) -> list[dict[str, Any]]:
    return [r.fields for r in records if r.entity == "review_item"]


@pytest.mark.parametrize("arrival", ["winner_first", "winner_last"])
def test_concurrent_edits_of_one_field_keep_both_values_and_raise_one_review(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
    arrival: str,
) -> None:
    base = _versions(scene, scene.resident)["diet"]
    now_ms = int(time.time() * 1000)
    later = ChangeMaker("pc-a").update(
        "resident",
        scene.resident,
        scene.carer,
        {"diet": "Soft"},
        {"diet": base},
        hlc=hlc_at(now_ms + 2000, 0, "pc-a"),
    )
    earlier = ChangeMaker("pc-a2").update(
        "resident",
        scene.resident,
        scene.senior,
        {"diet": "Diabetic"},
        {"diet": base},
        hlc=hlc_at(now_ms + 1000, 0, "pc-a2"),
    )
    order = [(pc_a, later), (pc_a2, earlier)]
    if arrival == "winner_last":
        order.reverse()
    first = push_ok(client, order[0][0].headers, [order[0][1]])
    second = push_ok(client, order[1][0].headers, [order[1][1]])
    assert (first.review_items, second.review_items) == (0, 1)

    stored = stored_record(scene.db, scene.provider.tenant_id, scene.resident)
    assert stored is not None
    assert stored.fields["diet"] == "Soft"  # the greater clock wins, whatever arrives first
    for pc in (pc_a, pc_a2):
        records, _ = pull_all(client, pc.headers)
        reviews = _review_items(records)
        assert len(reviews) == 1
        review = reviews[0]
        assert review["rule"] == "same_field_edited_concurrently"
        assert (review["subject_id"], review["field"]) == (scene.resident, "diet")
        assert review["resident_id"] == scene.resident
        assert review["values"] == [
            {"value": "Soft", "version": stored.versions["diet"], "shown": True},
            {"value": "Diabetic", "version": f"{earlier.hlc}|{earlier.change_id}", "shown": False},
        ]
        pulled_resident = next(r for r in records if r.record_id == scene.resident)
        assert pulled_resident.fields["diet"] == "Soft"


def test_every_arrival_order_shows_the_same_value(
    client: TestClient, scene: Scene, enrol: Enrol
) -> None:
    """Three PCs change one field without seeing each other: whatever order their pushes
    arrive in, the server shows the same value (the greatest version) and keeps the others
    in review items."""
    pcs = [enrol(scene.home_a, f"PC {i}") for i in range(3)]
    makers = [ChangeMaker(f"pc{i}") for i in range(3)]
    unit = next(u.record_id for u in scene.provider.units if u.home_id == scene.home_a)
    admin = ChangeMaker("admin")
    admin_pc = enrol(scene.home_a, "Admin PC")
    now_ms = int(time.time() * 1000)
    diets = ["Soft", "Pureed", "Diabetic"]
    shown: set[str] = set()
    for order in itertools.permutations(range(3)):
        resident = admin.change(
            "resident",
            new_id(),
            "create",
            {
                "first_name": "Ivy",
                "last_name": "Order",
                "date_of_birth": "1931-05-04",
                "unit_id": unit,
                "status": "admitted",
                "diet": "Normal",
            },
            scene.senior,
        )
        push_ok(client, admin_pc.headers, [resident])
        base = f"{resident.hlc}|{resident.change_id}"
        edits = [
            makers[i].update(
                "resident",
                resident.record_id,
                scene.carer,
                {"diet": diets[i]},
                {"diet": base},
                hlc=hlc_at(now_ms + 1000 * (i + 1), 0, f"pc{i}"),
            )
            for i in range(3)
        ]
        raised = sum(push_ok(client, pcs[i].headers, [edits[i]]).review_items for i in order)
        assert raised == 2, order
        stored = stored_record(scene.db, scene.provider.tenant_id, resident.record_id)
        assert stored is not None
        shown.add(stored.fields["diet"])
    assert shown == {"Diabetic"}  # the edit with the greatest clock, in all six orders


def test_concurrent_edits_of_different_fields_merge_silently(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    versions = _versions(scene, scene.resident)
    diet = ChangeMaker("pc-a").update(
        "resident", scene.resident, scene.carer, {"diet": "Soft"}, {"diet": versions["diet"]}
    )
    allergies = ChangeMaker("pc-a2").update(
        "resident",
        scene.resident,
        scene.carer,
        {"allergies": "Latex"},
        {"allergies": versions["allergies"]},
    )
    assert push_ok(client, pc_a.headers, [diet]).review_items == 0
    assert push_ok(client, pc_a2.headers, [allergies]).review_items == 0
    stored = stored_record(scene.db, scene.provider.tenant_id, scene.resident)
    assert stored is not None
    assert (stored.fields["diet"], stored.fields["allergies"]) == ("Soft", "Latex")
    records, _ = pull_all(client, pc_a.headers)
    assert _review_items(records) == []


def test_a_sequential_edit_after_seeing_the_last_one_is_no_conflict(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    versions = _versions(scene, scene.resident)
    push_ok(
        client,
        pc_a.headers,
        [
            ChangeMaker("a").update(
                "resident",
                scene.resident,
                scene.carer,
                {"diet": "Soft"},
                {"diet": versions["diet"]},
            )
        ],
    )
    seen = _versions(scene, scene.resident)["diet"]
    result = push_ok(
        client,
        pc_a2.headers,
        [
            ChangeMaker("b").update(
                "resident", scene.resident, scene.carer, {"diet": "Normal"}, {"diet": seen}
            )
        ],
    )
    assert result.review_items == 0
    stored = stored_record(scene.db, scene.provider.tenant_id, scene.resident)
    assert stored is not None and stored.fields["diet"] == "Normal"


# --- safety rules at merge ------------------------------------------------------------------


def _discharge(client: TestClient, scene: Scene, pc: EnrolledDevice) -> None:
    versions = _versions(scene, scene.resident)
    push_ok(
        client,
        pc.headers,
        [
            ChangeMaker("senior").update(
                "resident",
                scene.resident,
                scene.senior,
                {"status": "discharged"},
                {"status": versions["status"]},
            )
        ],
    )


def test_a_note_for_a_discharged_resident_is_kept_and_raises_a_review(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    _discharge(client, scene, pc_a2)
    note = ChangeMaker("a").note(scene.resident, scene.carer, "Written before hearing of it.")
    result = push_ok(client, pc_a.headers, [note])
    assert (result.applied, result.review_items) == (1, 1)
    assert stored_record(scene.db, scene.provider.tenant_id, note.record_id) is not None
    records, _ = pull_all(client, pc_a2.headers)
    reviews = _review_items(records)
    assert len(reviews) == 1
    assert reviews[0]["rule"] == "recorded_after_discharge"
    assert (reviews[0]["subject_entity"], reviews[0]["subject_id"]) == ("care_note", note.record_id)
    assert reviews[0]["resident_id"] == scene.resident
    raised = audit_rows(scene.db, scene.provider.tenant_id, "review.raised")
    assert [r.detail["rule"] for r in raised] == ["recorded_after_discharge"]


def test_repeated_edits_of_a_discharged_resident_raise_one_review_and_are_kept(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    versions = _versions(scene, scene.resident)  # what PC A saw before
    _discharge(client, scene, pc_a2)
    maker = ChangeMaker("a")
    first = push_ok(
        client,
        pc_a.headers,
        [
            maker.update(
                "resident",
                scene.resident,
                scene.carer,
                {"diet": "Soft"},
                {"diet": versions["diet"]},
            )
        ],
    )
    second = push_ok(
        client,
        pc_a.headers,
        [
            maker.update(
                "resident",
                scene.resident,
                scene.carer,
                {"allergies": "Latex"},
                {"allergies": versions["allergies"]},
            )
        ],
    )
    assert (first.review_items, second.review_items) == (1, 0)
    stored = stored_record(scene.db, scene.provider.tenant_id, scene.resident)
    assert stored is not None
    assert (stored.fields["diet"], stored.fields["allergies"]) == ("Soft", "Latex")
    records, _ = pull_all(client, pc_a.headers)
    assert [r["rule"] for r in _review_items(records)] == ["recorded_after_discharge"]


def test_a_note_for_an_admitted_resident_raises_nothing(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    result = push_ok(client, pc_a.headers, [ChangeMaker().note(scene.resident, scene.carer)])
    assert result.review_items == 0


def test_the_same_event_pushed_by_two_pcs_is_stored_once(
    client: TestClient,
    scene: Scene,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    note = ChangeMaker("a").note(scene.resident, scene.carer, "First words stand.")
    push_ok(client, pc_a.headers, [note])
    copy = ChangeMaker("b").change(
        "care_note",
        note.record_id,
        "create",
        {**note.fields, "text": "Second words."},
        scene.carer,
    )
    push_ok(client, pc_a2.headers, [copy])
    stored = stored_record(scene.db, scene.provider.tenant_id, note.record_id)
    assert stored is not None and stored.fields["text"] == "First words stand."
    records, _ = pull_all(client, pc_a.headers)
    assert [r.record_id for r in records].count(note.record_id) == 1


def test_an_amendment_is_a_new_event_linked_to_the_old(
    client: TestClient, scene: Scene, pc_a: EnrolledDevice
) -> None:
    maker = ChangeMaker()
    note = maker.note(scene.resident, scene.carer, "Drank 200 ml.")
    amendment = maker.note(
        scene.resident,
        scene.carer,
        "Drank 250 ml.",
        amends_id=note.record_id,
        amend_kind="amendment",
        amend_reason="Miscounted",
        occurred_at=now_iso(),
    )
    push_ok(client, pc_a.headers, [note, amendment])
    original = stored_record(scene.db, scene.provider.tenant_id, note.record_id)
    amended = stored_record(scene.db, scene.provider.tenant_id, amendment.record_id)
    assert original is not None and original.fields["text"] == "Drank 200 ml."
    assert amended is not None and amended.fields["amends_id"] == note.record_id
