"""A minimal HTTP/1.1 client for the simulated PCs: one keep-alive connection each, requests
built as bytes before the clock starts, replies read straight off an asyncio stream. The PCs
share the server's cores, so they should cost as little CPU as a separate machine would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"
_LINE_END = b"\r\n"
_FRAMING = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class ProtocolError(RuntimeError):
    """The server's reply is not HTTP/1.1 as this client reads it."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Origin:
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only plain http://host:port URLs are supported: {url}")
        return cls(parts.hostname, parts.port or 80)

    @property
    def host_header(self) -> str:
        return self.host if self.port == 80 else f"{self.host}:{self.port}"


def post_request(url: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The whole POST as it goes on the wire. ``headers`` must not set the framing itself
    (Host, Content-Length, Transfer-Encoding, Connection); Content-Type defaults to JSON."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    framing = sorted(_FRAMING.intersection(name.lower() for name in headers))
    if framing:
        raise ValueError(f"the client sets these headers itself: {', '.join(framing)}")
    lines = [
        f"POST {target} HTTP/1.1",
        f"Host: {Origin.of(url).host_header}",
        f"Content-Length: {len(body)}",
    ]
    if not any(name.lower() == "content-type" for name in headers):
        lines.append("Content-Type: application/json")
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive connection; requests go one at a time. Reconnects when the server said
    ``Connection: close`` on the previous reply."""

    def __init__(self, origin: Origin, timeout_s: float) -> None:
        self._origin = origin
        self._timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> Reply:
        """Send one request built by ``post_request`` and read its whole reply. A failure
        midway leaves the connection unusable, so it is dropped."""
        try:
            async with asyncio.timeout(self._timeout_s):
                if self._reader is None or self._writer is None:
                    self._reader, self._writer = await asyncio.open_connection(
                        self._origin.host, self._origin.port
                    )
                self._writer.write(request)
                await self._writer.drain()
                reply, keep_alive = await _read_reply(self._reader)
        except BaseException:
            self._drop()
            raise
        if not keep_alive:
            await self.close()
        return reply

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """The status, the body, and whether the connection stays open after it."""
    try:
        head = await reader.readuntil(_HEAD_END)
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError(
            f"the server closed the connection before replying: {exc.partial[:200]!r}"
        ) from exc
    status_line, *header_lines = head[: -len(_HEAD_END)].decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:200]!r}")
    status = int(rest[:3])
    fields: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ProtocolError(f"malformed header line: {line[:200]!r}")
        fields[name.strip().lower()] = value.strip()
    keep_alive = fields.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in fields:
        body = await reader.readexactly(int(fields["content-length"]))
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body = await reader.read()  # delimited by the server closing the connection
        keep_alive = False
    return Reply(status, body), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(_LINE_END)
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise ProtocolError(f"bad chunk size: {size_line[:100]!r}") from exc
        if size == 0:
            while await reader.readuntil(_LINE_END) != _LINE_END:
                pass  # trailer fields, unused
            return b"".join(parts)
        chunk = await reader.readexactly(size + len(_LINE_END))
        if not chunk.endswith(_LINE_END):
            raise ProtocolError("a chunk did not end with CRLF")
        parts.append(chunk[:size])
