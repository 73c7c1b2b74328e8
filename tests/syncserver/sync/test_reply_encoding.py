"""Choosing and applying the compression of pull replies."""

from __future__ import annotations

import gzip

import zstandard
from hypothesis import given
from hypothesis import strategies as st

from syncserver.sync.reply_encoding import COMPRESS_FROM_BYTES, compress_reply, response_encoding


def test_zstd_is_preferred_then_gzip() -> None:
    assert response_encoding("gzip, deflate, zstd") == "zstd"
    assert response_encoding("gzip, deflate") == "gzip"
    assert response_encoding("GZIP;q=0.5") == "gzip"
    assert response_encoding("*") == "zstd"


def test_refused_or_unknown_encodings_get_plain_json() -> None:
    assert response_encoding("") is None
    assert response_encoding("identity") is None
    assert response_encoding("br, deflate") is None
    assert response_encoding("zstd;q=0, gzip;q=0") is None
    assert response_encoding("*;q=0") is None
    assert response_encoding("zstd;q=0, *") == "gzip"
    assert response_encoding("gzip;q=nonsense") is None


def test_small_replies_are_sent_as_they_are() -> None:
    body, headers = compress_reply(b"{}", "zstd")
    assert body == b"{}"
    assert "content-encoding" not in headers
    assert headers["vary"] == "accept-encoding"


@given(st.binary(min_size=COMPRESS_FROM_BYTES, max_size=20_000), st.sampled_from(["zstd", "gzip"]))
def test_a_compressed_reply_decodes_to_the_original(content: bytes, encoding: str) -> None:
    body, headers = compress_reply(content, encoding)
    assert headers["content-encoding"] == encoding
    if encoding == "zstd":
        decoded = zstandard.ZstdDecompressor().decompress(body)
    else:
        decoded = gzip.decompress(body)
    assert decoded == content


@given(st.text(max_size=60))
def test_any_header_is_answered_without_error(header: str) -> None:
    assert response_encoding(header) in (None, "zstd", "gzip")
