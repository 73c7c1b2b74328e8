"""``writecarenotes enrol | sync | status``: usable from deployment scripts; one clear
sentence and a non-zero exit on any failure, never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from desktop import __version__
from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.store.files import default_data_dir
from shared.errors import WcnError


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _complain(text: str) -> None:
    sys.stderr.write(f"writecarenotes: {text}\n")
    sys.stderr.flush()


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _progress(done: int, target: int) -> None:
    if target:
        sys.stderr.write(f"\r  synced up to change {done:,} of {target:,}")
        sys.stderr.flush()


def cmd_enrol(args: argparse.Namespace) -> int:
    context = enrol(
        args.server,
        args.code,
        _data_dir(args),
        key_dir=args.key_dir,
        name=args.name,
        progress=_progress,
    )
    sys.stderr.write("\n")
    device = context.device
    _say(
        f"Enrolled this PC to {device.home_name} ({device.tenant_name}) "
        f"as device {device.device_id}."
    )
    context.close()
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    services = DesktopServices.open(_data_dir(args), key_dir=args.key_dir)
    try:
        report = services.sync.sync_now(_progress)
        sys.stderr.write("\n")
        _say(
            f"Synced: sent {report.pushed}, received {report.pulled}, "
            f"new review items {report.review_items}."
        )
    finally:
        services.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    services = DesktopServices.open(_data_dir(args), key_dir=args.key_dir)
    try:
        device = services.context.device
        status = services.sync.status()
        last = (
            dt.datetime.fromtimestamp(status.last_sync_ms / 1000).isoformat(timespec="seconds")
            if status.last_sync_ms
            else "never"
        )
        _say(f"Home:            {device.home_name} ({device.tenant_name})")
        _say(f"Server:          {device.server_url}")
        _say(f"Device:          {device.device_id}")
        _say(f"Changes waiting: {status.waiting}")
        _say(f"Last sync:       {last}")
        _say(f"App version:     {__version__}")
    finally:
        services.close()
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from desktop.services.maintenance import rebuild_store  # not loaded when the app starts

    services = DesktopServices.open(_data_dir(args), key_dir=args.key_dir)
    try:
        report = rebuild_store(services.context, _progress)
        sys.stderr.write("\n")
        _say(
            f"Store rebuilt from the server: {report.pulled} records received, "
            f"{report.carried_over} unsent change(s) kept. The old file is store.previous.db."
        )
    finally:
        services.close()
    return 0


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where this PC keeps its records (WCN_DATA_DIR)")
    common.add_argument(
        "--key-dir", help="folder for the key file where there is no credential store (WCN_KEY_DIR)"
    )
    p = sub.add_parser("enrol", parents=[common], help="enrol this PC with a one-time code")
    p.add_argument("--server", required=True, help="the sync server's address")
    p.add_argument("--code", required=True, help="the one-time enrolment code from IT")
    p.add_argument("--name", help="this PC's name as IT will see it (default: host name)")
    p.set_defaults(func=cmd_enrol)
    p = sub.add_parser("sync", parents=[common], help="send and receive changes now")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("status", parents=[common], help="show this PC's sync state")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser(
        "rebuild",
        parents=[common],
        help="rebuild the store from the server, keeping unsent changes",
    )
    p.set_defaults(func=cmd_rebuild)


def run(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
        return code
    except WcnError as exc:
        _complain(exc.message)
        return 2
    except KeyboardInterrupt:
        return 130
