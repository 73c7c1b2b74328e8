"""Time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as authenticator
apps make them. The server and a ward PC (checking a manager's code offline) both use this.

A code is accepted for the step before, the current step or the step after (clock drift), and
only if its step is later than the last step accepted for that person, so a code can never be
used twice, nor an older one after a newer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def _key(secret: str) -> bytes:
    cleaned = secret.strip().replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code_at(secret: str, step: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def looks_like_code(code: str) -> bool:
    cleaned = code.strip().replace(" ", "")
    return len(cleaned) == DIGITS and cleaned.isdigit()


def matching_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than ``last_step``."""
    code = code.strip().replace(" ", "")
    if not looks_like_code(code):
        return None
    here = current_step(now)
    found = None
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        # Every candidate is compared, so the time taken does not say which one matched.
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found
