"""The sync protocol: every message between a PC and the server, defined once.

Versioning: the client sends the range of protocol versions it speaks; the server picks the
highest it also speaks. The server keeps speaking the two versions before its current one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.storable import unstorable

# 3: pull pages carry records as arrays with ``fields``/``versions`` as JSON text
# (shared.pull_page); 1 and 2 still get pages of objects (PullResponse).
PROTOCOL_VERSION = 3
OLDEST_SUPPORTED_PROTOCOL = max(1, PROTOCOL_VERSION - 2)
MAX_CHANGES_PER_PUSH = 5000
MAX_PULL_LIMIT = 20000
MAX_BODY_BYTES = 32 * 1024 * 1024
DEVICE_AUTH_SCHEME = "Device"

JsonDict = dict[str, Any]
# Validation context of a message whose JSON text was checked whole (storable.
# json_text_is_storable): its values need no check one by one.
TEXT_CHECKED = "storable_text_checked"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _storable(value: Any, info: ValidationInfo) -> Any:
    if info.context is not None and info.context.get(TEXT_CHECKED):
        return value
    problem = unstorable(value)
    if problem:
        raise ValueError(problem)
    return value


class Request(Message):
    """A message a PC sends: only what every store can hold (see shared.storable)."""

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        return _storable(value, info)


class ErrorBody(Message):
    """Every refusal: a stable machine-readable code and one sentence for a person."""

    code: str
    message: str
    detail: JsonDict | None = None


class HelloRequest(Request):
    min_protocol: int = Field(ge=1)
    max_protocol: int = Field(ge=1)
    app_version: str = Field(max_length=50)


class HelloResponse(Message):
    protocol: int
    server_version: str
    tenant_id: str
    home_id: str
    server_seq: int
    server_time_ms: int


class EnrolRequest(Request):
    code: str = Field(min_length=1, max_length=64)
    device_name: str = Field(min_length=1, max_length=100)
    app_version: str = Field(max_length=50)


class EnrolResponse(Message):
    device_id: str
    device_secret: str
    tenant_id: str
    tenant_name: str
    home_id: str
    home_name: str


class LoginRequest(Request):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class LoginResponse(Message):
    user_id: str
    username: str
    display_name: str
    role: str
    access_token: str
    refresh_token: str
    # Given once, when a person confirms their authenticator app: codes for a lost phone.
    recovery_codes: list[str] | None = None
    # Only when the PC asked (``MfaRequest.offline``): the authenticator secret and the last
    # time step the server accepted, so this PC can check the person's codes when offline.
    offline_totp_secret: str | None = None
    offline_totp_last_step: int | None = None


class MfaChallenge(Message):
    """The answer to a correct password of a manager or admin: prove the second factor at
    ``/v1/auth/mfa`` with this short-lived token (first enrolling an authenticator app at
    ``/v1/auth/mfa/enrol`` when ``enrolled`` is false)."""

    step: Literal["mfa_required"] = "mfa_required"
    mfa_token: str
    enrolled: bool
    expires_in_s: int


class MfaRequest(Request):
    """A six-digit code from the authenticator app, or one of the recovery codes."""

    mfa_token: str = Field(min_length=1, max_length=4096)
    code: str | None = Field(default=None, pattern=r"^\d{6}$")
    recovery_code: str | None = Field(default=None, min_length=8, max_length=40)
    # The enrolled PC asks for the authenticator secret, to check this person's codes offline.
    offline: bool = False


class MfaEnrolRequest(Request):
    mfa_token: str = Field(min_length=1, max_length=4096)


class MfaEnrolResponse(Message):
    """The new authenticator secret: shown once, as a QR code of ``provisioning_uri``."""

    secret: str
    provisioning_uri: str


class RefreshRequest(Request):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenPair(Message):
    access_token: str
    refresh_token: str


class Change(Request):
    """One write made on a PC. ``base_versions`` holds, per field, the version the author
    last saw; the server uses it to tell a real concurrent edit from a sequential one."""

    change_id: str = Field(pattern=UUID_PATTERN)
    device_seq: int = Field(ge=1)
    entity: str = Field(max_length=50)
    record_id: str = Field(pattern=UUID_PATTERN)
    op: Literal["create", "update"]
    fields: JsonDict
    base_versions: dict[str, str] = Field(default_factory=dict)
    hlc: str = Field(pattern=r"^\d{15}-\d{5}-[0-9A-Za-z_.:-]{1,40}$")
    user_id: str = Field(pattern=UUID_PATTERN)
    recorded_at_ms: int = Field(ge=-(2**62), le=2**62)

    # A change's other fields are whole numbers, a choice of two words, or text whose
    # pattern admits no character a store cannot hold: only these three need the check
    # (the same check, so every bad value is refused as before, with the same message).
    @field_validator("entity", "fields", "base_versions")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        return _storable(value, info)


class PushRequest(Request):
    protocol: int
    changes: list[Change] = Field(max_length=MAX_CHANGES_PER_PUSH)

    # Each change checked its own fields as it was made: nothing here needs the check.
    @field_validator("protocol")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        return value


class PushResponse(Message):
    protocol: int
    acknowledged_seq: int  # every change with device_seq <= this is durably stored
    applied: int
    duplicates: int
    review_items: int
    server_seq: int


class PullRequest(Request):
    protocol: int
    cursor: int = Field(ge=0, le=2**62)
    limit: int = Field(default=5000, ge=1, le=MAX_PULL_LIMIT)
    # False for the quick pull after a live notification: skip counting the whole scope.
    count_scope: bool = True


class RecordState(Message):
    """The server's merged state of one record, as a PC stores it."""

    entity: str
    record_id: str
    home_id: str | None
    resident_id: str | None
    fields: JsonDict
    versions: dict[str, str]
    hlc: str
    server_seq: int
    user_id: str | None
    device_id: str | None


class PullResponse(Message):
    protocol: int
    records: list[RecordState]
    cursor: int
    has_more: bool
    server_seq: int
    scope_count: int | None = None  # records in scope at ``cursor`` when has_more is false


class StatusResponse(Message):
    status: Literal["ok"]
    server_version: str
    protocol: int
    oldest_protocol: int


def negotiate(min_protocol: int, max_protocol: int) -> int | None:
    """The highest version both sides speak, or None."""
    high = min(max_protocol, PROTOCOL_VERSION)
    if high < max(min_protocol, OLDEST_SUPPORTED_PROTOCOL):
        return None
    return high
