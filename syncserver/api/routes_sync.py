"""Enrolment and the sync protocol: hello, push, pull and live notifications."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import sqlalchemy as sa
import zstandard
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

from shared.protocol import (
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    TEXT_CHECKED,
    EnrolRequest,
    EnrolResponse,
    HelloRequest,
    HelloResponse,
    PullRequest,
    PushRequest,
    PushResponse,
    negotiate,
)
from shared.pull_page import ARRAY_PAGE_PROTOCOL
from shared.storable import json_text_is_storable
from syncserver import __version__, audit, enrolment
from syncserver.api.announcer import HomeNews
from syncserver.api.deps import (
    ServerState,
    authenticate_device,
    authenticate_device_for_push,
    client_address,
    device_is_active,
    state_of,
    touch_device,
)
from syncserver.api.push_queue import PushJob
from syncserver.crypto import TenantCipher
from syncserver.db.tables import tenants
from syncserver.errors import BadRequest, PayloadTooLarge, ServerError
from syncserver.sync.context import DeviceContext
from syncserver.sync.ingest import IngestResult, ingest
from syncserver.sync.live_pages import (
    LIVE_PAGE_CHANGES,
    for_subscriber,
    notification_with_page,
    plain_notification,
)
from syncserver.sync.pull import pull_json
from syncserver.sync.reply_encoding import compress_reply, response_encoding

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The batch is too large: send fewer changes at a time.")
    chunks = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise PayloadTooLarge("The batch is too large: send fewer changes at a time.")
            chunks.append(chunk)
    except ClientDisconnect:
        raise BadRequest(
            "The batch was cut off before it arrived in full: send it again.",
            code="incomplete_body",
        ) from None
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "").lower()
    try:
        if encoding == "gzip":
            raw = _gunzip(raw)
        elif encoding == "zstd":
            raw = _unzstd(raw)
        elif encoding not in ("", "identity"):
            raise BadRequest(f"Unsupported content encoding {encoding!r}.", code="bad_encoding")
    except (OSError, EOFError, zlib.error, zstandard.ZstdError):
        raise BadRequest("The compressed batch is damaged.", code="bad_encoding") from None
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The batch is too large: send fewer changes at a time.")
    return raw


def _gunzip(raw: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(raw, MAX_BODY_BYTES + 1)
    if len(out) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The batch is too large: send fewer changes at a time.")
    if not inflater.eof:
        raise BadRequest("The compressed batch is damaged.", code="bad_encoding")
    return out


def _unzstd(raw: bytes) -> bytes:
    # ``decompress`` trusts the frame's declared size (a bomb allocates it all) and calls a
    # frame without one that outgrows its limit "damaged"; a bounded read does neither.
    out = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read(MAX_BODY_BYTES + 1)
    if len(out) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The batch is too large: send fewer changes at a time.")
    check = zstandard.ZstdDecompressor().decompressobj()
    check.decompress(raw)  # at most the size just read: detects a truncated frame
    if not check.eof:
        raise BadRequest("The compressed batch is damaged.", code="bad_encoding")
    return out


Model = TypeVar("Model", bound=BaseModel)


def _parse(model: type[Model], raw: bytes) -> Model:
    # Text that cannot hold an unstorable value is not searched for one value by value.
    context = {TEXT_CHECKED: True} if json_text_is_storable(raw) else None
    try:
        return model.model_validate_json(raw, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadRequest(f"{where or 'batch'}: {first['msg']}", code="malformed_batch") from None


_MAX_SKEW_MS = 10 * 365 * 24 * 3600 * 1000


def _clock_skew_ms(now_ms: int, header: str) -> int | None:
    """The PC's clock error from its ``x-client-time-ms`` header; None when the header is
    missing or nonsense (skew is only recorded, never a reason to refuse)."""
    try:
        client_ms = int(header)
    except ValueError:
        return None
    return max(-_MAX_SKEW_MS, min(_MAX_SKEW_MS, now_ms - client_ms))


def _check_protocol(version: int) -> None:
    if negotiate(version, version) is None:
        raise BadRequest(
            f"Protocol version {version} is not supported by this server: update the app.",
            code="protocol_unsupported",
        )


@router.post("/devices/enrol")
def enrol(body: EnrolRequest, request: Request) -> EnrolResponse:
    state = state_of(request)
    state.limiter.check(client_address(request))
    # The code is the only thing that names the tenant: look it up by its hash, then enrol
    # inside that tenant (the claim of the code is atomic there).
    with state.lookup(enrol_code_hash=enrolment.enrol_code_hash(body.code)) as conn:
        tenant_id = enrolment.enrol_code_tenant(conn, body.code)
    if tenant_id is None:
        raise enrolment.unknown_code()
    with state.tenant(tenant_id) as conn:
        result = enrolment.enrol_device(conn, body.code, body.device_name, body.app_version)
    return EnrolResponse(
        device_id=result.device_id,
        device_secret=result.device_secret,
        tenant_id=result.tenant_id,
        tenant_name=result.tenant_name,
        home_id=result.home_id,
        home_name=result.home_name,
    )


@router.post("/sync/hello")
def hello(
    body: HelloRequest, request: Request, device: DeviceContext = Depends(authenticate_device)
) -> HelloResponse:
    protocol = negotiate(body.min_protocol, body.max_protocol)
    if protocol is None:
        raise BadRequest(
            "This app is too old or too new for the server: ask IT to update it.",
            code="protocol_unsupported",
        )
    state = state_of(request)
    now_ms = int(time.time() * 1000)
    client_ms = request.headers.get("x-client-time-ms", "")
    skew = _clock_skew_ms(now_ms, client_ms)
    with state.tenant(device.tenant_id) as conn:
        touch_device(conn, device, body.app_version, skew)
        seq = conn.execute(
            sa.select(tenants.c.seq).where(tenants.c.id == device.tenant_id)
        ).scalar_one()
    return HelloResponse(
        protocol=protocol,
        server_version=__version__,
        tenant_id=device.tenant_id,
        home_id=device.home_id,
        server_seq=int(seq),
        server_time_ms=now_ms,
    )


@router.post("/sync/push")
async def push(
    request: Request, device: DeviceContext = Depends(authenticate_device_for_push)
) -> PushResponse:
    raw = await _body(request)
    state = state_of(request)
    # Parsed on a database thread: a large batch does not hold up other PCs' requests.
    batch = await state.run_db(functools.partial(_parse_push, raw))

    def apply(conn: sa.Connection, shared: dict[str, Any]) -> IngestResult:
        # One cipher per tenant per transaction: its data key is looked up once per group.
        key = f"cipher:{device.tenant_id}"
        cipher = shared.get(key)
        if not isinstance(cipher, TenantCipher):
            cipher = shared[key] = state.cipher.for_tenant(conn, device.tenant_id)
        return ingest(conn, device, batch.changes, cipher)

    def refused(conn: sa.Connection, exc: ServerError) -> None:
        detail = {"code": exc.code, "reason": exc.message[:300]}
        entry = audit.AuditEntry("push.refused", device_id=device.device_id, detail=detail)
        audit.append(conn, device.tenant_id, [entry])

    def committed(result: IngestResult) -> None:
        # Before the push is answered, so a checkpoint is never more than one push late.
        if result.audit_seq:
            state.checkpoint_after_push(device.tenant_id, result.audit_seq)
        if result.applied:
            state.announcer(functools.partial(_announce, state)).committed(
                device.tenant_id,
                result.touched_homes,
                result.seq_before,
                result.server_seq,
                result.applied,
            )

    result = await state.push_queue().run(PushJob(device.tenant_id, apply, refused, committed))
    return PushResponse(
        protocol=batch.protocol,
        acknowledged_seq=result.acknowledged_seq,
        applied=result.applied,
        duplicates=result.duplicates,
        review_items=result.review_items,
        server_seq=result.server_seq,
    )


def _parse_push(raw: bytes) -> PushRequest:
    batch = _parse(PushRequest, raw)
    _check_protocol(batch.protocol)
    return batch


def _announce(state: ServerState, tenant_id: str, home_id: str, news: HomeNews) -> None:
    """Tell the PCs listening in one home of what was pushed there; with the changes for
    those that take them (see syncserver.sync.live_pages)."""
    payload = plain_notification(news.server_seq)
    if news.changes <= LIVE_PAGE_CHANGES and state.live.wants_pages(tenant_id, home_id):
        try:
            with state.tenant(tenant_id, write=False) as conn:
                cipher = state.cipher.for_tenant(conn, tenant_id)
                payload = notification_with_page(
                    conn, tenant_id, home_id, news.server_seq, from_seq=news.from_seq, cipher=cipher
                )
        except Exception:  # the push is committed: a plain notice makes the PCs pull
            log.warning("live updates: the changes of a push could not be read", exc_info=True)
    state.live.publish(tenant_id, home_id, payload)


@router.post("/sync/pull")
async def pull(request: Request, device: DeviceContext = Depends(authenticate_device)) -> Response:
    body = _parse(PullRequest, await _body(request))
    _check_protocol(body.protocol)
    state = state_of(request)

    def run() -> bytes:
        with state.tenant(device.tenant_id, write=False) as conn:
            return pull_json(
                conn,
                device,
                body.protocol,
                body.cursor,
                min(body.limit, MAX_PULL_LIMIT),
                cipher=state.cipher.for_tenant(conn, device.tenant_id),
                count_scope=body.count_scope,
            )

    encoding = response_encoding(request.headers.get("accept-encoding", ""))

    def run_compressed() -> tuple[bytes, dict[str, str]]:
        return compress_reply(run(), encoding)

    content, headers = await asyncio.to_thread(run_compressed)
    return Response(content, media_type="application/json", headers=headers)


@router.get("/sync/live")
async def live(
    request: Request,
    device: DeviceContext = Depends(authenticate_device),
    pages: int | None = Query(
        default=None,
        description="3: notifications carry the changes as a protocol 3 pull page when small",
    ),
) -> StreamingResponse:
    """Server-sent events: one ``data:`` line per commit that touched this PC's home."""
    state = state_of(request)
    hub = state.live
    with_pages = pages is not None and pages >= ARRAY_PAGE_PROTOCOL
    queue = hub.subscribe(device.tenant_id, device.home_id, pages=with_pages)

    async def stream() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield b": keep-alive\n\n"
                    continue
                text, has_records = for_subscriber(payload, pages=with_pages)
                # Records go only to a PC still in service (the stream outlives a revocation).
                if has_records and not await asyncio.to_thread(
                    device_is_active, state, device.device_id
                ):
                    return
                yield f"data: {text}\n\n".encode()
        finally:
            with contextlib.suppress(Exception):
                hub.unsubscribe(device.tenant_id, device.home_id, queue, pages=with_pages)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )
