"""Signed checkpoints of the audit trail: the server signs the chain's head every N entries
(and on ``audit checkpoint``) with an Ed25519 key the database never holds, and an auditor
with the public key checks, offline, that the trail was not rewritten, even by someone who
recomputed every hash after changing an entry."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import audit, audit_chain, audit_checkpoints
from syncserver.audit_checkpoints import AuditSigner, Checkpoint
from syncserver.cli.main import main
from syncserver.db.engine import Database
from syncserver.db.tables import audit_checkpoints as checkpoints_table
from syncserver.db.tables import audit_log, tenants
from tests.helpers.server import (
    MASTER_KEY,
    ChangeMaker,
    EnrolledDevice,
    enrol_device,
    make_app,
    push_ok,
    residents_of,
    staff_of,
)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit-signing.pem"
    path.write_bytes(audit_checkpoints.new_private_pem())
    return path


@pytest.fixture
def signer(key_file: Path) -> AuditSigner:
    return AuditSigner.from_file(key_file)


def _checkpoint(db: Database, tenant: str, signer: AuditSigner) -> Checkpoint:
    with db.writer.begin() as conn:
        made = audit_checkpoints.checkpoint_now(conn, tenant, signer)
    assert made is not None
    return made


def _verify(
    db: Database, tenant: str, signer: AuditSigner, kept: list[Checkpoint] | None = None
) -> audit_checkpoints.CheckpointResult:
    with db.reader.connect() as conn:
        return audit_checkpoints.verify(conn, tenant, signer.public_key, kept)


def _rewrite_from(db: Database, tenant: str, seq: int) -> None:
    """An insider with database access changes entry ``seq`` and recomputes every hash after
    it, and the tenant's head: the hash chain alone can no longer tell."""
    with db.writer.begin() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(audit_log)
                .where(audit_log.c.tenant_id == tenant, audit_log.c.seq >= seq)
                .order_by(audit_log.c.seq)
            ).mappings()
        ]
        prev = rows[0]["prev_hash"]
        rows[0]["detail"] = '{"forged": true}'
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = prev = audit.entry_hash(
                prev, tenant, row["seq"], audit_chain._at_text(row["at"]), row
            )
            conn.execute(
                sa.update(audit_log)
                .where(audit_log.c.tenant_id == tenant, audit_log.c.seq == row["seq"])
                .values(detail=row["detail"], prev_hash=row["prev_hash"], hash=row["hash"])
            )
        conn.execute(sa.update(tenants).where(tenants.c.id == tenant).values(audit_head=prev))


def test_a_checkpoint_signs_the_head_and_verifies(
    seeded_db: Database, demo_provider: DemoProvider, signer: AuditSigner
) -> None:
    tenant = demo_provider.tenant_id
    made = _checkpoint(seeded_db, tenant, signer)
    with seeded_db.reader.connect() as conn:
        head = conn.execute(
            sa.select(tenants.c.audit_seq, tenants.c.audit_head).where(tenants.c.id == tenant)
        ).one()
    assert (made.seq, made.head_hash, made.key_id) == (
        head.audit_seq,
        head.audit_head,
        signer.key_id,
    )
    result = _verify(seeded_db, tenant, signer)
    assert (result.ok, result.checked) == (True, 1)
    assert Checkpoint.from_json(made.to_json()) == made


def test_a_rewritten_chain_passes_the_hash_check_but_not_the_checkpoint(
    seeded_db: Database, demo_provider: DemoProvider, signer: AuditSigner
) -> None:
    tenant = demo_provider.tenant_id
    made = _checkpoint(seeded_db, tenant, signer)
    _rewrite_from(seeded_db, tenant, 7)
    with seeded_db.reader.connect() as conn:
        assert audit.verify(conn, tenant).ok  # the chain alone is fooled
    result = _verify(seeded_db, tenant, signer)
    assert result.problems == [
        f"the trail was rewritten between entries 1 and {made.seq}: it no longer matches the "
        f"checkpoint signed at entry {made.seq}"
    ]


def test_the_rewrite_is_placed_between_two_checkpoints(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    signer: AuditSigner,
) -> None:
    tenant = demo_provider.tenant_id
    first = _checkpoint(seeded_db, tenant, signer)
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id).user_id
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    maker = ChangeMaker()
    push_ok(client, pc_a.headers, [maker.note(resident, carer) for _ in range(3)])
    second = _checkpoint(seeded_db, tenant, signer)
    _rewrite_from(seeded_db, tenant, first.seq + 2)
    assert _verify(seeded_db, tenant, signer).problems == [
        f"the trail was rewritten between entries {first.seq + 1} and {second.seq}: it no longer "
        f"matches the checkpoint signed at entry {second.seq}"
    ]


