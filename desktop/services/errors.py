"""Service errors, each a sentence for the person at the PC.

ServiceError
 ├── SignInFailed      wrong password or PIN, unknown or disabled account, locked out
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
