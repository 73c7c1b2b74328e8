"""Second factor for managers and admins: TOTP (RFC 6238, 30-second steps, 6 digits) with
every code usable once, and single-use recovery codes stored as digests.

A code is accepted for the step before, the current step or the step after (clock drift), and
only if its step is later than the last step accepted for that person: the same code, or an
older one, can never be replayed within its window. Recovery codes carry 80 random bits, so a
SHA-256 digest (salted with the user id) stores them safely.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
ISSUER = "WriteCareNotes"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each


def new_secret() -> str:
    """A 160-bit base32 secret, as authenticator apps expect."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, provider_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans (shown as a QR code)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=f"{ISSUER} ({provider_name})"
    )


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step))


def matching_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than ``last_step``."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
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


def new_recovery_codes(
    count: int = RECOVERY_CODES, choice: Callable[[str], str] = secrets.choice
) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def recovery_digest(user_id: str, code: str) -> str:
    material = f"wcn-recovery/v1|{user_id}|{normalise_recovery_code(code)}"
    return hashlib.sha256(material.encode()).hexdigest()
