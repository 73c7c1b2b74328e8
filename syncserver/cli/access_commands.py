"""Time-limited access for inspectors: ``user add ... --role inspector`` needs ``--until DATE``
or ``--days N``; ``writecarenotes-server access extend --tenant T USERNAME --until/--days``
moves the end, ``access end --tenant T USERNAME`` ends it now. Each change is audited and
reaches the PCs with the person's staff record."""

from __future__ import annotations

import argparse
import datetime as dt

from shared import access_expiry
from syncserver import tenancy
from syncserver.cli.context import open_db, tenant_id
from syncserver.cli.output import say
from syncserver.db.engine import Database
from syncserver.errors import BadRequest


def add_end_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--until",
        help="last day (YYYY-MM-DD, to the end of that day) or date and time "
        "(YYYY-MM-DDTHH:MM), UK time",
    )
    group.add_argument("--days", type=int, help="this many days from now")


def end_of_access(
    until: str | None, days: int | None, now: dt.datetime | None = None
) -> dt.datetime | None:
    """The end given on the command line, in UTC (None when none was given). A bare date
    means the end of that day in the UK."""
    now = now or dt.datetime.now(dt.UTC)
    if days is not None:
        if days < 1:
            raise BadRequest("--days must be 1 or more.", code="access_until_invalid")
        return (now + dt.timedelta(days=days)).replace(microsecond=0)
    if until is None:
        return None
    text = until.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(), tzinfo=access_expiry.UK)
        else:
            local = dt.datetime.fromisoformat(text)
            if local.tzinfo is None:
                local = local.replace(tzinfo=access_expiry.UK)
    except ValueError:
        raise BadRequest(
            f"--until {until!r} is not a date like 2026-12-31 or a time like 2026-12-31T17:00.",
            code="access_until_invalid",
        ) from None
    return local.astimezone(dt.UTC)


def _cmd_extend(args: argparse.Namespace, opened: list[Database]) -> int:
    until = end_of_access(args.until, args.days)
    if until is None:
        raise BadRequest("Give the new end: --until DATE or --days N.", code="access_until_invalid")
    db = open_db(args, opened)
    with db.writer.begin() as conn:
        tenancy.set_access_until(conn, tenant_id(conn, args.tenant), args.username, until)
    say(f"{args.username}'s access now ends on {access_expiry.format_until(until)} (UK time).")
    return 0


def _cmd_end(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    with db.writer.begin() as conn:
        tenancy.set_access_until(conn, tenant_id(conn, args.tenant), args.username, None)
    say(
        f"{args.username}'s access has ended: they can no longer sign in on the server, nor on "
        "a PC once it has synced."
    )
    return 0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    opened: list[Database],
) -> None:
    access = sub.add_parser("access", help="inspectors' time-limited access").add_subparsers(
        dest="action", required=True
    )
    p = access.add_parser("extend", parents=[common], help="move the end of a person's access")
    p.add_argument("--tenant", required=True)
    add_end_arguments(p)
    p.add_argument("username")
    p.set_defaults(func=lambda a: _cmd_extend(a, opened))
    p = access.add_parser("end", parents=[common], help="end a person's access now")
    p.add_argument("--tenant", required=True)
    p.add_argument("username")
    p.set_defaults(func=lambda a: _cmd_end(a, opened))
