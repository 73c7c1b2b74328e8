"""Signed checkpoints of the audit trail: an Ed25519 signature over the chain's head every N
entries (and whenever IT runs ``audit checkpoint``), so that an auditor holding only the
public key can check, offline, that the trail was not rewritten.

The hash chain alone catches a changed, removed or reordered entry, but not someone with
write access to the database who recomputes every hash after the entry they changed. A
signed head cannot be recomputed without the private key, which the database never holds.
Checkpoints printed by ``audit checkpoint`` (or exported) can be kept outside the database,
so deleting checkpoints from it does not hide a truncation either.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.dialects import postgresql, sqlite

from syncserver.db.tables import audit_checkpoints, audit_log, tenants
from syncserver.errors import ConfigError

_CONTEXT = "wcn-audit-checkpoint/v1"


@dataclass(frozen=True)
class Checkpoint:
    tenant_id: str
    seq: int
    head_hash: str
    signed_at: str
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def message(self) -> bytes:
        return "\n".join(
            [_CONTEXT, self.tenant_id, str(self.seq), self.head_hash, self.signed_at]
        ).encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        return cls(
            str(data["tenant_id"]),
            int(data["seq"]),
            str(data["head_hash"]),
            str(data["signed_at"]),
            str(data["key_id"]),
            str(data["signature"]),
        )


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def new_private_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class AuditSigner:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id_of(self.public_key)

    @classmethod
    def from_file(cls, path: Path) -> AuditSigner:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise ConfigError(f"The audit signing key file {path} does not exist.") from None
        except (ValueError, TypeError):
            raise ConfigError(
                f"The audit signing key file {path} is not an Ed25519 private key in PEM: make "
                "one with 'writecarenotes-server audit keygen'."
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"The audit signing key in {path} is not an Ed25519 key.")
        return cls(key)

    def sign(self, tenant_id: str, seq: int, head_hash: str, at: dt.datetime) -> Checkpoint:
        unsigned = Checkpoint(
            tenant_id, seq, head_hash, at.astimezone(dt.UTC).isoformat(), self.key_id, ""
        )
        signature = base64.b64encode(self._key.sign(unsigned.message())).decode()
        return Checkpoint(**{**asdict(unsigned), "signature": signature})


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"The public key file {path} does not exist.") from None
    except (ValueError, TypeError):
        raise ConfigError(f"The file {path} is not a public key in PEM.") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"The public key in {path} is not an Ed25519 key.")
    return key


def checkpoint_now(conn: sa.Connection, tenant_id: str, signer: AuditSigner) -> Checkpoint | None:
    """Sign the tenant's current head (None for an empty trail). Takes the tenant's lock, so
    the head cannot move while it is read; a checkpoint already at that entry is kept."""
    head = conn.execute(
        sa.update(tenants)
        .where(tenants.c.id == tenant_id)
        .values(audit_seq=tenants.c.audit_seq)
        .returning(tenants.c.audit_seq, tenants.c.audit_head)
    ).one_or_none()
    if head is None or int(head.audit_seq) == 0:
        return None
    checkpoint = signer.sign(
        tenant_id, int(head.audit_seq), head.audit_head, dt.datetime.now(dt.UTC)
    )
    values = {
        "tenant_id": tenant_id,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "signed_at": dt.datetime.fromisoformat(checkpoint.signed_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(audit_checkpoints)
    conn.execute(insert.values(**values).on_conflict_do_nothing())
    return checkpoint


def latest_seq(conn: sa.Connection, tenant_id: str) -> int | None:
    """The entry the tenant's latest checkpoint signed (None: none yet)."""
    value = conn.execute(
        sa.select(sa.func.max(audit_checkpoints.c.seq)).where(
            audit_checkpoints.c.tenant_id == tenant_id
        )
    ).scalar_one_or_none()
    return None if value is None else int(value)


def due(conn: sa.Connection, tenant_id: str, every: int) -> bool:
    """Whether ``every`` entries or more were appended since the last checkpoint."""
    latest = (
        sa.select(sa.func.max(audit_checkpoints.c.seq))
        .where(audit_checkpoints.c.tenant_id == tenant_id)
        .scalar_subquery()
    )
    row = conn.execute(
        sa.select(tenants.c.audit_seq, latest).where(tenants.c.id == tenant_id)
    ).one_or_none()
    return row is not None and int(row[0]) - int(row[1] or 0) >= every


def stored(conn: sa.Connection, tenant_id: str) -> list[Checkpoint]:
    rows = conn.execute(
        sa.select(audit_checkpoints)
        .where(audit_checkpoints.c.tenant_id == tenant_id)
        .order_by(audit_checkpoints.c.seq)
    ).mappings()
    return [
        Checkpoint(
            r["tenant_id"],
            int(r["seq"]),
            r["head_hash"],
            _aware(r["signed_at"]).isoformat(),
            r["key_id"],
            r["signature"],
        )
        for r in rows
    ]


def _aware(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


@dataclass(frozen=True)
class CheckpointResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    conn: sa.Connection,
    tenant_id: str,
    public_key: Ed25519PublicKey,
    kept_elsewhere: list[Checkpoint] | None = None,
) -> CheckpointResult:
    """Check every checkpoint (in the database and any kept elsewhere) against the public key
    and against the trail as it is now."""
    wanted_id = key_id_of(public_key)
    checkpoints = {(c.seq, c.signature): c for c in stored(conn, tenant_id)}
    for c in kept_elsewhere or []:
        if c.tenant_id == tenant_id:
            checkpoints.setdefault((c.seq, c.signature), c)
    last_seq = int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(audit_log.c.seq), 0)).where(
                audit_log.c.tenant_id == tenant_id
            )
        ).scalar_one()
    )
    ordered = sorted(checkpoints.values(), key=lambda c: c.seq)
    hashes = _hashes_at(conn, tenant_id, [c.seq for c in ordered])
    problems: list[str] = []
    good_upto = 0
    for c in ordered:
        if c.key_id != wanted_id or not _signature_ok(public_key, c):
            problems.append(
                f"the checkpoint at entry {c.seq} is not signed by this key (forged or altered)"
            )
            continue
        if c.seq > last_seq:
            problems.append(
                f"entries after {last_seq} were removed (a checkpoint was signed at entry {c.seq})"
            )
        elif hashes.get(c.seq) != c.head_hash:
            problems.append(
                f"the trail was rewritten between entries {good_upto + 1} and {c.seq}: it no "
                f"longer matches the checkpoint signed at entry {c.seq}"
            )
        else:
            good_upto = c.seq
    return CheckpointResult(len(ordered), problems)


def _signature_ok(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _hashes_at(conn: sa.Connection, tenant_id: str, seqs: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        for row in conn.execute(
            sa.select(audit_log.c.seq, audit_log.c.hash).where(
                audit_log.c.tenant_id == tenant_id, audit_log.c.seq.in_(chunk)
            )
        ):
            found[int(row.seq)] = row.hash
    return found
