"""What every screen shares: the services (once the PC is open), the operation runner, the
theme, and who is signed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.app import DesktopServices
from desktop.services.enrolment import is_enrolled
from desktop.services.session import CurrentUser
from desktop.ui.runner import OperationRunner
from desktop.ui.theme import Theme
from shared.permissions import write_refusal

if TYPE_CHECKING:  # the network client is loaded by the first call to the server
    import httpx


@dataclass(frozen=True)
class Launch:
    """How the app was started: which PC store, and (in tests) an in-process server."""

    data_dir: Path
    key_dir: str | None = None
    http: httpx.Client | None = None
    demo_hint: str | None = None
    sync_interval_ms: int = 30_000  # background sync; 0 turns it off (tests, screenshots)


@dataclass
class UiContext:
    launch: Launch
    runner: OperationRunner
    theme: Theme
    _services: DesktopServices | None = None
    user: CurrentUser | None = None
    staff_names: dict[str, str] = field(default_factory=dict)
    notify: Callable[[str], None] = lambda _message: None  # "done" messages, in the bar

    @property
    def services(self) -> DesktopServices:
        if self._services is None:
            raise RuntimeError("the care record store is not open yet")
        return self._services

    @property
    def is_open(self) -> bool:
        return self._services is not None

    def open(self, services: DesktopServices) -> None:
        self._services = services

    def may_write(self, entity: str, fields: list[str] | None = None) -> bool:
        """Whether the signed-in person may create ``entity`` records (hides what they may not)."""
        if self.user is None:
            return False
        return write_refusal(self.user.role, entity, fields or [], creating=True) is None

    def name_of(self, user_id: str | None) -> str:
        return self.staff_names.get(user_id or "", "")


def open_services(launch: Launch) -> DesktopServices | None:
    """The PC's services, or None when the PC is not enrolled yet. Runs on the worker."""
    if not is_enrolled(launch.data_dir):
        return None
    return DesktopServices.open(launch.data_dir, key_dir=launch.key_dir, http=launch.http)
