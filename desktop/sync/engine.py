"""The sync loop on a PC: push the outbox, pull what changed, check the result.

Crash safety: a pushed batch leaves the outbox only after the server acknowledged it (a
retry of an acknowledged batch is recognised by its sequence numbers); pulled records and
the cursor commit in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store import local_users, meta, outbox
from desktop.store import records as records_repo
from desktop.store.database import Store
from desktop.store.errors import MalformedRecord
from desktop.sync.client import SyncClient
from desktop.sync.errors import ServerRefused, SyncError
from desktop.sync.local_changes import Author, ChangeRecorder
from shared import entities as ent
from shared import rules
from shared.hlc import HybridClock
from shared.protocol import RecordState
from shared.pull_page import LivePage, MalformedPage, PulledRow, PullPage, state_of_row

PUSH_BATCH = 1000
# A push also stops at this much JSON (about eight photos of body map marks, see
# shared.incidents), a quarter of the server's 32 MiB body limit (shared.protocol).
PUSH_BATCH_BYTES = 8 * 1024 * 1024
PULL_BATCH = 5000
# A pull of at most this many pages carries the PC's record count forward instead of counting
# again at the end (see SyncEngine.pull).
COUNT_CARRIED_PAGES = 2

ProgressCallback = Callable[[int, int], None]  # (records so far, server sequence to reach)


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    review_items: int = 0
    repaired: bool = False
    server_seq: int = 0


class _LocalLookup:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get_record(self, entity: str, record_id: str) -> rules.StoredRecord | None:
        found = records_repo.get(self._conn, record_id)
        if found is None or found.entity != entity:
            return None
        return rules.StoredRecord(found.entity, found.record_id, found.fields, found.versions)

    def events_for_resident(self, entity: str, resident_id: str) -> list[rules.StoredRecord]:
        return [
            rules.StoredRecord(r.entity, r.record_id, r.fields, r.versions)
            for r in records_repo.for_resident(self._conn, resident_id, (entity,))
        ]


class SyncEngine:
    def __init__(
        self, store: Store, client: SyncClient, recorder: ChangeRecorder, clock: HybridClock
    ) -> None:
        self.store = store
        self.client = client
        self.recorder = recorder
        self.clock = clock

    def sync(self, progress: ProgressCallback | None = None) -> SyncReport:
        report = SyncReport()
        hello = self.client.hello()
        report.server_seq = hello.server_seq
        report.pushed += self.push()
        report.pulled, report.repaired = self.pull(progress, target=hello.server_seq)
        report.review_items = self.run_rules_on_unsent()
        if report.review_items:
            report.pushed += self.push()
        with self.store.write() as conn:
            meta.put(conn, "last_sync_ms", _now_ms())
        return report

    def push(self) -> int:
        sent = 0
        recovered = False
        while True:
            with self.store.read() as conn:
                entries = outbox.pending_json(conn, PUSH_BATCH, PUSH_BATCH_BYTES)
            if not entries:
                return sent
            try:
                reply = self.client.push_json([body for _seq, body in entries])
            except ServerRefused as exc:
                if exc.code != "sequence_gap" or recovered:
                    raise
                self._resend_lost(int(exc.detail.get("expected_seq", 0)), exc)
                recovered = True
                continue
            with self.store.write() as conn:
                done_ids = outbox.remove_through(conn, reply.acknowledged_seq)
                still_pending = outbox.pending_record_ids(conn)
                records_repo.mark_synced(conn, (i for i in done_ids if i not in still_pending))
                meta.put(conn, "acked_seq", reply.acknowledged_seq)
            sent += len([seq for seq, _body in entries if seq <= reply.acknowledged_seq])
            if reply.acknowledged_seq < entries[-1][0]:
                return sent

    def _resend_lost(self, expected_seq: int, refusal: ServerRefused) -> None:
        """The server is missing changes this PC already had acknowledged (it was restored from
        an older backup): queue them again from the sent log."""
        with self.store.write() as conn:
            requeued = outbox.resend_from(conn, expected_seq) if expected_seq > 0 else None
        if requeued is None:
            raise SyncError(
                f"The server has lost changes from this PC (from number {expected_seq}) that "
                "this PC no longer keeps. Nothing on this PC was deleted; contact IT.",
                code="changes_lost_on_server",
            ) from refusal

    def pull(
        self, progress: ProgressCallback | None = None, *, target: int = 0, check: bool = True
    ) -> tuple[int, bool]:
        """Pull until caught up; then (with ``check``) compare counts with the server and
        repair on mismatch. Live-triggered pulls skip the check; every full sync does it.

        The next page is asked for while this one is written, so the server's time and the
        PC's overlap; a page is only ever applied after the one before it committed. The
        scope's count is asked for the same way: once a page says it is the last, a pull from
        its cursor with the count goes out while it is written (whatever arrived meanwhile
        comes with that count, and is applied before comparing). The PC's own count is taken
        while the first page is on its way and carried forward by what each page adds, for
        up to COUNT_CARRIED_PAGES pages (a catch-up); a longer pull counts again at the end."""
        pulled = 0
        repaired = False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wcn-pull") as ahead:

            def request(cursor: int, *, count: bool = False) -> Future[PullPage]:
                return ahead.submit(self.client.pull, cursor, PULL_BATCH, count_scope=count)

            with self.store.read() as conn:
                at = int(meta.get(conn, "cursor", 0))
            next_page = request(at)
            synced: int | None = None
            if check:
                with self.store.read() as conn:
                    synced = records_repo.count_synced(conn)
            carried = 0
            while True:
                page = next_page.result()
                counted = page.scope_count is not None
                count_next = check and not repaired and not counted and not page.has_more
                if page.has_more or count_next:
                    next_page = request(page.cursor, count=count_next)
                if page.rows or page.cursor != at:
                    with self.store.write() as conn:
                        if synced is not None and page.rows:
                            carried += 1
                            synced = (
                                synced
                                + records_repo.count_not_synced(conn, [r[0] for r in page.rows])
                                if carried <= COUNT_CARRIED_PAGES
                                else None
                            )
                        self.apply(conn, page.rows)
                        meta.put(conn, "cursor", page.cursor)
                        meta.put(conn, "server_seq", page.server_seq)
                    at = page.cursor
                pulled += len(page.rows)
                if progress is not None:
                    progress(page.cursor, max(target, page.server_seq))
                if page.has_more or count_next:
                    continue
                if counted and not repaired:
                    local = synced
                    if local is None:
                        with self.store.read() as conn:
                            local = records_repo.count_synced(conn)
                    if local != page.scope_count:
                        # Something is missing locally: pull the whole scope again over the
                        # top of what is here. Upserts are idempotent and unsent changes stay
                        # in the outbox.
                        with self.store.write() as conn:
                            meta.put(conn, "cursor", 0)
                        at = 0
                        synced = None
                        repaired = True
                        next_page = request(0)
                        continue
                return pulled, repaired

    def apply_notified(self, notified: LivePage) -> int | None:
        """Apply the changes a live notification carried, if they start exactly at this PC's
        cursor (then they are what a pull would have returned); None when they do not, and
        the caller pulls instead. Rows and cursor commit together, as in ``pull``."""
        page = notified.page
        with self.store.write() as conn:
            if int(meta.get(conn, "cursor", 0)) != notified.from_cursor:
                return None
            self.apply(conn, page.rows)
            meta.put(conn, "cursor", page.cursor)
            meta.put(conn, "server_seq", page.server_seq)
        if page.has_more:
            pulled, _ = self.pull(check=False)
            return len(page.rows) + pulled
        return len(page.rows)

    def apply(self, conn: sa.Connection, rows: list[PulledRow]) -> None:
        """Write a page of server states (in the caller's transaction). The rows go to the
        store as they came; their JSON text is checked there before the transaction may
        commit, so a malformed page leaves nothing behind."""
        if not rows:
            return
        try:
            self._apply_rows(conn, rows)
        except (MalformedPage, MalformedRecord) as exc:
            raise ServerRefused(
                f"The server sent records this app cannot read ({exc}). Nothing of them was "
                "kept: update the app, or contact IT if it is up to date.",
                code="bad_reply",
                status=200,
            ) from None

    def _apply_rows(self, conn: sa.Connection, rows: list[PulledRow]) -> None:
        pending_ids = outbox.pending_record_ids(conn)
        forget = _people_to_forget(conn, rows)
        over_pending = [r for r in rows if r[0] in pending_ids] if pending_ids else []
        simple = [r for r in rows if r[0] not in pending_ids] if over_pending else rows
        records_repo.upsert_pulled(conn, simple)
        for row in over_pending:
            self._apply_over_pending(conn, state_of_row(row))
        local_users.forget(conn, forget)
        newest = max(r[6] for r in rows)
        self.clock.observe(newest)
        if newest > str(meta.get(conn, "last_hlc", "")):
            meta.put(conn, "last_hlc", newest)

    def _apply_over_pending(self, conn: sa.Connection, state: RecordState) -> None:
        """A record this PC changed but has not sent yet: take the server's state for every
        field except those with an unsent local change (the server will merge those)."""
        local = records_repo.get(conn, state.record_id)
        mine = outbox.pending_fields(conn, state.record_id)
        fields = dict(state.fields)
        versions = dict(state.versions)
        if local is not None:
            for name in mine:
                if name in local.fields:
                    fields[name] = local.fields[name]
                    versions[name] = local.versions.get(name, versions.get(name, ""))
        row = _row(state)
        row["fields"] = json.dumps(fields)
        row["versions"] = json.dumps(versions)
        records_repo.bulk_upsert(conn, [row])
        conn.exec_driver_sql(
            "UPDATE records SET pending = 1 WHERE record_id = ?", (state.record_id,)
        )

    def run_rules_on_unsent(self) -> int:
        """Safety rules over this PC's unsent changes, against what it now knows."""
        raised = 0
        with self.store.write() as conn:
            lookup = _LocalLookup(conn)
            for entry in outbox.all_entries(conn):
                body = entry.body
                spec = ent.ENTITIES.get(body["entity"])
                if spec is None:
                    continue
                record = records_repo.get(conn, body["record_id"])
                resident_id = record.resident_id if record else None
                applied = rules.AppliedChange(
                    body["entity"],
                    body["record_id"],
                    body["op"],
                    body["fields"],
                    body["base_versions"],
                    resident_id,
                    body.get("fields", {}).get("occurred_at") or _now_iso(),
                )
                for draft in rules.run_rules(applied, lookup):
                    if records_repo.get(conn, draft.record_id) is not None:
                        continue
                    self.recorder.create(
                        conn,
                        "review_item",
                        draft.fields,
                        Author(body["user_id"], "care_assistant"),
                        record_id=draft.record_id,
                        check_permission=False,
                    )
                    raised += 1
        return raised


def _people_to_forget(conn: sa.Connection, rows: list[PulledRow]) -> list[str]:
    """Staff whose sign-in details this PC must drop: disabled on the server, or whose
    authenticator app IT has reset (their next sign-in here is online again)."""
    found = []
    for row in rows:
        if row[1] != "staff_user":
            continue
        state = state_of_row(row)
        reset = state.fields.get("mfa_reset_at")
        if not state.fields.get("active"):
            found.append(state.record_id)
        elif reset is not None:
            before = records_repo.get(conn, state.record_id)
            if before is None or before.fields.get("mfa_reset_at") != reset:
                found.append(state.record_id)
    return found


def _row(state: RecordState) -> dict[str, Any]:
    occurred = state.fields.get("occurred_at")
    return {
        "record_id": state.record_id,
        "entity": state.entity,
        "home_id": state.home_id,
        "resident_id": state.resident_id,
        "fields": json.dumps(state.fields),
        "versions": json.dumps(state.versions),
        "hlc": state.hlc,
        "server_seq": state.server_seq,
        "user_id": state.user_id,
        "device_id": state.device_id,
        "occurred_at": occurred if isinstance(occurred, str) else None,
    }


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def _now_iso() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
