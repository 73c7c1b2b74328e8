"""4. Clock faults: PCs whose clocks are a day fast or a day slow, and clocks that jump
backwards in the middle of a session. Hybrid logical clocks must keep each PC's own records in
order, a sequential edit must win over the value its author saw, concurrent edits must keep
both values and show the same one everywhere, and the skew must be recorded for IT."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from desktop.services.context import AppContext
from desktop.services.notes import NoteService
from desktop.services.session import SessionService
from syncserver.db.engine import Database
from tests.helpers.server import make_app, open_migrated
from tests.helpers.sync_world import Tenant, make_tenant
from tests.reliability.clocks import DAY_MS, HOUR_MS, ClockPc, Wall, field_writes
from tests.reliability.profile import Profile
from tests.reliability.results import Result
from tests.reliability.world import (
    RetryStats,
    State,
    check_tenant,
    device_skew_ms,
    enrol_pc,
    replica,
    sync_with_retry,
)

FIELDS = {
    "room": ["1", "2", "12A", "7"],
    "diet": ["Normal", "Soft", "Diabetic"],
    "allergies": ["None known", "Penicillin", "Latex"],
}
JUMPS = (-DAY_MS, -HOUR_MS, -5 * 60_000, DAY_MS, 0)
SKEW_TOLERANCE_MS = 60_000


@dataclass
class Server:
    db: Database
    http: TestClient


@pytest.fixture
def server(server_url: str) -> Iterator[Server]:
    db = open_migrated(server_url)
    try:
        with TestClient(make_app(db)) as http:
            yield Server(db, http)
    finally:
        db.dispose()


class ClockWorld:
    def __init__(self, server: Server, root: Path, rng: random.Random, pcs: int) -> None:
        self.server = server
        self.rng = rng
        self.tenant = make_tenant(server.db, residents=2)
        self.saved: set[str] = set()
        self.stats = RetryStats()
        self.jumps = 0
        self.backwards = 0
        self.order_problems: list[str] = []
        self.pcs: list[ClockPc] = []
        for index in range(pcs):
            context = enrol_pc(
                server.db,
                "http://testserver",
                self.tenant,
                root / f"pc{index}",
                root / "keys",
                http=server.http,
            )
            pc = ClockPc(f"pc{index}", context, Wall(rng.choice(JUMPS)), server.http)
            pc.set_clock()
            self.pcs.append(pc)

    def sync(self, pc: ClockPc) -> None:
        sync_with_retry(pc.context, self.rng, stats=self.stats, make_client=pc.client)

    def step(self) -> None:
        pc = self.rng.choice(self.pcs)
        action = self.rng.choice(["note", "note", "amend", "edit", "edit", "sync", "sync", "jump"])
        if action == "note":
            self.saved.add(pc.note(self.tenant, self.rng.randrange(2), "Comfortable."))
        elif action == "amend":
            notes = pc.originals()
            if notes:
                amendment, hlc, earlier = pc.amend(
                    self.tenant, self.rng.choice(notes), f"Corrected {self.rng.random():.6f}"
                )
                self.saved.add(amendment)
                if not all(hlc > before for before in earlier):
                    self.order_problems.append(f"{pc.name}: amendment {hlc} not after {earlier}")
        elif action == "edit":
            name = self.rng.choice(sorted(FIELDS))
            pc.edit(self.tenant, self.rng.randrange(2), name, self.rng.choice(FIELDS[name]))
        elif action == "sync":
            self.sync(pc)
        else:
            new = self.rng.choice([*JUMPS, self.rng.randint(-DAY_MS, DAY_MS)])
            self.jumps += 1
            self.backwards += new < pc.wall.offset_ms
            pc.wall.offset_ms = new

    def converge(self) -> None:
        for _ in range(2):
            for pc in self.pcs:
                self.sync(pc)

    def close(self) -> None:
        for pc in self.pcs:
            pc.context.close()


def merge_problems(db: Database, tenant: Tenant, state: State) -> list[str]:
    """Every field shows the greatest version written to it; a write based on a version it
    saw carries a greater version (so a sequential edit is never mistaken for a concurrent
    one); and a value no longer shown was either seen by a later writer or is kept in a
    review item."""
    problems = []
    writes = field_writes(db, tenant.tenant_id)
    greatest: dict[tuple[str, str], str] = {}
    seen = {(w.record_id, w.field, w.base) for w in writes if w.base}
    for w in writes:
        key = (w.record_id, w.field)
        greatest[key] = max(greatest.get(key, ""), w.version)
        if w.base is not None and not w.version > w.base:
            problems.append(f"{w.field}: write {w.version} is not after the version it saw")
    in_reviews: set[tuple[str, str, str | None]] = set()
    for entity, fields, _versions in state.values():
        if entity == "review_item" and fields.get("field"):
            for item in fields.get("values") or []:
                in_reviews.add((fields["subject_id"], fields["field"], item["version"]))
    for (record_id, name), version in greatest.items():
        shown = state[record_id][2].get(name)
        if shown != version:
            problems.append(f"{name} of {record_id} shows {shown}, not the latest {version}")
    # A value counts as seen if any write of that value was seen or is kept in a review:
    # two people may write the same value, and a third may change it having seen either.
    accounted = {
        (w.record_id, w.field, json.dumps(w.value, sort_keys=True))
        for w in writes
        if (w.record_id, w.field, w.version) in seen | in_reviews
    }
    for w in writes:
        if state[w.record_id][1].get(w.field) == w.value:
            continue
        if (w.record_id, w.field, json.dumps(w.value, sort_keys=True)) not in accounted:
            problems.append(f"{w.field}={w.value!r} ({w.version}) vanished without a review")
    return problems


@pytest.mark.short_backends("sqlite")
def test_skewed_and_jumping_clocks_keep_order_and_merge(
    server: Server, tmp_path: Path, profile: Profile, rng: random.Random, result: Result
) -> None:
    problems: list[str] = []
    divergent = lost = duplicates = written = jumps = backwards = 0
    skew_misses: list[str] = []
    for index in range(profile.clock_worlds):
        world = ClockWorld(server, tmp_path / f"world{index}", rng, pcs=3)
        try:
            for _ in range(profile.clock_steps):
                world.step()
            world.converge()
            home = world.tenant.home_id
            tally = check_tenant(
                server.db,
                world.tenant,
                world.saved,
                [(pc.name, home, replica(pc.context)) for pc in world.pcs],
            )
            state = replica(world.pcs[0].context)
            problems += tally.problems + world.order_problems
            problems += merge_problems(server.db, world.tenant, state)
            for pc in world.pcs:
                if pc.hlcs != sorted(pc.hlcs) or len(set(pc.hlcs)) != len(pc.hlcs):
                    problems.append(f"{pc.name}'s own clocks went backwards: {pc.hlcs}")
                skew = device_skew_ms(server.db, pc.context.device.device_id)
                if skew is None or abs(skew + (pc.offset_at_sync or 0)) > SKEW_TOLERANCE_MS:
                    skew_misses.append(f"{pc.name}: offset {pc.offset_at_sync}, recorded {skew}")
            notes = [NoteService(pc.context, SessionService(pc.context)) for pc in world.pcs]
            for original in world.pcs[0].originals():
                texts = {service.current_text(original) for service in notes}
                if len(texts) != 1:
                    problems.append(f"the PCs show different versions of {original}: {texts}")
        finally:
            world.close()
        divergent += tally.divergent
        lost += tally.lost
        duplicates += tally.duplicates
        written += tally.written
        jumps += world.jumps
        backwards += world.backwards
    result.trials = profile.clock_worlds * profile.clock_steps
    result.faults = jumps
    result.written = written
    result.lost, result.duplicates, result.divergent = lost, duplicates, divergent
    result.details.update(
        {"backward_jumps": backwards, "skew_misses": skew_misses, "problems": problems[:10]}
    )
    assert not problems
    assert not skew_misses
    result.check_zero()


# --- the cases spelt out ------------------------------------------------------------------


def _pcs(server: Server, root: Path, offsets: list[int]) -> tuple[Tenant, list[ClockPc]]:
    tenant = make_tenant(server.db, residents=1)
    pcs = []
    for index, offset in enumerate(offsets):
        context = enrol_pc(
            server.db,
            "http://testserver",
            tenant,
            root / f"pc{index}",
            root / "keys",
            http=server.http,
        )
        pc = ClockPc(f"pc{index}", context, Wall(offset), server.http)
        pc.set_clock()
        pcs.append(pc)
    return tenant, pcs


def _sync(pc: ClockPc, rng: random.Random) -> None:
    sync_with_retry(pc.context, rng, make_client=pc.client)


def _reviews(state: State, name: str) -> list[dict[str, Any]]:
    return [f for e, f, _v in state.values() if e == "review_item" and f.get("field") == name]


@pytest.mark.short_backends("sqlite")
def test_a_sequential_edit_from_a_slow_pc_wins_over_a_fast_one(
    server: Server, tmp_path: Path, rng: random.Random
) -> None:
    tenant, (fast, slow) = _pcs(server, tmp_path, [DAY_MS, -DAY_MS])
    try:
        fast.edit(tenant, 0, "room", "2")
        _sync(fast, rng)
        _sync(slow, rng)
        slow.edit(tenant, 0, "room", "12A")  # the slow PC saw "2" and changed it
        _sync(slow, rng)
        _sync(fast, rng)
        for pc in (fast, slow):
            state = replica(pc.context)
            assert state[tenant.residents[0]][1]["room"] == "12A", pc.name
            assert not _reviews(state, "room"), "a sequential edit was taken for a conflict"
        assert slow.hlcs[-1] > fast.hlcs[-1]
        assert abs((device_skew_ms(server.db, fast.context.device.device_id) or 0) + DAY_MS) < (
            SKEW_TOLERANCE_MS
        )
    finally:
        fast.context.close()
        slow.context.close()


@pytest.mark.short_backends("sqlite")
@pytest.mark.parametrize("fast_first", [True, False])
def test_concurrent_edits_under_skew_keep_both_and_show_the_same_value(
    server: Server, tmp_path: Path, rng: random.Random, fast_first: bool
) -> None:
    tenant, (fast, slow) = _pcs(server, tmp_path, [DAY_MS, -DAY_MS])
    try:
        fast.edit(tenant, 0, "diet", "Soft")
        slow.edit(tenant, 0, "diet", "Diabetic")
        order = [fast, slow] if fast_first else [slow, fast]
        for pc in [*order, *order]:
            _sync(pc, rng)
        states = [replica(pc.context) for pc in (fast, slow)]
        assert states[0] == states[1]
        # The greater version is shown, whichever arrived first: the fast clock's.
        assert states[0][tenant.residents[0]][1]["diet"] == "Soft"
        reviews = _reviews(states[0], "diet")
        assert len(reviews) == 1
        assert {v["value"] for v in reviews[0]["values"]} == {"Soft", "Diabetic"}
    finally:
        fast.context.close()
        slow.context.close()


@pytest.mark.short_backends("sqlite")
def test_a_clock_jumping_back_mid_session_keeps_the_latest_correction(
    server: Server, tmp_path: Path, rng: random.Random
) -> None:
    tenant, (pc, other) = _pcs(server, tmp_path, [0, 0])
    try:
        note = pc.note(tenant, 0, "Ate well")
        pc.amend(tenant, note, "Ate half")
        pc.wall.offset_ms = -DAY_MS  # the PC's clock is put back a day
        pc.amend(tenant, note, "Ate a quarter")
        pc.edit(tenant, 0, "room", "2")
        pc.wall.offset_ms = -DAY_MS - HOUR_MS  # and back another hour
        pc.edit(tenant, 0, "room", "7")
        assert pc.hlcs == sorted(pc.hlcs)
        _sync(pc, rng)
        _sync(other, rng)
        for each in (pc, other):
            assert NoteService(each.context, SessionService(each.context)).current_text(note) == (
                "Ate a quarter"
            )
            state = replica(each.context)
            assert state[tenant.residents[0]][1]["room"] == "7"
            assert not _reviews(state, "room")
    finally:
        pc.context.close()
        other.context.close()


@pytest.mark.short_backends("sqlite")
def test_a_clock_set_back_across_a_restart_keeps_the_latest_correction(
    server: Server, tmp_path: Path, rng: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, (pc,) = _pcs(server, tmp_path, [0])
    data_dir = tmp_path / "pc0"
    note = pc.note(tenant, 0, "Ate well")
    _, first_hlc, _ = pc.amend(tenant, note, "Ate half")
    _sync(pc, rng)
    pc.context.close()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)  # the PC's clock is an hour back
    context = AppContext.open(data_dir, key_dir=str(tmp_path / "keys"), http=server.http)
    try:
        restarted = ClockPc("pc0", context, Wall(0), server.http)
        _, second_hlc, _ = restarted.amend(tenant, note, "Ate a quarter")
        monkeypatch.undo()
        assert second_hlc > first_hlc, "the correction made after the restart sorts before"
        notes = NoteService(context, SessionService(context))
        assert notes.current_text(note) == "Ate a quarter"
    finally:
        context.close()
