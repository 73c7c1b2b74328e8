"""The HTTP side of sync: one method per protocol message. ``http`` is any ``httpx.Client``,
so tests can hand in a client bound to the server app in-process."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from desktop import __version__
from desktop.sync.errors import DeviceRevoked, Offline, ServerRefused
from shared.protocol import (
    DEVICE_AUTH_SCHEME,
    OLDEST_SUPPORTED_PROTOCOL,
    PROTOCOL_VERSION,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    HelloRequest,
    HelloResponse,
    LoginRequest,
    LoginResponse,
    MfaChallenge,
    MfaEnrolRequest,
    MfaEnrolResponse,
    MfaRequest,
    PullRequest,
    PullResponse,
    PushResponse,
)
from shared.pull_page import (
    ARRAY_PAGE_PROTOCOL,
    MalformedPage,
    PullPage,
    decode_pull_page,
    page_of_response,
)

Model = TypeVar("Model", bound=BaseModel)
COMPRESS_ABOVE_BYTES = 32 * 1024


class SyncClient:
    def __init__(
        self,
        server_url: str,
        *,
        http: httpx.Client | None = None,
        device_id: str | None = None,
        device_secret: str | None = None,
        timeout: float = 30.0,
        min_protocol: int = OLDEST_SUPPORTED_PROTOCOL,
        max_protocol: int = PROTOCOL_VERSION,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout)
        self.device_id = device_id
        self._secret = device_secret
        self.min_protocol = min_protocol
        self.max_protocol = max_protocol
        self.protocol = max_protocol

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def _headers(self) -> dict[str, str]:
        headers = {"x-client-time-ms": str(int(time.time() * 1000))}
        if self.device_id and self._secret:
            headers["authorization"] = f"{DEVICE_AUTH_SCHEME} {self.device_id}.{self._secret}"
        return headers

    def _post(self, path: str, body: BaseModel, reply: type[Model]) -> Model:
        return self._parse(self._send_body(path, body), reply)

    def _send_body(self, path: str, body: BaseModel) -> httpx.Response:
        return self._send_json(path, body.model_dump_json().encode())

    def _send_json(self, path: str, content: bytes) -> httpx.Response:
        headers = {**self._headers(), "content-type": "application/json"}
        if len(content) > COMPRESS_ABOVE_BYTES:
            content = gzip.compress(content, compresslevel=5)
            headers["content-encoding"] = "gzip"
        return self._send("POST", path, content=content, headers=headers)

    @staticmethod
    def _parse(response: httpx.Response, reply: type[Model]) -> Model:
        try:
            return reply.model_validate_json(response.content)
        except ValidationError:
            raise ServerRefused(
                "The server sent a reply this app does not understand: update the app.",
                code="bad_reply",
                status=response.status_code,
            ) from None

    def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            response = self.http.request(method, self.server_url + path, **kwargs)  # type: ignore[arg-type]
        except (httpx.TransportError, OSError) as exc:
            raise Offline(
                f"The server at {self.server_url} cannot be reached ({exc.__class__.__name__}). "
                "Everything is saved on this PC and will be sent later."
            ) from None
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    def enrol(self, code: str, device_name: str) -> EnrolResponse:
        return self._post(
            "/v1/devices/enrol",
            EnrolRequest(code=code, device_name=device_name, app_version=__version__),
            EnrolResponse,
        )

    def hello(self) -> HelloResponse:
        reply = self._post(
            "/v1/sync/hello",
            HelloRequest(
                min_protocol=self.min_protocol,
                max_protocol=self.max_protocol,
                app_version=__version__,
            ),
            HelloResponse,
        )
        self.protocol = reply.protocol
        return reply

    def login(self, username: str, password: str) -> LoginResponse | MfaChallenge:
        """Signed in, or (managers and admins) asked for the code of their authenticator app."""
        response = self._send_body(
            "/v1/auth/login", LoginRequest(username=username, password=password)
        )
        if b'"mfa_token"' in response.content:
            return self._parse(response, MfaChallenge)
        return self._parse(response, LoginResponse)

    def complete_mfa(self, mfa_token: str, code: str, *, offline: bool = False) -> LoginResponse:
        """The second step: a six-digit code, or (longer) one of the person's recovery codes.
        With ``offline`` the reply carries the authenticator secret for checking codes here."""
        code = code.strip()
        request = (
            MfaRequest(mfa_token=mfa_token, code=code, offline=offline)
            if code.isdigit() and len(code) == 6
            else MfaRequest(mfa_token=mfa_token, recovery_code=code, offline=offline)
        )
        return self._post("/v1/auth/mfa", request, LoginResponse)

    def enrol_mfa(self, mfa_token: str) -> MfaEnrolResponse:
        """A new authenticator secret for a manager or admin who has none yet."""
        return self._post(
            "/v1/auth/mfa/enrol", MfaEnrolRequest(mfa_token=mfa_token), MfaEnrolResponse
        )

    def push_json(self, changes: list[str]) -> PushResponse:
        """Push changes held as JSON text (the outbox's, written from validated changes), sent
        as they are rather than parsed, validated and written out again."""
        body = f'{{"protocol":{int(self.protocol)},"changes":[{",".join(changes)}]}}'
        return self._parse(self._send_json("/v1/sync/push", body.encode()), PushResponse)

    def pull(self, cursor: int, limit: int, *, count_scope: bool = True) -> PullPage:
        """One page of records after ``cursor``. From protocol 3 the page's rows go to the
        store as they came (shared.pull_page); older servers' pages are converted to them."""
        request = PullRequest(
            protocol=self.protocol, cursor=cursor, limit=limit, count_scope=count_scope
        )
        response = self._send_body("/v1/sync/pull", request)
        if self.protocol < ARRAY_PAGE_PROTOCOL:
            return page_of_response(self._parse(response, PullResponse))
        try:
            return decode_pull_page(response.content)
        except MalformedPage as exc:
            raise ServerRefused(
                f"The server sent a reply this app does not understand ({exc}): update the app.",
                code="bad_reply",
                status=response.status_code,
            ) from None

    def live_events(
        self, on_connected: Callable[[], None] | None = None, *, pages: bool = False
    ) -> Iterator[str | None]:
        """Server-sent notifications for this PC's home (None for each keep-alive); ends when
        the connection drops. With ``pages`` (from protocol 3) a notification of a small push
        carries its changes (shared.pull_page.decode_live_page); a server that does not know
        the option sends plain notifications."""
        path = "/v1/sync/live"
        if pages and self.max_protocol >= ARRAY_PAGE_PROTOCOL:
            path += f"?pages={ARRAY_PAGE_PROTOCOL}"
        try:
            with self.http.stream(
                "GET", self.server_url + path, headers=self._headers(), timeout=None
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _refusal(response)
                if on_connected is not None:
                    on_connected()
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        yield line[5:].strip()
                    elif line.startswith(":"):
                        yield None
        except (httpx.TransportError, OSError) as exc:
            raise Offline(f"Live updates stopped ({exc.__class__.__name__}).") from None


def _refusal(response: httpx.Response) -> ServerRefused:
    try:
        body = ErrorBody.model_validate_json(response.content)
        code, message, detail = body.code, body.message, body.detail
    except ValidationError:
        code, message, detail = "http_error", f"The server answered {response.status_code}.", None
    kind = DeviceRevoked if code == "device_revoked" else ServerRefused
    return kind(message, code=code, status=response.status_code, detail=detail)
