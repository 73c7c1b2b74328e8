"""8. Backup and restore drill: back up a server holding real synced records, lose the
database, restore it, and check that the PCs carry on with nothing lost or duplicated.
Not possible yet: there is no backup or restore command. The test is a strict xfail that
will flip to a failure (XPASS) when ``writecarenotes-server backup`` and ``restore`` land,
as a reminder to make it a real test."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncserver.cli.main import build_parser


@pytest.mark.xfail(
    strict=True,
    reason="MISSING: writecarenotes-server has no 'backup' / 'restore' commands (and the PC "
    "CLI none either; Store.backup_to exists but nothing exposes it), so no drill can run",
)
def test_backup_and_restore_drill(tmp_path: Path) -> None:
    parser = build_parser()
    # argparse exits (SystemExit 2) on an unknown command: that is the missing feature.
    backup = parser.parse_args(["backup", "--database-url", "sqlite:///x.db", str(tmp_path)])
    restore = parser.parse_args(["restore", "--database-url", "sqlite:///y.db", str(tmp_path)])
    assert backup.command == "backup" and restore.command == "restore"
    # When the commands exist: seed a server, enrol two PCs, sync notes, back up, record
    # more notes on a PC, destroy the database, restore, sync, and check that every note
    # is there once, the PCs converge, the audit chain verifies, and acknowledged changes
    # made after the backup are re-sent by the PCs (their outboxes still hold them? no:
    # they were acknowledged) -- the drill must state how such a gap is detected.
    pytest.fail("write the drill now that the commands exist")
