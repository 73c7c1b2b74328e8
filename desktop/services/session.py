"""Who is signed in on this shared PC.

The first sign-in of a person on a PC checks the password with the server and leaves an
argon2id verifier on the PC; later sign-ins work offline against it. After a first full
sign-in a person may set a PIN for quick switching. Repeated failures lock the account on
this PC for a while; a person disabled on the server is refused after the PC's next sync.

An inspector's access ends at a time IT sets (``access_until`` on their staff record, which
syncs here): after it they cannot sign in here either, even offline, and an open session ends
at its next action, checked against ``TrustedClock`` (the PC's clock may be wrong).

Managers and admins (when the server enforces MFA) also give the code of their authenticator
app: the first time here the server checks it and gives this PC their secret (kept in the
encrypted store), so every later sign-in here, with password or PIN, asks for a code this PC
checks itself, offline too (see docs/security.md, "Second factor on the PC").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, MfaRequired, NotSignedIn, SignInFailed
from desktop.services.session_state import (
    CurrentUser,
    PendingCode,
    PendingMfa,
    StaffMember,
    VerifiedWitness,
    hasher,
    verify,
)
from desktop.services.trusted_clock import TrustedClock, from_ms, to_ms
from desktop.store import local_users
from desktop.store import records as records_repo
from desktop.store.local_users import LocalUser
from desktop.sync.errors import Offline, ServerRefused
from shared import access_expiry, totp
from shared.permissions import CARE_ROLES

if TYPE_CHECKING:  # loaded with the client, when the server is first asked
    from desktop.sync.client import SyncClient
    from shared.protocol import LoginResponse, MfaEnrolResponse

__all__ = ["CurrentUser", "SessionService", "StaffMember", "VerifiedWitness"]
T = TypeVar("T")
MAX_FAILURES = 5
LOCKOUT_MS = 5 * 60 * 1000
DEFAULT_LOCK_MINUTES = 5
CODE_WAIT_MS = 5 * 60 * 1000  # how long a right password waits for its authenticator code
ASK_FOR_CODE = "Type the six-digit code from your authenticator app to finish signing in."


class SessionService:
    def __init__(self, context: AppContext, now_ms: Callable[[], int] | None = None) -> None:
        self._context = context
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._current: CurrentUser | None = None
        self._pending_mfa: PendingMfa | None = None
        self._pending_code: PendingCode | None = None
        self._clock = TrustedClock(context, self._now_ms)
        # Handed out once, when a manager confirms a new authenticator app: show them.
        self.last_recovery_codes: list[str] = []

    @property
    def current(self) -> CurrentUser | None:
        return self._current

    def require(self) -> CurrentUser:
        if self._current is None:
            raise NotSignedIn("Sign in first.")
        until_ms = self._current.access_until_ms
        if until_ms is not None and self._clock.cached_now_ms() >= until_ms:
            self.sign_out()
            raise NotSignedIn(access_expiry.ended_message(from_ms(until_ms)))
        return self._current

    def staff(self) -> list[StaffMember]:
        """Active staff of this home, for the sign-in screen's list."""
        home = self._context.device.home_id
        with self._context.store.read() as conn:
            known = {u.user_id: u for u in local_users.all_users(conn)}
            people = records_repo.by_entity(conn, "staff_user")
        result = []
        for person in people:
            f = person.fields
            if not f.get("active") or home not in f.get("home_ids", []):
                continue
            if f.get("role") in ("it_admin", "inspector"):
                continue
            local = known.get(person.record_id)
            result.append(
                StaffMember(
                    person.record_id,
                    f["username"],
                    f["display_name"],
                    f["role"],
                    local is not None,
                    bool(local and local.pin_verifier),
                )
            )
        return sorted(result, key=lambda s: s.display_name)

    def _profile(self, user_id: str) -> dict[str, object] | None:
        with self._context.store.read() as conn:
            record = records_repo.get(conn, user_id)
        return record.fields if record and record.entity == "staff_user" else None

    def _check_active(self, user_id: str) -> dict[str, object]:
        profile = self._profile(user_id)
        if profile is None or not profile.get("active"):
            raise SignInFailed("This account has been disabled: speak to your manager.")
        until = access_expiry.parse_until(profile.get("access_until"))
        if until is not None and self._clock.now_ms() >= to_ms(until):
            raise SignInFailed(access_expiry.ended_message(until))
        return profile

    def _check_lock(self, failures: int, locked_until_ms: int | None) -> None:
        if locked_until_ms and locked_until_ms > self._now_ms():
            minutes = max(1, (locked_until_ms - self._now_ms() + 59_999) // 60_000)
            raise SignInFailed(
                f"Too many wrong attempts: try again in {minutes} minute(s), or ask a colleague "
                "to sign in."
            )

    def _fail(self, user_id: str, what: str = "That is not right.") -> SignInFailed:
        with self._context.store.write() as conn:
            current = local_users.by_id(conn, user_id)
            failures = (current.failed_attempts if current else 0) + 1
            locked = self._now_ms() + LOCKOUT_MS if failures >= MAX_FAILURES else None
            local_users.record_failure(conn, user_id, locked)
        if locked:
            self._pending_code = None
            return SignInFailed("Too many wrong attempts: this account is locked for 5 minutes.")
        return SignInFailed(
            f"{what} {MAX_FAILURES - failures} attempt(s) left before a short lock."
        )

    def sign_in(
        self, username: str, password: str, *, client: SyncClient | None = None
    ) -> CurrentUser:
        username = username.strip()
        if not username or not password:
            raise InvalidInput("Type your username and password.", field="password")
        with self._context.store.read() as conn:
            local = local_users.by_username(conn, username)
        self._pending_code = None
        if local is not None:
            self._check_lock(local.failed_attempts, local.locked_until_ms)
            profile = self._check_active(local.user_id)
            if not verify(local.password_verifier, password):
                raise self._fail(local.user_id)
            self._ask_for_code(local, password)
            with self._context.store.write() as conn:
                local_users.record_success(conn, local.user_id, self._now_ms())
            return self._become(local.user_id, username, profile)
        return self._first_sign_in(username, password, client)

    def _ask_for_code(self, local: LocalUser, password: str | None) -> None:
        """The first factor was right: a manager's sign-in here also needs their code."""
        if local.needs_code:
            self._pending_code = PendingCode(
                local.user_id, local.username, password, self._now_ms() + CODE_WAIT_MS
            )
            raise MfaRequired(ASK_FOR_CODE, enrolled=True)

    def _first_sign_in(
        self, username: str, password: str, client: SyncClient | None
    ) -> CurrentUser:
        own_client = client is None
        client = client or self._context.client()
        self._pending_mfa = None
        try:
            reply = client.login(username, password)
        except Offline:
            raise SignInFailed(
                "The first time you sign in on this PC it must reach the server, and it cannot "
                "right now. Ask a colleague who has signed in here before, or try again later."
            ) from None
        except ServerRefused as exc:
            raise SignInFailed(exc.message) from None
        finally:
            if own_client:
                client.close()
        from shared.protocol import MfaChallenge  # loaded by the client already

        if isinstance(reply, MfaChallenge):
            self._pending_mfa = PendingMfa(reply, username, hasher.hash(password))
            raise MfaRequired(
                "Type the six-digit code from your authenticator app to finish signing in."
                if reply.enrolled
                else "Managers and IT staff need an authenticator app: set one up to finish "
                "signing in.",
                enrolled=reply.enrolled,
            )
        return self._remember(reply, hasher.hash(password))

    def _remember(self, reply: LoginResponse, verifier: str) -> CurrentUser:
        with self._context.store.write() as conn:
            local_users.save(conn, reply.user_id, reply.username, verifier, self._now_ms())
            # Kept for offline codes; a sign-in without one (MFA reset or off) forgets it.
            local_users.set_second_factor(
                conn, reply.user_id, reply.offline_totp_secret, reply.offline_totp_last_step
            )
        profile = self._profile(reply.user_id) or {
            "display_name": reply.display_name,
            "role": reply.role,
        }
        return self._become(reply.user_id, reply.username, profile)

    def _pending(self) -> PendingMfa:
        if self._pending_mfa is None:
            raise SignInFailed("Sign in with your username and password first.")
        return self._pending_mfa

    @property
    def waiting_for_code(self) -> bool:
        return self._pending_mfa is not None or self._pending_code is not None

    def cancel_sign_in(self) -> None:
        """Forget a sign-in waiting for its code (the person pressed Back)."""
        self._pending_mfa = None
        self._pending_code = None

    def start_mfa_setup(self, *, client: SyncClient | None = None) -> MfaEnrolResponse:
        """The new authenticator secret (and its otpauth:// URI, for a QR code) of the person
        whose password was just accepted; confirm it with ``finish_sign_in``."""
        pending = self._pending()
        return self._with_client(client, lambda c: c.enrol_mfa(pending.challenge.mfa_token))

    def finish_sign_in(self, code: str, *, client: SyncClient | None = None) -> CurrentUser:
        """The second step of a manager's sign-in: the app's code or a recovery code. The first
        time on this PC the server checks it and hands this PC the authenticator secret; later
        sign-ins here check the code on this PC (offline too), a recovery code with the
        server."""
        if not code.strip():
            raise InvalidInput(
                "Type the six-digit code from your authenticator app, or a recovery code.",
                field="code",
            )
        if self._pending_code is not None:
            return self._finish_here(self._pending_code, code, client)
        pending = self._pending()
        reply = self._with_client(
            client, lambda c: c.complete_mfa(pending.challenge.mfa_token, code, offline=True)
        )
        self._pending_mfa = None
        self.last_recovery_codes = reply.recovery_codes or []
        return self._remember(reply, pending.verifier)

    def _finish_here(
        self, pending: PendingCode, code: str, client: SyncClient | None
    ) -> CurrentUser:
        """The code of a manager who signed in here before, checked on this PC (it works with
        no network). A recovery code goes to the server with the password."""
        if self._now_ms() > pending.expires_ms:
            self._pending_code = None
            raise SignInFailed("That took too long: sign in again with your password or PIN.")
        with self._context.store.read() as conn:
            local = local_users.by_id(conn, pending.user_id)
        if local is None or not local.totp_secret:
            self._pending_code = None
            raise SignInFailed("Sign in again with your password.")
        self._check_lock(local.failed_attempts, local.locked_until_ms)
        profile = self._check_active(local.user_id)
        if not totp.looks_like_code(code):
            return self._recover_online(pending, code, client)
        step = totp.matching_step(
            local.totp_secret, code, local.totp_last_step, now=self._now_ms() / 1000
        )
        with self._context.store.write() as conn:
            fresh = step is not None and local_users.claim_totp_step(conn, local.user_id, step)
            if fresh:
                local_users.record_success(conn, local.user_id, self._now_ms())
        if not fresh:
            raise self._fail(
                local.user_id,
                "That code is not right, or was already used: wait for the next code.",
            )
        self._pending_code = None
        return self._become(local.user_id, local.username, profile)

    def _recover_online(
        self, pending: PendingCode, recovery_code: str, client: SyncClient | None
    ) -> CurrentUser:
        if pending.password is None:
            raise InvalidInput(
                "To use a recovery code, sign in with your password instead of your PIN.",
                field="code",
            )
        password = pending.password

        from shared.protocol import MfaChallenge

        def both_steps(c: SyncClient) -> LoginResponse:
            reply = c.login(pending.username, password)
            if isinstance(reply, MfaChallenge):
                return c.complete_mfa(reply.mfa_token, recovery_code, offline=True)
            return reply

        reply = self._with_client(
            client,
            both_steps,
            offline="A recovery code is checked by the server, which cannot be reached now: "
            "use the code from your authenticator app, or try again when online.",
        )
        self._pending_code = None
        return self._remember(reply, hasher.hash(password))

    def _with_client(
        self,
        client: SyncClient | None,
        call: Callable[[SyncClient], T],
        *,
        offline: str = "The server cannot be reached: try again in a moment.",
    ) -> T:
        own_client = client is None
        client = client or self._context.client()
        try:
            return call(client)
        except Offline:
            raise SignInFailed(offline) from None
        except ServerRefused as exc:
            raise SignInFailed(exc.message) from None
        finally:
            if own_client:
                client.close()

    def _become(self, user_id: str, username: str, profile: dict[str, object]) -> CurrentUser:
        until = access_expiry.parse_until(profile.get("access_until"))
        self._current = CurrentUser(
            user_id,
            username,
            str(profile["display_name"]),
            str(profile["role"]),
            to_ms(until) if until is not None else None,
        )
        return self._current

    def set_pin(self, pin: str) -> None:
        user = self.require()
        if not (pin.isdigit() and 4 <= len(pin) <= 8):
            raise InvalidInput("A PIN is 4 to 8 digits.", field="pin")
        if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
            raise InvalidInput("Choose a PIN that is harder to guess.", field="pin")
        with self._context.store.write() as conn:
            local_users.set_pin(conn, user.user_id, hasher.hash(pin))

    def sign_in_with_pin(self, user_id: str, pin: str) -> CurrentUser:
        with self._context.store.read() as conn:
            local = local_users.by_id(conn, user_id)
        if local is None or not local.pin_verifier:
            raise SignInFailed("Sign in with your password first; then you can set a PIN.")
        self._check_lock(local.failed_attempts, local.locked_until_ms)
        profile = self._check_active(user_id)
        self._pending_code = None
        if not verify(local.pin_verifier, pin):
            raise self._fail(user_id)
        self._ask_for_code(local, None)
        with self._context.store.write() as conn:
            local_users.record_success(conn, user_id, self._now_ms())
        return self._become(user_id, local.username, profile)

    def sign_out(self) -> None:
        self._current = None
        self.cancel_sign_in()

    def verify_witness(self, username_or_id: str, secret: str) -> VerifiedWitness:
        """A second member of staff confirms, with their own password or PIN on this PC, that
        they witnessed what the signed-in person is recording. The signed-in person does not
        change; failures count towards the witness's lock-out like a sign-in."""
        user = self.require()
        wanted = username_or_id.strip()
        if not wanted or not secret:
            raise InvalidInput(
                "The witness types their username and password or PIN.", field="witness"
            )
        with self._context.store.read() as conn:
            local = local_users.by_username(conn, wanted) or local_users.by_id(conn, wanted)
        if local is None:
            raise SignInFailed(
                "That person has not signed in on this PC before, so they cannot witness here "
                "yet: they sign in once (then lock), or choose another witness."
            )
        if local.user_id == user.user_id:
            raise InvalidInput(
                "The witness must be someone else, not the person recording.", field="witness"
            )
        self._check_lock(local.failed_attempts, local.locked_until_ms)
        profile = self._check_active(local.user_id)
        if str(profile.get("role")) not in CARE_ROLES:
            raise InvalidInput("Only care staff can witness medicines.", field="witness")
        if not (verify(local.password_verifier, secret) or verify(local.pin_verifier, secret)):
            raise self._fail(local.user_id)
        with self._context.store.write() as conn:
            local_users.record_success(conn, local.user_id, self._now_ms())
        return VerifiedWitness(local.user_id, str(profile["display_name"]), str(profile["role"]))

    def lock_minutes(self) -> int:
        with self._context.store.read() as conn:
            for setting in records_repo.by_entity(conn, "setting"):
                if setting.fields.get("key") == "lock_minutes":
                    value = setting.fields.get("value")
                    if isinstance(value, int) and value > 0:
                        return value
        return DEFAULT_LOCK_MINUTES
