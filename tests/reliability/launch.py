"""``python -m tests.reliability.launch ARGS...``: become ``python ARGS...`` (by exec, so the
process is exactly that command) after asking Linux to SIGKILL it when the thread that
started it ends. An interrupted test run then never leaves a server or a PC behind."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent is already gone
            sys.exit(1)
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])


if __name__ == "__main__":
    main()
