"""Pushes committed in groups: each push all-or-nothing, several to one commit.

A push's own work (merge, rules, audit, the device's acknowledged sequence) runs inside a
savepoint of a transaction that several pushes share; the transaction commits once, and only
then is any of them answered. A push that is refused rolls back to its savepoint (its refusal
is audited in that same transaction) and the others go on. If the shared transaction itself
fails (an error that is not a refusal, a lost connection, a full disk at commit), nothing of
it was committed: each push of the group is then run again alone, so one push that cannot be
written never takes the others down with it.

On SQLite one lane (one writer connection) takes every waiting push, of any tenant: SQLite
lets one transaction write at a time, and a commit (an fsync) costs about as much as merging a
push, so sharing it is what lets a busy server keep up. On PostgreSQL several lanes run at
once, each taking the waiting pushes of one tenant (a tenant's pushes wait on its lock row
anyway; other tenants' go on in the other lanes), and a group's transaction is entered as
that tenant, so row-level security holds for all of it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from syncserver.db.scope import Scope
from syncserver.errors import ServerError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_GROUP = 48  # pushes to one commit at most (16 and 32 did less well under 50 PCs)
_SAVEPOINT = "SAVEPOINT wcn_push"
_ROLLBACK_TO = "ROLLBACK TO SAVEPOINT wcn_push"
_RELEASE = "RELEASE SAVEPOINT wcn_push"


@dataclass(eq=False)
class PushJob(Generic[T]):
    """One push: ``apply`` does its work on the shared connection (inside its savepoint),
    with a dict the pushes of one transaction share (what they would each look up again,
    such as their tenant's cipher); ``refused`` audits a refusal there after the rollback;
    ``committed`` runs after the commit, on the lane's thread (it must be quick)."""

    tenant_id: str
    apply: Callable[[sa.Connection, dict[str, Any]], T]
    refused: Callable[[sa.Connection, ServerError], None]
    committed: Callable[[T], None] | None = None
    future: Future[T] = field(default_factory=Future)


class QueueStopped(RuntimeError):
    pass


@dataclass
class _Outcome(Generic[T]):
    job: PushJob[T]
    value: T | None = None
    error: ServerError | None = None


class PushQueue:
    def __init__(
        self,
        engine: sa.Engine,
        scope: Scope,
        *,
        lanes: int,
        mixed_tenants: bool,
        max_group: int = MAX_GROUP,
    ) -> None:
        self._engine = engine
        self._scope = scope
        self._mixed = mixed_tenants
        self._max_group = max_group
        self._jobs: deque[PushJob[Any]] = deque()
        self._busy: set[str] = set()  # tenants a lane is writing now
        self._cond = threading.Condition()
        self._stopped = False
        self._lanes = [
            threading.Thread(target=self._lane, name=f"wcn-push-{n}", daemon=True)
            for n in range(lanes)
        ]
        for lane in self._lanes:
            lane.start()

    async def run(self, job: PushJob[T]) -> T:
        """Queue ``job`` and wait (without holding a thread) for its outcome."""
        self.submit(job)
        return await asyncio.wrap_future(job.future)

    def submit(self, job: PushJob[T]) -> Future[T]:
        with self._cond:
            if self._stopped:
                raise QueueStopped("the server is stopping")
            self._jobs.append(job)
            self._cond.notify()
        return job.future

    def stop(self) -> None:
        """Refuse new pushes; lanes finish the group they hold; waiting pushes are failed
        (nothing of them was written, so the PCs send them again)."""
        with self._cond:
            self._stopped = True
            waiting, self._jobs = list(self._jobs), deque()
            self._cond.notify_all()
        for job in waiting:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(QueueStopped("the server is stopping"))
        for lane in self._lanes:
            if lane is not threading.current_thread():
                lane.join(timeout=30)

    # --- the lanes ---------------------------------------------------------------------------

    def _lane(self) -> None:
        while True:
            group = self._take()
            if group is None:
                return
            try:
                self._run(group)
            finally:
                with self._cond:
                    self._busy.difference_update(job.tenant_id for job in group)
                    self._cond.notify_all()

    def _take(self) -> list[PushJob[Any]] | None:
        with self._cond:
            while True:
                if self._stopped:
                    return None
                first = next((j for j in self._jobs if j.tenant_id not in self._busy), None)
                if first is None:
                    self._cond.wait()
                    continue
                group: list[PushJob[Any]] = []
                left: deque[PushJob[Any]] = deque()
                for job in self._jobs:
                    fits = job.tenant_id == first.tenant_id or (
                        self._mixed and job.tenant_id not in self._busy
                    )
                    if fits and len(group) < self._max_group:
                        # A push whose caller has gone (cancelled while waiting) is dropped.
                        if job.future.set_running_or_notify_cancel():
                            group.append(job)
                    else:
                        left.append(job)
                self._jobs = left
                if group:
                    self._busy.update(job.tenant_id for job in group)
                    return group

    def _run(self, group: list[PushJob[Any]]) -> None:
        try:
            outcomes = self._transaction(group)
        except Exception as exc:
            if len(group) == 1:
                group[0].future.set_exception(exc)
                return
            log.warning(
                "a group of %d pushes failed (%s): each is tried again alone",
                len(group),
                type(exc).__name__,
            )
            for job in group:
                self._run([job])
            return
        for outcome in outcomes:
            job = outcome.job
            if outcome.error is not None:
                job.future.set_exception(outcome.error)
                continue
            if job.committed is not None:
                try:
                    job.committed(outcome.value)
                except Exception:  # the push is committed: it is answered whatever this did
                    log.exception("after a push was committed")
            job.future.set_result(outcome.value)

    def _transaction(self, group: list[PushJob[Any]]) -> list[_Outcome[Any]]:
        outcomes: list[_Outcome[Any]] = []
        shared: dict[str, Any] = {}
        with self._engine.begin() as conn:
            entered: str | None = None
            for job in group:
                if job.tenant_id != entered:
                    self._scope.enter(conn, tenant_id=job.tenant_id)
                    entered = job.tenant_id
                # Savepoints in fixed SQL (SQLAlchemy's own compile a statement each time).
                conn.exec_driver_sql(_SAVEPOINT)
                try:
                    value = job.apply(conn, shared)
                except ServerError as exc:
                    conn.exec_driver_sql(_ROLLBACK_TO)
                    conn.exec_driver_sql(_RELEASE)
                    job.refused(conn, exc)
                    outcomes.append(_Outcome(job, error=exc))
                else:
                    conn.exec_driver_sql(_RELEASE)
                    outcomes.append(_Outcome(job, value=value))
        return outcomes
