"""``writecarenotes-server audit ...``: check and read the tamper-evident audit trail.

  audit verify --tenant T [--public-key PUB] [--checkpoints FILE]
  audit checkpoint --tenant T [--out FILE]      sign the head now (and keep the line)
  audit keygen --out FILE                       an Ed25519 key pair for the checkpoints
  audit search --tenant T [filters]             who saw or changed what, when, from which PC
  audit export --tenant T --format csv|json --out FILE [filters]

Searching and exporting are themselves written to the trail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from syncserver import audit, audit_checkpoints, audit_search
from syncserver.audit_checkpoints import AuditSigner, Checkpoint
from syncserver.cli.context import open_db, settings_of, tenant_id
from syncserver.cli.output import complain, say
from syncserver.db.engine import Database
from syncserver.errors import ConfigError, ServerError


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _public_key(args: argparse.Namespace) -> Ed25519PublicKey | None:
    if args.public_key:
        return audit_checkpoints.load_public_key(Path(args.public_key))
    configured = settings_of(args).audit_signing_key_file
    return AuditSigner.from_file(Path(configured)).public_key if configured else None


def _kept_checkpoints(path: str | None) -> list[Checkpoint]:
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"The checkpoint file {path} does not exist.") from None
    try:
        return [Checkpoint.from_json(line) for line in lines if line.strip()]
    except (ValueError, KeyError):
        raise ConfigError(f"The checkpoint file {path} is not a list of checkpoints.") from None


def _cmd_verify(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    public_key = _public_key(args)
    kept = _kept_checkpoints(args.checkpoints)
    with db.reader.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
        # A read-only transaction: the chain can be checked in ranges by several processes.
        chain = audit.verify(conn, tenant, workers=os.cpu_count() or 1)
        signed = audit_checkpoints.verify(conn, tenant, public_key, kept) if public_key else None
    if chain.ok:
        say(f"Audit trail intact: {chain.entries} entries verified.")
    else:
        complain(f"Audit trail BROKEN at entry {chain.first_bad_seq}: {chain.reason}.")
    if signed is None:
        say("Signed checkpoints were not checked: give --public-key FILE.")
    elif signed.ok:
        key = audit_checkpoints.key_id_of(public_key) if public_key else ""
        say(f"Signed checkpoints: {signed.checked} verified with key {key}.")
    else:
        for problem in signed.problems:
            complain(f"Audit trail BROKEN: {problem}.")
    return 0 if chain.ok and (signed is None or signed.ok) else 1


def _signer(args: argparse.Namespace) -> AuditSigner:
    path = args.key_file or settings_of(args).audit_signing_key_file
    if not path:
        raise ConfigError(
            "No audit signing key: give --key-file, or set WCN_AUDIT_SIGNING_KEY_FILE "
            "(make one with 'writecarenotes-server audit keygen --out FILE')."
        )
    return AuditSigner.from_file(Path(path))


def _cmd_checkpoint(args: argparse.Namespace, opened: list[Database]) -> int:
    db = open_db(args, opened)
    signer = _signer(args)
    with db.writer.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
        checkpoint = audit_checkpoints.checkpoint_now(conn, tenant, signer)
    if checkpoint is None:
        say("The audit trail is empty: nothing to sign.")
        return 0
    say(f"Signed the audit trail at entry {checkpoint.seq} with key {checkpoint.key_id}.")
    say(checkpoint.to_json())
    if args.out:
        with Path(args.out).open("a", encoding="utf-8") as kept:
            kept.write(checkpoint.to_json() + "\n")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    private = Path(args.out)
    public = Path(args.out + ".pub")
    for path in (private, public):
        if path.exists():
            raise ServerError(f"{path} already exists: keys are never overwritten.")
    pem = audit_checkpoints.new_private_pem()
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    signer = AuditSigner.from_file(private)
    public.write_bytes(audit_checkpoints.public_pem(signer.public_key))
    say(f"Signing key: {private} (set WCN_AUDIT_SIGNING_KEY_FILE to it; keep it secret).")
    say(f"Public key:  {public} (give it to auditors; key id {signer.key_id}).")
    return 0


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not a date like 2025-03-31 or 2025-03-31T14:00.") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _query(args: argparse.Namespace, tenant: str) -> audit_search.AuditQuery:
    return audit_search.AuditQuery(
        tenant,
        user=args.user,
        device_id=args.device,
        action=args.action,
        record=args.record,
        since=_when(args.since),
        until=_when(args.until),
        limit=getattr(args, "limit", None),
    )


def _read_and_audit(
    args: argparse.Namespace, opened: list[Database], action: str, extra: dict[str, str]
) -> list[audit_search.AuditRecord]:
    """Find the entries, and write that they were read, in one transaction."""
    db = open_db(args, opened)
    with db.writer.begin() as conn:
        tenant = tenant_id(conn, args.tenant)
        query = _query(args, tenant)
        found = list(audit_search.search(conn, query))
        detail = {**query.describe(), **extra, "entries": len(found), "by": _operator()}
        audit.append(conn, tenant, [audit.AuditEntry(action, detail=detail)])
    return found


def _cmd_search(args: argparse.Namespace, opened: list[Database]) -> int:
    found = _read_and_audit(args, opened, "audit.searched", {})
    for r in found:
        who = r.username or r.user_id or "-"
        pc = r.device_name or r.device_id or "-"
        say(f"{r.seq:>7} {r.at} {r.action:32} {who:24} {pc:20} {r.subject or ''}")
    say(f"{len(found)} entr{'y' if len(found) == 1 else 'ies'}.")
    return 0


def _cmd_export(args: argparse.Namespace, opened: list[Database]) -> int:
    found = _read_and_audit(
        args, opened, "audit.exported", {"format": args.format, "to": str(args.out)}
    )
    writer = audit_search.write_csv if args.format == "csv" else audit_search.write_json
    if args.out == "-":
        writer(found, sys.stdout)
    else:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        handle: TextIO
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer(found, handle)
        say(f"{len(found)} audit entries written to {args.out} ({args.format}).")
    return 0


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tenant", required=True)
    p.add_argument("--user", help="a user id or username")
    p.add_argument("--device", help="a PC's device id")
    p.add_argument("--action", help="an action, or its start: signin, change, record.viewed")
    p.add_argument("--record", help="a record id (a resident's finds everything about them)")
    p.add_argument("--since", help="from this date/time (UTC unless given)")
    p.add_argument("--until", help="up to this date/time")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    opened: list[Database],
) -> None:
    aud = sub.add_parser("audit", help="the audit trail").add_subparsers(
        dest="action", required=True
    )
    p = aud.add_parser("verify", parents=[common], help="verify the hash chain and checkpoints")
    p.add_argument("--tenant", required=True)
    p.add_argument("--public-key", help="the checkpoint signing key's public half (PEM)")
    p.add_argument("--checkpoints", help="checkpoints kept outside the database (JSON lines)")
    p.set_defaults(func=lambda a: _cmd_verify(a, opened))
    p = aud.add_parser("checkpoint", parents=[common], help="sign the trail's head now")
    p.add_argument("--tenant", required=True)
    p.add_argument("--key-file", help="the signing key (default: audit_signing_key_file)")
    p.add_argument("--out", help="also append the signed checkpoint to this file")
    p.set_defaults(func=lambda a: _cmd_checkpoint(a, opened))
    p = aud.add_parser("keygen", help="make an Ed25519 key pair for signing checkpoints")
    p.add_argument("--out", required=True, help="private key file; the public one gets .pub")
    p.set_defaults(func=cmd_keygen)
    p = aud.add_parser("search", parents=[common], help="find audit entries")
    _filters(p)
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(func=lambda a: _cmd_search(a, opened))
    p = aud.add_parser("export", parents=[common], help="write audit entries as CSV or JSON")
    _filters(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", required=True, help="a file, or - for the screen")
    p.set_defaults(func=lambda a: _cmd_export(a, opened))
