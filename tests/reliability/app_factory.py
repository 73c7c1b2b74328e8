"""The sync server app built from ``WCN_*`` environment variables, for
``uvicorn --factory tests.reliability.app_factory:create --workers N``; and an ASGI wrapper
that records every 5xx the app answers (in memory, and in the file named by
``WCN_RELIABILITY_5XX_LOG`` so several worker processes can be counted)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from syncserver.api.app import create_app
from syncserver.config import load_settings


class FiveXXCounter:
    def __init__(self, app: ASGIApp, log_path: Path | None = None) -> None:
        self.app = app
        self.log_path = log_path
        self.count = 0
        self.seen: list[str] = []
        # 5xx "answers" to clients that had already gone: nobody received them, but the
        # server logged an unexpected error for each.
        self.after_disconnect: list[str] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        gone = False

        async def watching_receive() -> Message:
            nonlocal gone
            message = await receive()
            if message["type"] == "http.disconnect":
                gone = True
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and int(message["status"]) >= 500:
                line = f"{message['status']} {scope['method']} {scope['path']}"
                if gone:
                    with self._lock:
                        self.after_disconnect.append(line)
                else:
                    self._note(line)
            await send(message)

        await self.app(scope, watching_receive, counting_send)

    def _note(self, line: str) -> None:
        with self._lock:
            self.count += 1
            self.seen.append(line)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as log:
                    log.write(f"{os.getpid()} {line}\n")


def count_logged(log_path: Path) -> int:
    """5xx answers recorded in a log file by any worker."""
    if not log_path.exists():
        return 0
    return len(log_path.read_text("utf-8").splitlines())


def create() -> Any:
    app = create_app(load_settings())
    configured = os.environ.get("WCN_RELIABILITY_5XX_LOG", "")
    return FiveXXCounter(app, Path(configured) if configured else None)
