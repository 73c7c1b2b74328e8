"""Live updates: tell connected PCs of a home that new changes are ready, as soon as a push
commits. In one process the fan-out is in memory; across processes it goes through Redis
pub/sub when ``WCN_REDIS_URL`` is set. The pull cursor stays the source of truth: a missed
notification only delays a change until the next pull."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections import defaultdict
from typing import Any

log = logging.getLogger(__name__)
CHANNEL = "wcn:live"
# Each process keeps, in a Redis set of its own, the homes where a PC listening to it takes
# notifications with their changes; a process builds those pages only for such homes.
PAGE_HOMES_KEY = "wcn:live:page-homes:"
PAGE_HOMES_TTL_S = 30  # a set outlives its process by at most this
PAGE_HOMES_SYNC_S = 1.0  # how often a process shares its set and reads the others'


class LiveHub:
    def __init__(self, redis_url: str = "") -> None:
        self._subscribers: dict[
            tuple[str, str], set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]]
        ] = defaultdict(set)
        self._lock = threading.Lock()
        self._page_readers: dict[tuple[str, str], int] = defaultdict(int)
        self._redis_url = redis_url
        self._redis: Any = None
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._page_homes_key = PAGE_HOMES_KEY + uuid.uuid4().hex
        self._remote_page_homes: frozenset[str] = frozenset()
        self._page_homes_synced_at = 0.0

    def start(self) -> None:
        if not self._redis_url:
            return
        import redis

        self._redis = redis.Redis.from_url(self._redis_url)
        self._listener = threading.Thread(target=self._listen, name="wcn-live-redis", daemon=True)
        self._listener.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                self._redis.delete(self._page_homes_key)
            with contextlib.suppress(Exception):
                self._redis.close()

    def _listen(self) -> None:
        import redis

        while not self._stopping.is_set():
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stopping.is_set():
                    self._sync_page_homes()
                    message = pubsub.get_message(timeout=PAGE_HOMES_SYNC_S)
                    if message is not None:
                        data = json.loads(message["data"])
                        self._deliver(data["tenant"], data["home"], data["payload"])
            except (redis.RedisError, OSError, ValueError) as exc:
                if self._stopping.is_set():
                    return  # stop() closed the client under us: a normal shutdown
                log.warning("live updates: Redis connection lost (%s); retrying", exc)
                self._stopping.wait(1.0)

    def subscribe(self, tenant_id: str, home_id: str, *, pages: bool = False) -> asyncio.Queue[str]:
        """``pages``: this subscriber takes notifications with the changes in them."""
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=100)
        with self._lock:
            self._subscribers[(tenant_id, home_id)].add((asyncio.get_running_loop(), queue))
            if pages:
                self._page_readers[(tenant_id, home_id)] += 1
        return queue

    def unsubscribe(
        self, tenant_id: str, home_id: str, queue: asyncio.Queue[str], *, pages: bool = False
    ) -> None:
        with self._lock:
            subs = self._subscribers.get((tenant_id, home_id), set())
            for item in list(subs):
                if item[1] is queue:
                    subs.discard(item)
            if pages and self._page_readers.get((tenant_id, home_id), 0) > 0:
                self._page_readers[(tenant_id, home_id)] -= 1

    def wants_pages(self, tenant_id: str, home_id: str) -> bool:
        """Whether a notification for this home should carry its changes: some PC listening
        here takes them, or (through Redis) one listening to another process does. A PC
        that has just connected elsewhere is known here within a second or two; until then
        it is told plainly and pulls."""
        with self._lock:
            if self._page_readers.get((tenant_id, home_id), 0) > 0:
                return True
        return _home_key(tenant_id, home_id) in self._remote_page_homes

    def _sync_page_homes(self) -> None:
        """Share this process's page-reading homes and read every process's (Redis)."""
        now = time.monotonic()
        if now - self._page_homes_synced_at < PAGE_HOMES_SYNC_S:
            return
        self._page_homes_synced_at = now
        with self._lock:
            mine = [_home_key(t, h) for (t, h), n in self._page_readers.items() if n > 0]
        pipe = self._redis.pipeline()
        pipe.delete(self._page_homes_key)
        if mine:
            pipe.sadd(self._page_homes_key, *mine)
            pipe.expire(self._page_homes_key, PAGE_HOMES_TTL_S)
        pipe.execute()
        keys = list(self._redis.scan_iter(match=PAGE_HOMES_KEY + "*", count=1000))
        homes = self._redis.sunion(keys) if keys else set()
        self._remote_page_homes = frozenset(
            h.decode() if isinstance(h, bytes) else str(h) for h in homes
        )

    def publish(self, tenant_id: str, home_id: str, payload: str) -> None:
        """Called from any thread after a commit."""
        if self._redis is not None:
            try:
                self._redis.publish(
                    CHANNEL, json.dumps({"tenant": tenant_id, "home": home_id, "payload": payload})
                )
                return
            except Exception as exc:  # Redis down: still tell this process's PCs
                log.warning("live updates: Redis publish failed (%s)", exc)
        self._deliver(tenant_id, home_id, payload)

    def _deliver(self, tenant_id: str, home_id: str, payload: str) -> None:
        with self._lock:
            targets = list(self._subscribers.get((tenant_id, home_id), ()))
        for loop, queue in targets:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_offer, queue, payload)


def _offer(queue: asyncio.Queue[str], payload: str) -> None:
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(payload)


def _home_key(tenant_id: str, home_id: str) -> str:
    return f"{tenant_id}|{home_id}"
