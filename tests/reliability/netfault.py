"""A faulty network on loopback: an asyncio TCP proxy between PCs and the server that, per
request and with seeded randomness, drops the connection, stalls it, delays its traffic,
cuts the request part way, cuts the response part way, or replays the request on a second
connection (a duplicate the server also acts on)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

FAULTS = ("drop", "stall", "delay", "truncate_request", "cut_response", "duplicate")


@dataclass(frozen=True)
class FaultRates:
    """Probability of each fault per request; the rest pass untouched."""

    drop: float = 0.05
    stall: float = 0.01
    delay: float = 0.15
    truncate_request: float = 0.05
    cut_response: float = 0.08
    duplicate: float = 0.06
    max_delay_s: float = 0.15

    @classmethod
    def scaled(cls, total: float) -> FaultRates:
        """The default mix, scaled so that ``total`` of connections see a fault."""
        base = cls()
        factor = total / sum(getattr(base, name) for name in FAULTS)
        return cls(**{name: getattr(base, name) * factor for name in FAULTS})


class FaultyProxy:
    """``start()`` returns the port to connect to; ``counts`` says what was done."""

    def __init__(self, upstream_port: int, seed: int, rates: FaultRates) -> None:
        self.upstream_port = upstream_port
        self.rates = rates
        self.enabled = True
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> int:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        return started.result(timeout=10)

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    @property
    def faults(self) -> int:
        return sum(self.counts[name] for name in FAULTS)

    # -- one connection ----------------------------------------------------------------

    def _choose(self) -> str:
        if not self.enabled:
            return "none"
        roll = self._rng.random()
        for name in FAULTS:
            chance: float = getattr(self.rates, name)
            if roll < chance:
                return name
            roll -= chance
        return "none"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.counts["connections"] += 1
        try:
            await self._relay(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            _close(writer)
            self._tasks.discard(task)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Relay one kept-alive connection. Every exchange (a request and its reply) gets its
        own fault: a request starts when the client sends after the server has answered."""
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        fault = "none"
        rng = random.Random(0)
        awaiting_request = True
        sent_in_reply = 0
        cut_after = 0
        shadow: asyncio.StreamWriter | None = None

        async def to_server() -> None:
            nonlocal fault, rng, awaiting_request, sent_in_reply, cut_after, shadow
            while data := await reader.read(65536):
                if awaiting_request:
                    awaiting_request = False
                    fault = self._choose()
                    self.counts[fault] += 1
                    self.counts["exchanges"] += 1
                    rng = random.Random(self._rng.random())
                    sent_in_reply, cut_after = 0, rng.randint(1, 600)
                    shadow = None
                    if fault == "duplicate":
                        shadow_reader, shadow = await asyncio.open_connection(
                            "127.0.0.1", self.upstream_port
                        )
                        self._spawn(_discard(shadow_reader, shadow))
                if fault == "drop":
                    return
                if fault == "stall":
                    continue  # swallow it; the client gives up on its own timeout
                if fault == "delay":
                    await asyncio.sleep(rng.uniform(0, self.rates.max_delay_s))
                if fault == "truncate_request":
                    up_writer.write(data[: rng.randint(1, max(1, len(data) - 1))])
                    await up_writer.drain()
                    return
                up_writer.write(data)
                await up_writer.drain()
                if shadow is not None:
                    shadow.write(data)
                    with contextlib.suppress(OSError):
                        await shadow.drain()

        async def to_client() -> None:
            nonlocal awaiting_request, sent_in_reply
            while data := await up_reader.read(65536):
                awaiting_request = True
                if fault == "delay":
                    await asyncio.sleep(rng.uniform(0, self.rates.max_delay_s))
                if fault == "cut_response" and sent_in_reply + len(data) >= cut_after:
                    writer.write(data[: cut_after - sent_in_reply])
                    await writer.drain()
                    return
                writer.write(data)
                await writer.drain()
                sent_in_reply += len(data)

        directions = {asyncio.ensure_future(to_server()), asyncio.ensure_future(to_client())}
        try:
            await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for direction in directions:
                direction.cancel()
            await asyncio.gather(*directions, return_exceptions=True)
            _close(up_writer)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _discard(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read the duplicate's replies and throw them away; give up after a while."""
    try:
        async with asyncio.timeout(15):
            while await reader.read(65536):
                pass
    except (TimeoutError, OSError):
        pass
    finally:
        _close(writer)


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
