"""Running ``pc_child`` in a subprocess: its acknowledgements read line by line as they are
printed, and SIGKILL at a moment the test chooses."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from dataclasses import dataclass, field

from tests.reliability.processes import LAUNCH, ROOT, child_env


@dataclass
class ChildRun:
    lines: list[str] = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    def acked(self, kind: str) -> list[str]:
        return [line.split(" ", 1)[1] for line in self.lines if line.startswith(kind + " ")]


class Child:
    """One ``python -m tests.reliability.pc_child`` process."""

    def __init__(self, args: list[str], **env: str) -> None:
        self.proc = subprocess.Popen(
            [*LAUNCH, "-m", "tests.reliability.pc_child", *args],
            cwd=ROOT,
            env=child_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.run = ChildRun()
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._errors: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._error_reader = threading.Thread(target=self._read_errors, daemon=True)
        self._error_reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            text = raw.decode("utf-8", errors="replace")
            if text.endswith("\n"):  # a line cut by the kill was never acknowledged
                self._lines.put(text.strip())
        self._lines.put(None)

    def _read_errors(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._errors.append(raw)

    def wait_for(self, prefixes: tuple[str, ...], timeout: float) -> str | None:
        """The first line starting with one of ``prefixes`` (None if the child ended first);
        every line read on the way is kept."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"the child printed nothing for {timeout}s") from None
            if line is None:
                self._lines.put(None)
                return None
            self.run.lines.append(line)
            if line.startswith(prefixes):
                return line

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def finish(self, timeout: float = 60.0) -> ChildRun:
        """Wait for the process to end and collect everything it printed."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        self._error_reader.join(timeout=30)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        while not self._lines.empty():
            line = self._lines.get_nowait()
            if line is None:
                break
            self.run.lines.append(line)
        self.run.stderr = b"".join(self._errors).decode("utf-8", errors="replace")
        self.run.returncode = self.proc.returncode
        return self.run


def run_child(args: list[str], timeout: float = 120.0, **env: str) -> ChildRun:
    """Run a child to its end (or its self-inflicted SIGKILL)."""
    return Child(args, **env).finish(timeout)
