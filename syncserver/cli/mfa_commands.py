"""``writecarenotes-server mfa reset --tenant T USERNAME``: for a manager who lost both their
phone and their recovery codes. They set up an authenticator app again at their next sign-in
(after the password, as on first use). The reset is audited."""

from __future__ import annotations

import argparse

from syncserver import signin
from syncserver.cli.context import open_db, tenant_id
from syncserver.cli.output import say
from syncserver.db.engine import Database


def _cmd_reset(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    with db.writer.begin() as conn:
        signin.reset_mfa(conn, tenant_id(conn, args.tenant), args.username)
    say(
        f"{args.username}'s authenticator app and recovery codes are cleared: they set up a new "
        "one at their next sign-in."
    )
    return 0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    opened: list[Database],
) -> None:
    mfa = sub.add_parser("mfa", help="managers' second sign-in factor").add_subparsers(
        dest="action", required=True
    )
    p = mfa.add_parser("reset", parents=[common], help="clear a person's authenticator app")
    p.add_argument("--tenant", required=True)
    p.add_argument("username")
    p.set_defaults(func=lambda a: _cmd_reset(a, opened))
