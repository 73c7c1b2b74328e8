"""Service errors, each a sentence for the person at the PC.

ServiceError
 ├── SignInFailed      wrong password or PIN, unknown or disabled account, locked out
 │    └── MfaRequired  the password was right; now the authenticator app's code
 ├── NotSignedIn       nobody is signed in (or the PC locked itself)
 ├── NotAllowed        the signed-in role may not do this
 ├── InvalidInput      a field is wrong; ``field`` names it for the form
 └── NeedsConfirmation possible but unusual values: ask, then call again with confirmed=True
"""

from __future__ import annotations

from shared.errors import WcnError


class ServiceError(WcnError):
    code = "service_error"


class SignInFailed(ServiceError):
    code = "sign_in_failed"


class MfaRequired(SignInFailed):
    """A manager's or admin's password was right: finish with ``SessionService.finish_sign_in``
    (a code from their authenticator app), first setting one up with ``start_mfa_setup`` when
    ``enrolled`` is false."""

    code = "mfa_required"

    def __init__(self, message: str, *, enrolled: bool) -> None:
        super().__init__(message)
        self.enrolled = enrolled


class NotSignedIn(ServiceError):
    code = "not_signed_in"


class NotAllowed(ServiceError):
    code = "not_allowed"


class InvalidInput(ServiceError):
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NeedsConfirmation(ServiceError):
    code = "needs_confirmation"

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages
