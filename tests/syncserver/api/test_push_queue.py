"""Pushes committed in groups: each one all-or-nothing, none answered before the commit, one
that fails never taking the others with it, and (with several lanes) one tenant's pushes
never in two transactions at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from syncserver.api.push_queue import PushJob, PushQueue, QueueStopped
from syncserver.db.engine import Database, open_database
from syncserver.db.scope import Scope
from syncserver.errors import Conflict, ServerError

WAIT_S = 30


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """The server's own SQLite engines (explicit BEGIN, so savepoints work as on the server)."""
    db = open_database(f"sqlite:///{tmp_path / 'q.db'}")
    with db.writer.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rows (name TEXT PRIMARY KEY, tx TEXT)")
    yield db
    db.dispose()


@pytest.fixture
def engine(database: Database) -> sa.Engine:
    return database.writer


def _names(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT name FROM rows").scalars())


def _insert(
    name: str, then: Callable[[], None] = lambda: None
) -> Callable[[sa.Connection, dict[str, Any]], str]:
    def apply(conn: sa.Connection, _shared: dict[str, Any]) -> str:
        # The transaction's identity: every push of one group sees the same connection.
        tx = str(id(conn.connection.dbapi_connection))
        conn.exec_driver_sql("INSERT INTO rows (name, tx) VALUES (?, ?)", (name, tx))
        then()
        return name

    return apply


def _refused_into(log: list[str]) -> Callable[[sa.Connection, ServerError], None]:
    def refused(conn: sa.Connection, exc: ServerError) -> None:
        conn.exec_driver_sql("INSERT INTO rows (name, tx) VALUES (?, 'refusal')", (exc.code,))
        log.append(exc.code)

    return refused


class Gate:
    """A first push that holds its lane until released, so others queue up behind it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def hold(self) -> None:
        self.entered.set()
        assert self.release.wait(WAIT_S)


def test_waiting_pushes_share_one_commit_and_a_refusal_rolls_back_only_itself(
    engine: sa.Engine,
) -> None:
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    refusals: list[str] = []
    gate = Gate()
    try:
        first = queue.submit(PushJob("t1", _insert("first", gate.hold), _refused_into(refusals)))
        assert gate.entered.wait(WAIT_S)

        def refuse(conn: sa.Connection, _shared: dict[str, Any]) -> str:
            conn.exec_driver_sql("INSERT INTO rows (name, tx) VALUES ('half-written', '')")
            raise Conflict("no", code="sequence_gap")

        waiting = [
            queue.submit(PushJob("t1", _insert("a"), _refused_into(refusals))),
            queue.submit(PushJob("t2", refuse, _refused_into(refusals))),
            queue.submit(PushJob("t2", _insert("b"), _refused_into(refusals))),
        ]
        assert not any(f.done() for f in waiting)
        gate.release.set()
        assert first.result(WAIT_S) == "first"
        assert waiting[0].result(WAIT_S) == "a"
        with pytest.raises(Conflict):
            waiting[1].result(WAIT_S)
        assert waiting[2].result(WAIT_S) == "b"
    finally:
        queue.stop()
    assert refusals == ["sequence_gap"]
    assert _names(engine) == ["a", "b", "first", "sequence_gap"]
    with engine.connect() as conn:
        transactions = set(conn.exec_driver_sql("SELECT tx FROM rows WHERE name IN ('a', 'b')"))
    assert len(transactions) == 1  # the two waiting pushes went to one commit


def test_a_push_that_breaks_its_group_is_tried_alone_and_the_rest_commit(
    engine: sa.Engine,
) -> None:
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    gate = Gate()
    try:
        first = queue.submit(PushJob("t1", _insert("first", gate.hold), _refused_into([])))
        assert gate.entered.wait(WAIT_S)

        def broken(_conn: sa.Connection, _shared: dict[str, Any]) -> str:
            raise RuntimeError("a bug, not a refusal")

        waiting = [
            queue.submit(PushJob("t1", _insert("a"), _refused_into([]))),
            queue.submit(PushJob("t1", broken, _refused_into([]))),
            queue.submit(PushJob("t1", _insert("b"), _refused_into([]))),
        ]
        gate.release.set()
        assert first.result(WAIT_S) == "first"
        assert waiting[0].result(WAIT_S) == "a"
        with pytest.raises(RuntimeError, match="a bug"):
            waiting[1].result(WAIT_S)
        assert waiting[2].result(WAIT_S) == "b"
    finally:
        queue.stop()
    assert _names(engine) == ["a", "b", "first"]


def test_nothing_is_answered_before_the_commit(engine: sa.Engine) -> None:
    """A push whose commit fails is answered with the failure, never with success."""
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    seen: list[str] = []

    @sa.event.listens_for(engine, "commit")
    def _fail_commit(_conn: sa.Connection) -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    try:
        job = PushJob("t1", _insert("lost"), _refused_into([]), committed=seen.append)
        with pytest.raises(sa.exc.OperationalError):
            queue.submit(job).result(WAIT_S)
    finally:
        queue.stop()
        sa.event.remove(engine, "commit", _fail_commit)
    assert seen == []
    assert _names(engine) == []


def test_after_the_commit_each_push_is_told(engine: sa.Engine) -> None:
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    told: list[str] = []
    try:
        job = PushJob("t1", _insert("x"), _refused_into([]), committed=told.append)
        assert queue.submit(job).result(WAIT_S) == "x"
    finally:
        queue.stop()
    assert told == ["x"]


def test_with_several_lanes_one_tenant_is_never_written_twice_at_once(
    database: Database,
) -> None:
    """Another tenant's push goes ahead in a free lane; the same tenant's waits its turn."""
    # Lanes that only read: SQLite's reader engine has the connections two lanes need.
    queue = PushQueue(database.reader, Scope(), lanes=2, mixed_tenants=False)
    gate = Gate()
    running: dict[str, int] = {"t1": 0, "t2": 0}
    overlap: list[str] = []
    lock = threading.Lock()

    def tracked(tenant: str, then: Callable[[], None] = lambda: None) -> Callable[..., str]:
        def apply(_conn: sa.Connection, _shared: dict[str, Any]) -> str:
            with lock:
                running[tenant] += 1
                if running[tenant] > 1:
                    overlap.append(tenant)
            then()
            with lock:
                running[tenant] -= 1
            return tenant

        return apply

    try:
        held = queue.submit(PushJob("t1", tracked("t1", gate.hold), _refused_into([])))
        assert gate.entered.wait(WAIT_S)
        same = queue.submit(PushJob("t1", tracked("t1"), _refused_into([])))
        other = queue.submit(PushJob("t2", tracked("t2"), _refused_into([])))
        assert other.result(WAIT_S) == "t2"  # not held up behind tenant t1
        assert not same.done()
        gate.release.set()
        assert held.result(WAIT_S) == same.result(WAIT_S) == "t1"
    finally:
        queue.stop()
    assert overlap == []


def test_stopping_fails_waiting_pushes_and_refuses_new_ones(engine: sa.Engine) -> None:
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    gate = Gate()
    held = queue.submit(PushJob("t1", _insert("held", gate.hold), _refused_into([])))
    assert gate.entered.wait(WAIT_S)
    waiting = queue.submit(PushJob("t1", _insert("waiting"), _refused_into([])))
    cancelled = queue.submit(PushJob("t1", _insert("cancelled"), _refused_into([])))
    assert cancelled.cancel()
    stopper = threading.Thread(target=queue.stop)
    stopper.start()
    with pytest.raises(QueueStopped):
        waiting.result(WAIT_S)
    gate.release.set()
    stopper.join(WAIT_S)
    assert held.result(WAIT_S) == "held"  # the group a lane held is finished
    with pytest.raises(QueueStopped):
        queue.submit(PushJob("t1", _insert("late"), _refused_into([])))
    assert _names(engine) == ["held"]


def test_the_pushes_of_one_transaction_share_what_they_looked_up(engine: sa.Engine) -> None:
    queue = PushQueue(engine, Scope(), lanes=1, mixed_tenants=True)
    gate = Gate()
    seen: list[tuple[str, object]] = []

    def look(name: str, then: Callable[[], None] = lambda: None) -> Callable[..., str]:
        def apply(_conn: sa.Connection, shared: dict[str, Any]) -> str:
            seen.append((name, shared.get("key")))
            shared.setdefault("key", name)
            then()
            return name

        return apply

    try:
        first = queue.submit(PushJob("t1", look("first", gate.hold), _refused_into([])))
        assert gate.entered.wait(WAIT_S)
        waiting = [queue.submit(PushJob("t1", look(n), _refused_into([]))) for n in "ab"]
        gate.release.set()
        assert [f.result(WAIT_S) for f in (first, *waiting)] == ["first", "a", "b"]
    finally:
        queue.stop()
    # The first push's transaction is not the one the other two share.
    assert seen == [("first", None), ("a", None), ("b", "a")]
