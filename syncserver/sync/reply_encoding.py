"""Compression of pull replies: a page of a few thousand records is mostly repeated field names
and ids, so it shrinks several times over; that matters on a care home's slow broadband.

zstd is preferred (faster and smaller than gzip at the levels used), gzip is the fallback every
HTTP client understands, and a client that asks for neither gets the plain JSON."""

from __future__ import annotations

import gzip

import zstandard

COMPRESS_FROM_BYTES = 1024
ZSTD_LEVEL = 3
GZIP_LEVEL = 5
SUPPORTED = ("zstd", "gzip")


def response_encoding(accept_encoding: str) -> str | None:
    """The encoding to answer with, from an ``Accept-Encoding`` header (q=0 means refused)."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            accepted[name.strip().lower()] = quality
    for encoding in SUPPORTED:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def compress_reply(content: bytes, encoding: str | None) -> tuple[bytes, dict[str, str]]:
    """The body to send and the headers that describe it."""
    headers = {"vary": "accept-encoding"}
    if encoding is None or len(content) < COMPRESS_FROM_BYTES:
        return content, headers
    if encoding == "zstd":
        packed = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(content)
    else:
        packed = gzip.compress(content, compresslevel=GZIP_LEVEL)
    return packed, {**headers, "content-encoding": encoding}
