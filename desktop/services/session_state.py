"""Who is signed in, and the sign-ins waiting for an authenticator code (``SessionService``).

The password hasher and verifiers live here too: argon2id, cheap enough for a ward PC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

if TYPE_CHECKING:
    from shared.protocol import MfaChallenge

hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True)
class CurrentUser:
    user_id: str
    username: str
    display_name: str
    role: str
    # When this person's access ends (inspectors), in ms since the epoch; None: it does not.
    access_until_ms: int | None = None


@dataclass(frozen=True)
class VerifiedWitness:
    """A second member of staff who proved who they are on this PC (``verify_witness``)."""

    user_id: str
    display_name: str
    role: str


@dataclass(frozen=True)
class PendingMfa:
    """A first sign-in waiting for its second factor: the password is kept only as the
    verifier it will leave on this PC."""

    challenge: MfaChallenge
    username: str
    verifier: str


@dataclass(frozen=True)
class PendingCode:
    """A sign-in on this PC whose password or PIN was right, waiting for the authenticator
    code (checked here). The password stays in memory only, for a recovery code, which needs
    the server."""

    user_id: str
    username: str
    password: str | None
    expires_ms: int


@dataclass(frozen=True)
class StaffMember:
    user_id: str
    username: str
    display_name: str
    role: str
    signed_in_here_before: bool
    has_pin: bool


def verify(verifier: str | None, secret: str) -> bool:
    if not verifier:
        return False
    try:
        return hasher.verify(verifier, secret)
    except (VerificationError, InvalidHashError):
        return False
