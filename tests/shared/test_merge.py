"""Per-field merge: concurrent edits converge, nothing written is lost, replays are harmless."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.merge import FieldConflict, make_version, merge_fields

BASE_MS = 500_000


def version(ms: int, author: str) -> str:
    return make_version(f"{ms:015d}-00000-{author}", f"change-{author}")


BASE = version(BASE_MS, "base")


@dataclass(frozen=True)
class Write:
    fields: dict[str, Any]
    base_versions: dict[str, str]
    version: str


@dataclass
class Replica:
    values: dict[str, Any]
    versions: dict[str, str]
    conflicts: list[FieldConflict] = field(default_factory=list)

    def apply(self, write: Write) -> list[str]:
        result = merge_fields(
            self.values, self.versions, write.fields, write.base_versions, write.version
        )
        self.values, self.versions = result.values, result.versions
        self.conflicts.extend(result.conflicts)
        return result.changed_fields


def replica() -> Replica:
    return Replica({"room": "initial"}, {"room": BASE})


values_ = st.sampled_from(["4", "5", "12", "12A", "initial"])


@st.composite
def concurrent_writes(draw: st.DrawFn, *, after_base: bool = True) -> list[Write]:
    """Writes to the same field by people who all last saw the base version. With
    ``after_base`` their clocks are causal (every version is after the base); without it
    some authors' clocks were behind."""
    low = BASE_MS + 1 if after_base else 1
    times = draw(st.lists(st.integers(low, 2 * BASE_MS), min_size=1, max_size=6, unique=True))
    return [
        Write({"room": draw(values_)}, {"room": BASE}, version(ms, f"pc{index}"))
        for index, ms in enumerate(times)
    ]


def shown_after(writes: list[Write]) -> Replica:
    state = replica()
    for write in writes:
        state.apply(write)
    return state


def every_value_kept(state: Replica, writes: list[Write]) -> bool:
    in_conflicts = {c.kept_value for c in state.conflicts} | {
        c.other_value for c in state.conflicts
    }
    return all(
        w.fields["room"] == state.values["room"] or w.fields["room"] in in_conflicts for w in writes
    )


@given(concurrent_writes().flatmap(lambda ws: st.tuples(st.just(ws), st.permutations(ws))))
def test_concurrent_writes_in_any_order_show_the_greatest_version(
    pair: tuple[list[Write], list[Write]],
) -> None:
    writes, reordered = pair
    first, second = shown_after(writes), shown_after(reordered)
    newest = max(writes, key=lambda w: w.version)
    assert first.values == second.values == {"room": newest.fields["room"]}
    assert first.versions == second.versions == {"room": newest.version}


@given(st.data())
def test_no_concurrent_write_is_lost(data: st.DataObject) -> None:
    writes = data.draw(concurrent_writes())
    state = shown_after(data.draw(st.permutations(writes)))
    assert every_value_kept(state, writes)
    for conflict in state.conflicts:
        assert conflict.kept_version > conflict.other_version
        assert conflict.kept_value != conflict.other_value


def conflict_pairs(conflicts: list[FieldConflict]) -> set[tuple[str, frozenset[str]]]:
    """What a review item is derived from: the field and the two versions."""
    return {(c.field, frozenset({c.kept_version, c.other_version})) for c in conflicts}


@given(st.data())
def test_a_write_from_a_clock_that_was_behind_is_kept_not_dropped(data: st.DataObject) -> None:
    writes = data.draw(concurrent_writes(after_base=False))
    orders = [data.draw(st.permutations(writes)) for _ in range(2)]
    first, second = (shown_after(order) for order in orders)
    # A write behind the base that repeats the base's own value changes nothing to keep.
    changes = [w for w in writes if w.fields["room"] != "initial" or w.version > BASE]
    assert every_value_kept(first, changes)
    newest = max([*writes, Write({"room": "initial"}, {}, BASE)], key=lambda w: w.version)
    assert first.values == second.values == {"room": newest.fields["room"]}
    assert first.versions == second.versions == {"room": newest.version}


@st.composite
def writes_to_separate_fields(draw: st.DrawFn) -> list[Write]:
    times = draw(st.lists(st.integers(BASE_MS + 1, 2 * BASE_MS), min_size=1, max_size=6))
    return [
        Write(
            {f"w{index}_{k}": draw(values_) for k in range(draw(st.integers(1, 3)))},
            {f"w{index}_{k}": BASE for k in range(3)},
            version(ms, f"pc{index}"),
        )
        for index, ms in enumerate(times)
    ]