def test_a_forged_or_foreign_checkpoint_is_refused(
    seeded_db: Database, demo_provider: DemoProvider, signer: AuditSigner, tmp_path: Path
) -> None:
    tenant = demo_provider.tenant_id
    made = _checkpoint(seeded_db, tenant, signer)
    with seeded_db.writer.begin() as conn:
        conn.execute(
            sa.update(checkpoints_table)
            .where(checkpoints_table.c.tenant_id == tenant)
            .values(head_hash="0" * 64)
        )
    assert _verify(seeded_db, tenant, signer).problems == [
        f"the checkpoint at entry {made.seq} is not signed by this key (forged or altered)"
    ]
    other = tmp_path / "other.pem"
    other.write_bytes(audit_checkpoints.new_private_pem())
    assert not _verify(seeded_db, tenant, AuditSigner.from_file(other)).ok


def test_a_truncated_trail_is_found_by_a_checkpoint_kept_elsewhere(
    seeded_db: Database, demo_provider: DemoProvider, signer: AuditSigner
) -> None:
    """The insider deletes the newest entries, fixes the head, and deletes the checkpoints
    from the database too: the auditor's own copy of a checkpoint still shows it."""
    tenant = demo_provider.tenant_id
    kept = _checkpoint(seeded_db, tenant, signer)
    with seeded_db.writer.begin() as conn:
        conn.execute(sa.delete(checkpoints_table).where(checkpoints_table.c.tenant_id == tenant))
        conn.execute(
            sa.delete(audit_log).where(audit_log.c.tenant_id == tenant, audit_log.c.seq > 10)
        )
        head = conn.execute(
            sa.select(audit_log.c.hash).where(
                audit_log.c.tenant_id == tenant, audit_log.c.seq == 10
            )
        ).scalar_one()
        conn.execute(
            sa.update(tenants).where(tenants.c.id == tenant).values(audit_seq=10, audit_head=head)
        )
    with seeded_db.reader.connect() as conn:
        assert audit.verify(conn, tenant).ok  # the chain alone is fooled
    assert _verify(seeded_db, tenant, signer, [kept]).problems == [
        f"entries after 10 were removed (a checkpoint was signed at entry {kept.seq})"
    ]


def test_the_server_signs_a_checkpoint_every_n_entries(
    seeded_db: Database, demo_provider: DemoProvider, key_file: Path, signer: AuditSigner
) -> None:
    tenant = demo_provider.tenant_id
    app = make_app(seeded_db, audit_signing_key_file=str(key_file), audit_checkpoint_every=5)
    with TestClient(app) as client:
        pc = enrol_device(client, seeded_db, tenant, demo_provider.homes[0].record_id)
        carer = staff_of(demo_provider, "care_assistant", pc.home_id).user_id
        resident = residents_of(demo_provider, pc.home_id)[0].record_id
        maker = ChangeMaker()
        for _ in range(4):
            push_ok(client, pc.headers, [maker.note(resident, carer) for _ in range(3)])
    with seeded_db.reader.connect() as conn:
        seqs = (
            conn.execute(
                sa.select(checkpoints_table.c.seq)
                .where(checkpoints_table.c.tenant_id == tenant)
                .order_by(checkpoints_table.c.seq)
            )
            .scalars()
            .all()
        )
        last = conn.execute(
            sa.select(tenants.c.audit_seq).where(tenants.c.id == tenant)
        ).scalar_one()
    assert len(seqs) >= 3  # the first write signs the seeded trail, then every 5 or more
    assert all(b - a >= 3 for a, b in itertools.pairwise(seqs))
    assert last - seqs[-1] < 5
    assert _verify(seeded_db, tenant, signer).ok


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_the_audit_commands_sign_and_verify_offline_with_the_public_key(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WCN_MASTER_KEY", MASTER_KEY)
    url = ["--database-url", seeded_db.url]
    tenant = ["--tenant", demo_provider.tenant_name]
    key = tmp_path / "audit.pem"
    code, out, _ = _cli(capsys, "audit", "keygen", "--out", str(key))
    assert code == 0 and (tmp_path / "audit.pem.pub").exists()
    kept = tmp_path / "checkpoints.jsonl"
    code, out, _ = _cli(
        capsys, "audit", "checkpoint", *url, *tenant, "--key-file", str(key), "--out", str(kept)
    )
    assert code == 0 and out[0].startswith("Signed the audit trail at entry ")
    assert json.loads(out[1])["tenant_id"] == demo_provider.tenant_id
    public = ["--public-key", str(tmp_path / "audit.pem.pub")]
    code, out, err = _cli(capsys, "audit", "verify", *url, *tenant, *public)
    assert (code, err) == (0, [])
    assert out[1] == f"Signed checkpoints: 1 verified with key {AuditSigner.from_file(key).key_id}."
    _rewrite_from(seeded_db, demo_provider.tenant_id, 3)
    code, out, err = _cli(
        capsys, "audit", "verify", *url, *tenant, *public, "--checkpoints", str(kept)
    )
    assert code == 1
    assert out[0].startswith("Audit trail intact")  # the chain alone is fooled...
    assert len(err) == 1 and "rewritten between entries 1 and" in err[0]  # ...the checkpoint not
    code, out, _ = _cli(capsys, "audit", "verify", *url, *tenant)
    assert "Signed checkpoints were not checked" in out[-1]
