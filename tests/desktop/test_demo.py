"""``make demo``: the launcher sets up a server with the demo provider, enrols a PC and opens
the app; on a machine that cannot show a window it says exactly why and what to do."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import demo


def test_demo_sets_everything_up_and_opens_the_main_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WCN_KEY_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "desktop.demo", "--self-check", "--dir", str(tmp_path / "demo")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "self-check passed" in done.stdout
    accounts = (tmp_path / "demo" / "accounts.txt").read_text(encoding="utf-8")
    assert "password is" in accounts
    hint = demo._sign_in_hint(accounts)
    assert hint.startswith("Demo sign-in")
    # The second run reuses everything it made.
    again = subprocess.run(
        [sys.executable, "-m", "desktop.demo", "--self-check", "--dir", str(tmp_path / "demo")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "first run only" not in again.stdout


def test_no_display_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    problem = demo.display_problem()
    assert problem is not None
    assert "xvfb-run make demo" in problem


def test_missing_qt_libraries_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    problem = demo.display_problem()
    assert problem is not None
    assert "sudo apt-get install libxcb-cursor0" in problem
    assert "libxkbcommon-x11-0" in problem