@given(writes_to_separate_fields(), st.data())
def test_writes_to_different_fields_never_conflict(
    writes: list[Write], data: st.DataObject
) -> None:
    names = [name for w in writes for name in w.fields]
    state = Replica({name: "initial" for name in names}, {name: BASE for name in names})
    for write in data.draw(st.permutations(writes)):
        assert state.apply(write) == list(write.fields)
    assert state.conflicts == []
    for write in writes:
        for name, value in write.fields.items():
            assert state.values[name] == value
            assert state.versions[name] == write.version


@given(st.data())
def test_a_replayed_write_changes_nothing(data: st.DataObject) -> None:
    writes = data.draw(concurrent_writes(after_base=False))
    state = shown_after(data.draw(st.permutations(writes)))
    values, versions = dict(state.values), dict(state.versions)
    for write in data.draw(st.permutations(writes)):
        assert state.apply(write) == []
        assert (state.values, state.versions) == (values, versions)


@given(concurrent_writes(after_base=False), st.integers(0, 5))
def test_the_same_write_twice_in_a_row_raises_no_new_review(
    writes: list[Write], index: int
) -> None:
    state = shown_after(writes)
    write = writes[index % len(writes)]
    state.apply(write)
    reported = conflict_pairs(state.conflicts)
    values, versions = dict(state.values), dict(state.versions)
    assert state.apply(write) == []
    assert (state.values, state.versions) == (values, versions)
    # Review item ids derive from the field and versions, so the same pair is the same item.
    assert conflict_pairs(state.conflicts) == reported


def test_a_sequential_edit_applies_cleanly() -> None:
    first = version(BASE_MS + 10, "a")
    second = version(BASE_MS + 20, "b")
    state = replica()
    assert state.apply(Write({"room": "4"}, {"room": BASE}, first)) == ["room"]
    assert state.apply(Write({"room": "5"}, {"room": first}, second)) == ["room"]
    assert state.values == {"room": "5"}
    assert state.versions == {"room": second}
    assert state.conflicts == []


def test_a_concurrent_edit_keeps_both_values_and_shows_the_newer() -> None:
    older, newer = version(BASE_MS + 10, "a"), version(BASE_MS + 20, "b")
    state = replica()
    state.apply(Write({"room": "4"}, {"room": BASE}, newer))
    assert state.apply(Write({"room": "5"}, {"room": BASE}, older)) == []
    assert state.values == {"room": "4"}
    assert state.conflicts == [FieldConflict("room", "4", newer, "5", older)]


def test_two_people_writing_the_same_value_do_not_conflict() -> None:
    older, newer = version(BASE_MS + 10, "a"), version(BASE_MS + 20, "b")
    state = replica()
    state.apply(Write({"room": "4"}, {"room": BASE}, older))
    assert state.apply(Write({"room": "4"}, {"room": BASE}, newer)) == []
    assert state.conflicts == []
    assert state.versions == {"room": newer}


def test_an_edit_from_a_clock_behind_the_version_it_saw_raises_a_conflict() -> None:
    # Regression: this write was silently dropped.
    behind = version(BASE_MS - 60_000, "slow-pc")
    state = replica()
    assert state.apply(Write({"room": "9"}, {"room": BASE}, behind)) == []
    assert state.values == {"room": "initial"}
    assert state.conflicts == [FieldConflict("room", "initial", BASE, "9", behind)]


def test_a_new_field_applies_without_a_base() -> None:
    state = replica()
    assert state.apply(Write({"diet": "Soft"}, {}, version(1, "a"))) == ["diet"]
    assert state.values == {"room": "initial", "diet": "Soft"}


def test_merge_does_not_change_its_inputs() -> None:
    values, versions = {"room": "initial"}, {"room": BASE}
    incoming, bases = {"room": "4"}, {"room": BASE}
    merge_fields(values, versions, incoming, bases, version(BASE_MS + 1, "a"))
    assert (values, versions, incoming, bases) == (
        {"room": "initial"},
        {"room": BASE},
        {"room": "4"},
        {"room": BASE},
    )


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.uuids(), st.uuids())
def test_versions_order_by_clock_then_change_id(a: int, b: int, id_a: Any, id_b: Any) -> None:
    va = make_version(f"{a:015d}-00000-pc", str(id_a))
    vb = make_version(f"{b:015d}-00000-pc", str(id_b))
    if a != b:
        assert (va < vb) == (a < b)
    else:
        assert (va < vb) == (str(id_a) < str(id_b))
