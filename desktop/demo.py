"""``make demo``: a local sync server with the demo care provider on an embedded SQLite
database, one enrolled demo PC, and the app, with the demo sign-in details on screen.
Closing the window stops everything this started. State is kept in ``.demo/``."""

from __future__ import annotations

import argparse
import contextlib
import ctypes.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

QT_XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xinerama": "libxcb-xinerama0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def missing_qt_packages() -> list[str]:
    """Debian/Ubuntu packages Qt's X11 plugin needs that this machine lacks."""
    if not sys.platform.startswith("linux"):
        return []
    return [pkg for lib, pkg in QT_XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def display_problem() -> str | None:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform in ("offscreen", "minimal") or not sys.platform.startswith("linux"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "There is no display here, so the app window cannot open. On a headless machine, "
            "run 'xvfb-run make demo' (Debian package xvfb), or check everything without a "
            "window: 'python -m desktop.demo --self-check'."
        )
    missing = missing_qt_packages()
    if missing and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "Qt needs system libraries this machine lacks. Install them with:\n"
            f"  sudo apt-get install {' '.join(missing)}\nthen run 'make demo' again."
        )
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "syncserver.cli.main", *args]


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"demo: {' '.join(command[2:4])} failed: {done.stderr.strip()}")
    return done.stdout


@contextlib.contextmanager
def running_server(demo_dir: Path, env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    log = (demo_dir / "server.log").open("a", encoding="utf-8")
    process = subprocess.Popen(
        _server_command("serve", "--port", str(port)), env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"demo: the server stopped; see {demo_dir / 'server.log'}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("demo: the server did not start within 30 seconds")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.demo")
    parser.add_argument("--dir", default=".demo", help="where the demo keeps its state")
    parser.add_argument("--reset", action="store_true", help="start again with fresh demo data")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="set everything up, open the main window offscreen, then exit",
    )
    args = parser.parse_args(argv)
    if args.self_check:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem:
        sys.stderr.write(f"demo: {problem}\n")
        return 3
    demo_dir = Path(args.dir).resolve()
    if args.reset and demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "WCN_DATABASE_URL": f"sqlite:///{demo_dir / 'server.db'}",
        "WCN_JWT_SECRET": "demo-only-secret-" + "x" * 32,
        "WCN_KEY_DIR": str(demo_dir / "keys"),
        # The server seals personal details with a master key: the demo keeps its own beside
        # its database (a real server keeps it elsewhere; see docs/security.md).
        "WCN_MASTER_KEY_FILE": str(_demo_master_key(demo_dir)),
        # The app cannot ask for an authenticator code yet, so the demo lets managers sign in
        # with their password alone. Never set this on a real server.
        "WCN_MFA_ENFORCED": "false",
    }
    os.environ["WCN_KEY_DIR"] = env["WCN_KEY_DIR"]
    signing_key = demo_dir / "audit-signing.key"
    if not signing_key.exists():
        _run(_server_command("audit", "keygen", "--out", str(signing_key)), env)
    env["WCN_AUDIT_SIGNING_KEY_FILE"] = str(signing_key)
    accounts = demo_dir / "accounts.txt"
    if not (demo_dir / "server.db").exists():
        _say("Creating the demo care provider (first run only)…")
        accounts.write_text(_run(_server_command("init", "--demo"), env), encoding="utf-8")
    pc_dir = demo_dir / "pc"
    hint = _sign_in_hint(accounts.read_text(encoding="utf-8") if accounts.exists() else "")
    with running_server(demo_dir, env) as url:
        from desktop.services.enrolment import enrol
        from desktop.store import files

        if not files.exists(pc_dir):
            code = _run(_server_command("device", "enrol-code", "--home", "Oakwood House"), env)
            _say("Enrolling the demo PC and downloading its home…")
            enrol(url, code.splitlines()[0], pc_dir, name="demo-ward-pc").close()
        else:
            _retarget(pc_dir, url)
        from desktop.main import main as app_main

        app_args = ["--data-dir", str(pc_dir), "--demo-hint", hint]
        if args.self_check:
            app_args.append("--self-check")
        return app_main(app_args)


def _demo_master_key(demo_dir: Path) -> Path:
    """The demo server's master key file, made on the first run (readable by this account)."""
    path = demo_dir / "master.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(32).hex() + "\n")
    return path


def _retarget(pc_dir: Path, url: str) -> None:
    """The demo server gets a new port each run: point the demo PC at it."""
    from desktop.store import files, meta
    from desktop.store.keys import choose_key_store

    store = files.open_existing(pc_dir, choose_key_store())
    try:
        with store.write() as conn:
            meta.put(conn, "server_url", url)
    finally:
        store.close()


def _sign_in_hint(init_output: str) -> str:
    lines = [line.strip() for line in init_output.splitlines()]
    password = next(
        (
            line.split(" is ", 1)[1].split(". For example")[0]
            for line in lines
            if line.startswith("Every demo account's password is")
        ),
        "",
    )
    users = [
        line.split()[0] + " (" + line.split()[1].replace("_", " ") + ")"
        for line in lines
        if line and len(line.split()) == 2 and "." in line.split()[0]
    ]
    if not password:
        return "Demo data: see .demo/accounts.txt"
    return f"Demo sign-in — password for everyone: {password}\n" + ", ".join(users[:6])


if __name__ == "__main__":
    raise SystemExit(main())
