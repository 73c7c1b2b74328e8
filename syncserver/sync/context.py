"""Who is calling: the device (from its credential) and therefore the tenant and home."""

from __future__ import annotations

from dataclasses import dataclass

NOT_ENROLLED = "This PC is not enrolled: enrol it with a code from IT."


@dataclass(frozen=True)
class DeviceContext:
    device_id: str
    tenant_id: str
    home_id: str
    acked_seq: int
    revoked: bool = False
