"""Request plumbing shared by the routes: the server state, tenant-scoped transactions, device
and user authentication.

Every route touches tenant data only inside ``state.tenant(tenant_id)`` (or, before the
tenant is known, ``state.lookup(...)``), which on PostgreSQL runs the transaction as the
application role with the tenant set, so row-level security backs up every query's filter.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa
from fastapi import Request

from shared.protocol import DEVICE_AUTH_SCHEME
from syncserver import audit, audit_checkpoints, signin
from syncserver.api.announcer import Announce, Announcer
from syncserver.api.device_credentials import DeviceCredentials
from syncserver.api.push_queue import PushQueue
from syncserver.audit_checkpoints import AuditSigner
from syncserver.config import Settings
from syncserver.crypto import FieldCipher
from syncserver.db.engine import Database
from syncserver.db.scope import Scope
from syncserver.db.tables import devices, users
from syncserver.errors import AuthError, Forbidden
from syncserver.live import LiveHub
from syncserver.security.passwords import digest_matches
from syncserver.security.ratelimit import SignInLimiter
from syncserver.security.tokens import AccessClaims, TokenService
from syncserver.sync.context import NOT_ENROLLED, DeviceContext

log = logging.getLogger(__name__)
T = TypeVar("T")
# Threads for the sync routes' database work other than merging pushes (which the push
# queue's lanes do): parsing a push, pulls, hello. Few, so that a lane holding the write lock
# is not starved of the interpreter by dozens of others (Starlette's threadpool has 40); the
# rest wait in the queue, in the order they came, using no CPU.
DB_THREADS = 4


@dataclass
class ServerState:
    settings: Settings
    db: Database
    tokens: TokenService
    live: LiveHub
    cipher: FieldCipher
    scope: Scope
    limiter: SignInLimiter
    signer: AuditSigner | None = None
    credentials: DeviceCredentials = field(default_factory=DeviceCredentials, repr=False)
    _db_threads: ThreadPoolExecutor | None = field(default=None, repr=False)
    _announcer: Announcer | None = field(default=None, repr=False)
    _pushes: PushQueue | None = field(default=None, repr=False)
    _checkpointed: dict[str, int] = field(default_factory=dict, repr=False)
    _db_threads_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    async def run_db(self, work: Callable[[], T]) -> T:
        """Run ``work`` (blocking database work) on the database threads."""
        with self._db_threads_lock:
            if self._db_threads is None:
                self._db_threads = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="wcn-db")
            threads = self._db_threads
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(threads, context.run, work)

    def push_queue(self) -> PushQueue:
        """Where pushes are merged and committed (see syncserver.api.push_queue)."""
        with self._db_threads_lock:
            if self._pushes is None:
                sqlite = self.db.is_sqlite
                self._pushes = PushQueue(
                    self.db.writer,
                    self.scope,
                    lanes=1 if sqlite else self.settings.push_lanes,
                    mixed_tenants=sqlite,
                )
            return self._pushes

    def announcer(self, announce: Announce) -> Announcer:
        """What follows a committed push (see syncserver.api.announcer); ``announce`` tells
        one home's PCs (the first caller's is kept)."""
        with self._db_threads_lock:
            if self._announcer is None:
                self._announcer = Announcer(announce)
            return self._announcer

    def stop_db_threads(self) -> None:
        with self._db_threads_lock:
            threads, self._db_threads = self._db_threads, None
            announcer, self._announcer = self._announcer, None
            pushes, self._pushes = self._pushes, None
        if pushes is not None:
            pushes.stop()
        if threads is not None:
            threads.shutdown(wait=False)
        if announcer is not None:  # what was committed is announced and checkpointed
            announcer.stop()

    @contextmanager
    def tenant(self, tenant_id: str, *, write: bool = True) -> Iterator[sa.Connection]:
        """A transaction that sees and writes only ``tenant_id``'s rows. After a write, the
        audit trail gets its signed checkpoint when one is due."""
        engine = self.db.writer if write else self.db.reader
        with self.scope.tenant(engine, tenant_id) as conn:
            yield conn
        if write:
            self.checkpoint_if_due(tenant_id)

    @contextmanager
    def lookup(self, *, device_id: str = "", enrol_code_hash: str = "") -> Iterator[sa.Connection]:
        """A read before the tenant is known: one device's credential, or one enrolment code."""
        with self.scope.lookup(
            self.db.reader, device_id=device_id, enrol_code_hash=enrol_code_hash
        ) as conn:
            yield conn

    def checkpoint_if_due(self, tenant_id: str) -> int | None:
        """After a write: sign the audit trail's checkpoint when one is due. Returns the
        entry the latest checkpoint signed, when known."""
        if self.signer is None:
            return None
        every = self.settings.audit_checkpoint_every
        try:
            with self.scope.tenant(self.db.reader, tenant_id) as conn:
                if not audit_checkpoints.due(conn, tenant_id, every):
                    return audit_checkpoints.latest_seq(conn, tenant_id)
            with self.scope.tenant(self.db.writer, tenant_id) as conn:
                signed = audit_checkpoints.checkpoint_now(conn, tenant_id, self.signer)
                return None if signed is None else signed.seq
        except sa.exc.SQLAlchemyError:
            # The write it follows has committed; the next one will try again.
            log.exception("the audit checkpoint of tenant %s could not be written", tenant_id)
            return None

    def checkpoint_after_push(self, tenant_id: str, audit_seq: int) -> None:
        """``checkpoint_if_due`` for a push that took the trail to ``audit_seq``, asked of
        the database only when this process's last known checkpoint is far enough behind
        (another process's checkpoint is then found and remembered)."""
        if self.signer is None:
            return
        known = self._checkpointed.get(tenant_id)
        if known is not None and audit_seq - known < self.settings.audit_checkpoint_every:
            return
        latest = self.checkpoint_if_due(tenant_id)
        if latest is not None:
            self._checkpointed[tenant_id] = latest


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.wcn
    return state


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so this is the PC's, not the proxy's)."""
    return request.client.host if request.client else "unknown"


def record_audit(state: ServerState, tenant_id: str, entries: list[audit.AuditEntry]) -> None:
    """Audit in a transaction of its own (for refusals: the refused action's rolled back)."""
    with state.tenant(tenant_id) as conn:
        audit.append(conn, tenant_id, entries)


def record_refusal(
    state: ServerState, tenant_id: str, action: str, device_id: str | None, detail: dict[str, str]
) -> None:
    record_audit(state, tenant_id, [audit.AuditEntry(action, device_id=device_id, detail=detail)])


def authenticate_device(request: Request) -> DeviceContext:
    """An enrolled, active PC."""
    return _device(request, allow_revoked=False)


async def authenticate_device_for_push(request: Request) -> DeviceContext:
    """An enrolled PC, revoked or not: a revoked PC may still hand over what it recorded
    before it wipes itself (it can no longer pull, sign anyone in or read anything).
    A PC seen before is known from its credential; the push's own transaction reads its
    status again (``device_credentials.current_device``)."""
    state = state_of(request)
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme == DEVICE_AUTH_SCHEME and len(credential) <= 200:
        device_id, _, secret = credential.partition(".")
        known = state.credentials.match(device_id, secret)
        if known is not None:
            return known
    return await state.run_db(functools.partial(_device, request, allow_revoked=True))


def _device(request: Request, *, allow_revoked: bool) -> DeviceContext:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme != DEVICE_AUTH_SCHEME or "." not in credential or len(credential) > 200:
        raise AuthError(NOT_ENROLLED, code="device_unauthenticated")
    device_id, _, secret = credential.partition(".")
    state = state_of(request)
    with state.lookup(device_id=device_id) as conn:
        row = conn.execute(
            sa.select(
                devices.c.tenant_id,
                devices.c.home_id,
                devices.c.secret_hash,
                devices.c.status,
                devices.c.acked_seq,
            ).where(devices.c.id == device_id)
        ).one_or_none()
    if row is None or not digest_matches(row.secret_hash, secret):
        raise AuthError(NOT_ENROLLED, code="device_unauthenticated")
    state.credentials.remember(device_id, row.tenant_id, row.home_id, row.secret_hash)
    revoked = row.status != "active"
    if revoked and allow_revoked:
        return DeviceContext(device_id, row.tenant_id, row.home_id, int(row.acked_seq), True)
    if revoked:
        record_refusal(state, row.tenant_id, "device.refused_revoked", device_id, {})
        raise Forbidden("This PC has been removed from service by IT.", code="device_revoked")
    return DeviceContext(device_id, row.tenant_id, row.home_id, int(row.acked_seq))


def authenticate_user(request: Request) -> AccessClaims:
    """A signed-in person whose session is still open (signing out ends its access tokens)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 4096:
        raise AuthError("Sign in first.", code="unauthenticated")
    state = state_of(request)
    claims = state.tokens.verify_access(token)
    if not claims.session_id:
        raise AuthError("The access token is not valid.", code="token_invalid")
    with state.tenant(claims.tenant_id, write=False) as conn:
        ended = state.tokens.session_ended(conn, claims)
        access_until = conn.execute(
            sa.select(users.c.access_until).where(
                users.c.tenant_id == claims.tenant_id, users.c.id == claims.user_id
            )
        ).scalar_one_or_none()
    if ended:
        raise AuthError("The session has ended: sign in again.", code="token_revoked")
    expired = signin.access_ended(access_until)
    if expired is not None:
        refuse_expired(state, claims.tenant_id, claims.user_id, claims.device_id, "request")
        raise expired
    return claims


def refuse_expired(
    state: ServerState, tenant_id: str, user_id: str, device_id: str | None, via: str
) -> None:
    """Audit a refusal of someone whose time-limited access has ended (``via`` says where:
    a token refresh or a signed-in request; sign-in audits its own refusals)."""
    entry = audit.AuditEntry(
        "access.refused_expired", user_id, device_id, detail={"code": "access_expired", "via": via}
    )
    record_audit(state, tenant_id, [entry])


def refuse_permission(
    state: ServerState, claims: AccessClaims, action: str, message: str
) -> Forbidden:
    """Audit a refused request of a signed-in person; the caller raises what this returns."""
    record_audit(
        state,
        claims.tenant_id,
        [
            audit.AuditEntry(
                "permission.refused",
                claims.user_id,
                claims.device_id,
                detail={"action": action, "role": claims.role},
            )
        ],
    )
    return Forbidden(message, code="permission_denied")


def touch_device(
    conn: sa.Connection, device: DeviceContext, app_version: str | None, skew_ms: int | None
) -> None:
    values: dict[str, object] = {"last_seen_at": dt.datetime.now(dt.UTC)}
    if app_version:
        values["app_version"] = app_version
    if skew_ms is not None:
        values["clock_skew_ms"] = skew_ms
    conn.execute(sa.update(devices).where(devices.c.id == device.device_id).values(**values))


def device_is_active(state: ServerState, device_id: str) -> bool:
    """Whether an enrolled PC is still in service (checked again by long-lived streams)."""
    with state.lookup(device_id=device_id) as conn:
        status = conn.execute(
            sa.select(devices.c.status).where(devices.c.id == device_id)
        ).scalar_one_or_none()
    return status == "active"
