"""The simulated PCs' HTTP client against a scripted loopback server: the request on the
wire, and replies framed by Content-Length, by chunks, or ending with the connection."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from benchmarks import loadgen

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


async def _exchange(
    replies: list[bytes], requests: list[bytes]
) -> tuple[list[loadgen.Reply], list[bytes], int]:
    """Send ``requests`` in turn to a server that answers each with the next of ``replies``
    (closing the connection after a reply without framing); returns the replies, the heads
    the server received and how many connections it accepted."""
    heads: list[bytes] = []
    accepted = 0
    pending = list(replies)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        while pending:
            try:
                head, _ = await _read_request(reader)
            except asyncio.IncompleteReadError:
                break
            heads.append(head)
            reply = pending.pop(0)
            writer.write(reply)
            await writer.drain()
            if b"content-length" not in reply.lower() and b"chunked" not in reply.lower():
                break
            if b"connection: close" in reply.lower():
                break
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = loadgen.Connection(loadgen.Origin("127.0.0.1", port), timeout_s=10)
    try:
        got = [await connection.send(r) for r in requests]
    finally:
        await connection.close()
        server.close()
        await server.wait_closed()
    return got, heads, accepted


def test_the_request_carries_host_length_type_and_the_given_headers() -> None:
    request = loadgen.post_request(
        "http://127.0.0.1:8123/v1/sync/push", b'{"a": 1}', {"authorization": "Device x.y"}
    )
    head, body = request.split(b"\r\n\r\n", 1)
    assert body == b'{"a": 1}'
    assert head.split(b"\r\n") == [
        b"POST /v1/sync/push HTTP/1.1",
        b"Host: 127.0.0.1:8123",
        b"Content-Length: 8",
        b"Content-Type: application/json",
        b"authorization: Device x.y",
    ]


def test_the_client_refuses_headers_that_would_change_the_framing() -> None:
    with pytest.raises(ValueError, match="content-length"):
        loadgen.post_request("http://h:1/p", b"", {"Content-Length": "3"})


def test_replies_by_length_share_one_connection() -> None:
    request = loadgen.post_request("http://127.0.0.1:1/p", b"x", {})
    replies = [
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nfirst",
        b"HTTP/1.1 409 Conflict\r\nContent-Length: 6\r\n\r\nsecond",
    ]
    got, heads, accepted = asyncio.run(_exchange(replies, [request, request]))
    assert [(r.status, r.body) for r in got] == [(200, b"first"), (409, b"second")]
    assert len(heads) == 2
    assert accepted == 1


def test_a_chunked_reply_is_joined_and_the_connection_kept() -> None:
    request = loadgen.post_request("http://127.0.0.1:1/p", b"x", {})
    replies = [
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"4\r\nwiki\r\n6;ext=1\r\npedia \r\n0\r\ntrailer: t\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    ]
    got, _, accepted = asyncio.run(_exchange(replies, [request, request]))
    assert [r.body for r in got] == [b"wikipedia ", b"ok"]
    assert accepted == 1


def test_after_connection_close_the_next_request_opens_a_new_connection() -> None:
    request = loadgen.post_request("http://127.0.0.1:1/p", b"x", {})
    replies = [
        b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\na",
        b"HTTP/1.1 500 Internal Server Error\r\n\r\nbody until the end",
    ]
    got, _, accepted = asyncio.run(_exchange(replies, [request, request]))
    assert [(r.status, r.body) for r in got] == [(200, b"a"), (500, b"body until the end")]
    assert accepted == 2


def test_a_reply_that_is_not_http_is_a_protocol_error() -> None:
    request = loadgen.post_request("http://127.0.0.1:1/p", b"x", {})
    with pytest.raises(loadgen.ProtocolError, match="status line"):
        asyncio.run(_exchange([b"SSH-2.0-OpenSSH\r\n\r\n"], [request]))
