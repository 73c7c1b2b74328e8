"""The PC's TOTP check (shared/totp.py, standard library only) makes the same codes as the
server's (pyotp) and as RFC 6238's test vector, and refuses replays and stale codes."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from shared import totp
from syncserver.security import mfa


def test_rfc_6238_sha1_vectors() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    # RFC 6238 appendix B, SHA-1, last six of the eight digits.
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"
    assert totp.code_at(secret, 2000000000 // 30) == "279037"


@given(step=st.integers(min_value=0, max_value=2**40))
def test_same_codes_as_the_server(step: int) -> None:
    secret = mfa.new_secret()
    assert totp.code_at(secret, step) == mfa.code_at(secret, step)


@given(offset=st.integers(min_value=-4, max_value=4), last=st.none() | st.integers(-3, 3))
def test_only_the_window_and_only_newer_steps(offset: int, last: int | None) -> None:
    secret = mfa.new_secret()
    now = 1_900_000_000.0
    here = totp.current_step(now)
    found = totp.matching_step(secret, totp.code_at(secret, here + offset), None, now)
    if abs(offset) <= totp.DRIFT_STEPS:
        assert found == here + offset
    last_step = None if last is None else here + last
    again = totp.matching_step(secret, totp.code_at(secret, here + offset), last_step, now)
    in_window = abs(offset) <= totp.DRIFT_STEPS
    newer = last_step is None or here + offset > last_step
    if again is not None:
        assert in_window and newer  # a code from another step may collide: only then
    elif in_window and newer:
        raise AssertionError("a valid, unused code was refused")


def test_malformed_codes_are_refused() -> None:
    secret = mfa.new_secret()
    for code in ("", "12345", "1234567", "abcdef", "12 34 5"):
        assert totp.matching_step(secret, code, None) is None
    assert totp.looks_like_code(" 123 456 ")
