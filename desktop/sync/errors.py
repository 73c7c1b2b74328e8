"""Sync errors on the PC.

SyncError
 ├── Offline          the server cannot be reached; try again later (nothing is lost)
 ├── ServerRefused    the server said no, with its code and message
 │    └── DeviceRevoked
 └── PermissionDenied the signed-in person's role may not make this change
"""

from __future__ import annotations

from typing import Any

from shared.errors import WcnError


class SyncError(WcnError):
    code = "sync_error"


class Offline(SyncError):
    code = "offline"


class ServerRefused(SyncError):
    def __init__(
        self, message: str, *, code: str, status: int, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.detail = detail or {}


class DeviceRevoked(ServerRefused):
    pass


class PermissionDenied(SyncError):
    code = "permission_denied"
