"""Rate limits on the sign-in endpoints: token buckets per PC and username, per person at the
MFA step, and per client address.

In one process the buckets live in memory; with ``WCN_REDIS_URL`` they live in Redis (one
atomic script per attempt, Redis's own clock), so every server process shares them. If Redis
cannot be reached the process falls back to its own buckets rather than refusing everyone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from syncserver.errors import TooManyRequests

log = logging.getLogger(__name__)
_MAX_BUCKETS = 100_000


@dataclass(frozen=True)
class Rate:
    """``capacity`` attempts at once, refilled at ``capacity`` per ``per_seconds``."""

    capacity: int
    per_seconds: float = 60.0


class Buckets(Protocol):
    def take(self, key: str, rate: Rate) -> float:
        """Spend one token: 0 when allowed, else the seconds until one is available."""
        ...


class MemoryBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: Rate) -> float:
        now = self._clock()
        with self._lock:
            tokens, at = self._state.get(key, (float(rate.capacity), now))
            tokens = min(
                float(rate.capacity), tokens + (now - at) * rate.capacity / rate.per_seconds
            )
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._state[key] = (tokens, now)
                wait = (1 - tokens) * rate.per_seconds / rate.capacity
            if len(self._state) > _MAX_BUCKETS:
                self._prune(now, rate)
        return wait

    def _prune(self, now: float, rate: Rate) -> None:
        # Forget buckets that have been idle long enough to be full again.
        stale = [k for k, (_t, at) in self._state.items() if now - at > rate.per_seconds]
        for key in stale:
            del self._state[key]


_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local capacity = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * capacity / per)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) * per / capacity end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(per * 2000))
return tostring(wait)
"""


class RedisBuckets:
    def __init__(self, url: str, prefix: str = "wcn:rl:") -> None:
        import redis

        self._client: Any = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._script: Any = self._client.register_script(_TAKE)
        self._prefix = prefix
        self._fallback = MemoryBuckets()

    def take(self, key: str, rate: Rate) -> float:
        import redis

        try:
            return float(
                self._script(keys=[self._prefix + key], args=[rate.capacity, rate.per_seconds])
            )
        except redis.RedisError as exc:
            log.warning("rate limits: Redis unavailable (%s); using this process's buckets", exc)
            return self._fallback.take(key, rate)

    def close(self) -> None:
        self._client.close()


class SignInLimiter:
    """The sign-in endpoints' limits, refusing with 429 ``too_many_requests``."""

    def __init__(self, buckets: Buckets, per_user: Rate, per_address: Rate) -> None:
        self.buckets = buckets
        self.per_user = per_user
        self.per_address = per_address

    @classmethod
    def from_settings(
        cls, redis_url: str, per_user_per_minute: int, per_address_per_minute: int
    ) -> SignInLimiter:
        buckets: Buckets = RedisBuckets(redis_url) if redis_url else MemoryBuckets()
        return cls(buckets, Rate(per_user_per_minute), Rate(per_address_per_minute))

    def check(self, address: str | None, *user_keys: str) -> None:
        waits = [self.buckets.take(f"addr:{address or 'unknown'}", self.per_address)]
        waits += [self.buckets.take(f"user:{key}", self.per_user) for key in user_keys]
        wait = max(waits)
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            raise TooManyRequests(
                f"Too many sign-in attempts: wait {seconds} second(s) and try again.",
                detail={"retry_after_s": seconds},
            )
