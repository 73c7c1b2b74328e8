"""Processes the reliability tests start and kill: the sync server (the real
``writecarenotes-server serve``, or uvicorn with several workers) and the PC child script.
Everything listens on 127.0.0.1 only; every wait polls with a deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.helpers.live_server import free_port
from tests.helpers.server import JWT_SECRET, MASTER_KEY

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Every child is started through ``launch``, which execs the real command: it dies with us.
LAUNCH = (PYTHON, "-m", "tests.reliability.launch")
SERVER_CLI = ("-m", "syncserver.cli.main")


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, step: float = 0.02
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCN_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    """A sync server in its own process group, restartable on the same port."""

    argv: Sequence[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=child_env)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        wait_until(self._ready, timeout, f"the server on port {self.port} ({self.log_path})")

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server exited with {self.proc.returncode}: {self.log_tail()}")
        try:
            return httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's workers too) and reap it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._wait_port_free()

    def terminate(self, timeout: float = 30.0) -> None:
        """A graceful stop (SIGTERM), falling back to SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        # Workers of a multi-process server may outlive their manager for a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._wait_port_free()

    def _wait_port_free(self) -> None:
        def free() -> bool:
            try:
                httpx.get(self.url + "/healthz", timeout=0.2)
            except httpx.HTTPError:
                return True
            return False

        wait_until(free, 30, f"port {self.port} to close")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def server_env(**extra: str) -> dict[str, str]:
    """What a server process needs: the tests' master key (so field encryption matches the
    in-process helpers) and a JWT secret shared by all its workers."""
    return child_env(
        WCN_MASTER_KEY=MASTER_KEY,
        WCN_JWT_SECRET=JWT_SECRET + "y" * 8,
        WCN_LOG_JSON="false",
        **extra,
    )


def cli_server(database_url: str, log_path: Path, **env: str) -> ServerProcess:
    """``python -m syncserver.cli.main serve`` (one process), as IT runs it."""
    argv = [*LAUNCH, *SERVER_CLI, "serve", "--database-url", database_url]
    argv += ["--host", "127.0.0.1", "--port", "{port}"]
    return ServerProcess(argv, log_path, server_env(**env))


def uvicorn_server(
    database_url: str, log_path: Path, workers: int, five_xx_log: Path, **env: str
) -> ServerProcess:
    """uvicorn with several worker processes, building the app from ``app_factory``."""
    argv = [*LAUNCH, "-m", "uvicorn", "--factory", "tests.reliability.app_factory:create"]
    argv += ["--host", "127.0.0.1", "--port", "{port}", "--workers", str(workers)]
    argv += ["--log-level", "warning", "--timeout-graceful-shutdown", "5"]
    extra = {"WCN_DATABASE_URL": database_url, "WCN_RELIABILITY_5XX_LOG": str(five_xx_log), **env}
    return ServerProcess(argv, log_path, server_env(**extra))
