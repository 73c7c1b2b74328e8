"""``writecarenotes-server``: set up the database, run the server, and the admin tasks of IT."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from shared.demo_data import DEMO_PASSWORD, generate_provider
from syncserver import __version__, tenancy
from syncserver.cli import (
    access_commands,
    audit_commands,
    backup_commands,
    keys_commands,
    mfa_commands,
)
from syncserver.cli.context import field_cipher
from syncserver.cli.output import complain, say, utc_text
from syncserver.config import Settings, load_settings
from syncserver.db import migrate
from syncserver.db.engine import Database, check_reachable, open_database, safe_url
from syncserver.db.tables import devices, tenants
from syncserver.errors import ServerError
from syncserver.logging_setup import configure_logging
from syncserver.ops.preflight import check_serve_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        getattr(args, "config", None),
        database_url=getattr(args, "database_url", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        workers=getattr(args, "workers", None),
    )


# Databases opened by the running command, disposed by ``main`` when it ends: a pool left
# to the garbage collector leaves its connections open until then.
_opened: list[Database] = []


def _open(args: argparse.Namespace, *, require_current: bool = True) -> Database:
    db = open_database(_settings(args).database_url)
    _opened.append(db)
    check_reachable(db)
    if require_current:
        migrate.check_current(db)
    return db


def _tenant_id(conn: sa.Connection, tenant: str) -> str:
    rows = (
        conn.execute(
            sa.select(tenants.c.id).where(sa.or_(tenants.c.id == tenant, tenants.c.name == tenant))
        )
        .scalars()
        .all()
    )
    if len(rows) != 1:
        raise ServerError(f"There is no single provider called {tenant!r}.", code="unknown_tenant")
    return str(rows[0])


def cmd_init(args: argparse.Namespace) -> int:
    db = _open(args, require_current=False)
    migrate.upgrade(db, app_role=_settings(args).database_app_role)
    say(f"Database ready at {safe_url(db.url)} (schema {migrate.head_revision()}).")
    if args.demo:
        with db.writer.connect() as conn:
            existing = conn.execute(sa.select(sa.func.count()).select_from(tenants)).scalar_one()
        if existing:
            say("Demo data not added: the database already holds a provider.")
            return 0
        provider = generate_provider(days=args.demo_days)
        with db.writer.begin() as conn:
            tenancy.seed_provider(conn, provider, cipher=field_cipher(_settings(args)))
        say(
            f"Demo provider {provider.tenant_name!r} added: "
            f"{len(provider.homes)} homes, {len(provider.residents)} residents, "
            f"{len(provider.staff)} staff."
        )
        say(f"Every demo account's password is {DEMO_PASSWORD}. For example:")
        for staff in provider.staff[:9]:
            say(f"  {staff.username:24} {staff.role}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    db = _open(args, require_current=False)
    before = migrate.current_revision(db)
    migrate.upgrade(db, app_role=_settings(args).database_app_role)
    say(f"Schema upgraded from {before or 'empty'} to {migrate.head_revision()}.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from syncserver.api.app import create_app

    settings = _settings(args)
    check_serve_settings(settings)
    db = _open(args)
    configure_logging(json_lines=settings.log_json)
    say(f"WriteCareNotes server {__version__} on http://{settings.host}:{settings.port}")
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "log_config": None,  # keep configure_logging's format for uvicorn's own lines
        "timeout_graceful_shutdown": 5,
        **_event_loop_and_parser(),
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings, db), workers=1, **common)
        return 0
    # Several processes: each builds its app from the same settings, handed on through the
    # environment (the command line's values over the file's).
    for name, value in (
        ("WCN_CONFIG", getattr(args, "config", None)),
        ("WCN_DATABASE_URL", getattr(args, "database_url", None)),
        ("WCN_HOST", getattr(args, "host", None)),
        ("WCN_PORT", getattr(args, "port", None)),
        ("WCN_WORKERS", getattr(args, "workers", None)),
    ):
        if value is not None:
            os.environ[name] = str(value)
    db.dispose()
    say(f"{settings.workers} server processes")
    uvicorn.run("syncserver.api.worker:create", factory=True, workers=settings.workers, **common)
    return 0


def _event_loop_and_parser() -> dict[str, str]:
    """uvloop's event loop and httptools' HTTP parser (the server extra's), each when it can be
    imported (uvloop is not built for Windows), else asyncio's loop and h11."""
    found = {name: importlib.util.find_spec(name) is not None for name in ("uvloop", "httptools")}
    return {
        "loop": "uvloop" if found["uvloop"] else "asyncio",
        "http": "httptools" if found["httptools"] else "h11",
    }


def cmd_enrol_code(args: argparse.Namespace) -> int:
    db = _open(args)
    settings = _settings(args)
    with db.writer.begin() as conn:
        tenant_id, home_id, name = tenancy.find_home(conn, args.home)
        code = tenancy.issue_enrol_code(
            conn, tenant_id, home_id, args.minutes or settings.enrol_code_minutes
        )
    say(code)
    say(f"(one use, for {name}, valid {args.minutes or settings.enrol_code_minutes} minutes)")
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    db = _open(args)
    with db.reader.connect() as conn:
        rows = conn.execute(sa.select(devices).order_by(devices.c.enrolled_at)).mappings().all()
    if not rows:
        say(
            "No PCs are enrolled yet. Issue a code with: "
            "writecarenotes-server device enrol-code --home HOME"
        )
        return 0
    say(f"{'device':36}  {'name':20} {'status':8} {'version':8} {'last seen':25} skew(ms)")
    for r in rows:
        seen = utc_text(r["last_seen_at"]) if r["last_seen_at"] else "never"
        say(
            f"{r['id']:36}  {r['name'][:20]:20} {r['status']:8} {r['app_version'][:8]:8} "
            f"{seen:25} {r['clock_skew_ms'] if r['clock_skew_ms'] is not None else '-'}"
        )
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    db = _open(args)
    with db.writer.begin() as conn:
        tenancy.revoke_device(conn, args.device)
    say(f"PC {args.device} is revoked: it will wipe its data after its last push.")
    return 0


def cmd_tenant_create(args: argparse.Namespace) -> int:
    db = _open(args)
    with db.writer.begin() as conn:
        tenant_id = tenancy.create_tenant(conn, args.name)
    say(tenant_id)
    return 0


def cmd_home_create(args: argparse.Namespace) -> int:
    from shared.demo_data import SeedRecord
    from shared.ids import new_id

    db = _open(args)
    with db.writer.begin() as conn:
        tenant_id = _tenant_id(conn, args.tenant)
        home_id = new_id()
        records = [
            SeedRecord(
                "home",
                home_id,
                home_id,
                None,
                {"name": args.name, "nation": args.nation, "address": args.address},
                0,
            )
        ]
        for unit in args.unit or ["Main"]:
            records.append(
                SeedRecord("unit", new_id(), home_id, None, {"name": unit, "home_id": home_id}, 0)
            )
        tenancy.write_server_records(conn, tenant_id, records)
    say(home_id)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    db = _open(args)
    with db.writer.begin() as conn:
        tenant_id = _tenant_id(conn, args.tenant)
        home_ids = [tenancy.find_home(conn, h, tenant_id)[1] for h in args.home]
        user_id = tenancy.add_user(
            conn,
            tenant_id,
            username=args.username,
            display_name=args.name,
            role=args.role,
            home_ids=home_ids,
            password=args.password,
            access_until=access_commands.end_of_access(args.until, args.days),
        )
    say(user_id)
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    db = _open(args)
    with db.writer.begin() as conn:
        tenancy.set_user_active(conn, _tenant_id(conn, args.tenant), args.username, args.enable)
    say(f"{args.username} is now {'enabled' if args.enable else 'disabled'}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST/DB")
    common.add_argument("--config", help="a TOML settings file")
    parser = argparse.ArgumentParser(
        prog="writecarenotes-server", description="WriteCareNotes sync server"
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[common], help="create or upgrade the database")
    p.add_argument("--demo", action="store_true", help="add the demo care provider")
    p.add_argument("--demo-days", type=int, default=30)
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("migrate", parents=[common], help="upgrade the database schema")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("serve", parents=[common], help="run the server")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="server processes (more than 1 needs Redis)")
    p.set_defaults(func=cmd_serve)

    device = sub.add_parser("device", help="enrol and manage PCs").add_subparsers(
        dest="action", required=True
    )
    p = device.add_parser("enrol-code", parents=[common], help="print a one-time enrolment code")
    p.add_argument("--home", required=True, help="the home's name or id")
    p.add_argument("--minutes", type=int)
    p.set_defaults(func=cmd_enrol_code)
    p = device.add_parser("list", parents=[common])
    p.set_defaults(func=cmd_device_list)
    p = device.add_parser("revoke", parents=[common])
    p.add_argument("device")
    p.set_defaults(func=cmd_device_revoke)

    audit_commands.register(sub, common, _opened)
    keys_commands.register(sub, common, _opened)
    mfa_commands.register(sub, common, _opened)
    access_commands.register(sub, common, _opened)

    tenant = sub.add_parser("tenant").add_subparsers(dest="action", required=True)
    p = tenant.add_parser("create", parents=[common])
    p.add_argument("name")
    p.set_defaults(func=cmd_tenant_create)
    home = sub.add_parser("home").add_subparsers(dest="action", required=True)
    p = home.add_parser("create", parents=[common])
    p.add_argument("--tenant", required=True)
    p.add_argument("--name", required=True)
    p.add_argument(
        "--nation", required=True, choices=["england", "scotland", "wales", "northern_ireland"]
    )
    p.add_argument("--address", default="")
    p.add_argument("--unit", action="append")
    p.set_defaults(func=cmd_home_create)
    user = sub.add_parser("user").add_subparsers(dest="action", required=True)
    p = user.add_parser("add", parents=[common])
    p.add_argument("--tenant", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--home", action="append", required=True)
    p.add_argument("--password", required=True)
    access_commands.add_end_arguments(p)
    p.set_defaults(func=cmd_user_add)
    for action, enable in (("disable", False), ("enable", True)):
        p = user.add_parser(action, parents=[common])
        p.add_argument("--tenant", required=True)
        p.add_argument("username")
        p.set_defaults(func=cmd_user_active, enable=enable)
    backup_commands.register(sub, common, _opened)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ServerError as exc:
        complain(exc.message)
    except IntegrityError as exc:
        complain(
            f"That would duplicate something that already exists ({str(exc.orig).splitlines()[0]})."
        )
    except OperationalError as exc:
        complain(f"The database could not be used: {str(exc.orig).strip().splitlines()[0]}")
    except SQLAlchemyError as exc:
        complain(f"Database error: {exc.__class__.__name__}")
    except KeyboardInterrupt:
        return 130
    finally:
        while _opened:
            _opened.pop().dispose()
    return 2


_ = json


if __name__ == "__main__":
    raise SystemExit(main())
