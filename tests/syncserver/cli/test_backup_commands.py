"""``writecarenotes-server backup-key | backup | verify-backup | restore`` as IT runs them:
a round trip into a new database, and every mistake answered with one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncserver.cli.main import main
from tests.helpers.server import open_migrated


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def _one_sentence(err: list[str]) -> str:
    assert len(err) == 1, err
    assert err[0].startswith("writecarenotes-server: ")
    assert "Traceback" not in err[0]
    return err[0]


@pytest.fixture
def demo_url(server_db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _out, err = _run(
        capsys, "init", "--database-url", server_db_url, "--demo", "--demo-days", "0"
    )
    assert (code, err) == (0, [])
    return server_db_url


def test_backup_and_restore_into_a_new_server(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, backup = str(tmp_path / "backup.key"), str(tmp_path / "server.wcnbak")
    code, out, err = _run(capsys, "backup-key", "--to", key)
    assert (code, err) == (0, [])
    assert out[0].startswith(f"New backup key written to {key}")

    code, out, err = _run(
        capsys, "backup", "--database-url", demo_url, "--key-file", key, "--to", backup
    )
    assert (code, err) == (0, [])
    assert out[0].startswith(f"Backup written to {backup}: 1 provider(s), ")
    assert "read back and verified" in out[0]

    code, out, err = _run(capsys, "verify-backup", "--from", backup, "--key-file", key)
    assert (code, err) == (0, [])
    assert "is intact" in out[0] and "every count and checksum matches" in out[0]

    target = f"sqlite:///{tmp_path / 'new-server.db'}"
    open_migrated(target).dispose()
    code, out, err = _run(
        capsys, "restore", "--database-url", target, "--key-file", key, "--from", backup
    )
    assert (code, err) == (0, [])
    assert "every provider's audit trail verifies" in out[0]
    code, out, err = _run(
        capsys, "audit", "verify", "--database-url", target, "--tenant", "Oakwood Care Group"
    )
    assert (code, err) == (0, [])

    # A second restore into the same database needs --replace, and says so.
    code, out, err = _run(
        capsys, "restore", "--database-url", target, "--key-file", key, "--from", backup
    )
    assert code == 2 and out == []
    assert "add --replace" in _one_sentence(err)


def test_a_passphrase_from_the_environment(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = str(tmp_path / "server.wcnbak")
    monkeypatch.setenv("WCN_BACKUP_PASSPHRASE", "a long enough passphrase")
    assert _run(capsys, "backup", "--database-url", demo_url, "--to", backup)[0] == 0
    (tmp_path / "wrong").write_text("another long passphrase\n")
    code, _out, err = _run(
        capsys, "verify-backup", "--from", backup, "--passphrase-file", str(tmp_path / "wrong")
    )
    assert code == 2
    assert "encrypted with a different key or passphrase" in _one_sentence(err)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], "Say which key protects the backup"),
        (["--key-file", "{tmp}/missing.key"], "does not exist"),
        (["--key-file", "{tmp}/k", "--passphrase-file", "{tmp}/p"], "not both"),
        (["--passphrase-file", "{tmp}/short"], "too short"),
    ],
    ids=["no_key", "missing_key_file", "both", "short_passphrase"],
)
def test_key_mistakes_are_one_sentence(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    expected: str,
) -> None:
    monkeypatch.delenv("WCN_BACKUP_PASSPHRASE", raising=False)
    (tmp_path / "short").write_text("tiny\n")
    url = f"sqlite:///{tmp_path / 'server.db'}"
    open_migrated(url).dispose()
    args = [a.format(tmp=tmp_path) for a in extra]
    code, out, err = _run(
        capsys, "backup", "--database-url", url, "--to", str(tmp_path / "b.wcnbak"), *args
    )
    assert code == 2 and out == []
    assert expected in _one_sentence(err)
    assert not (tmp_path / "b.wcnbak").exists()


def test_the_configured_key_file_is_used(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "backup.key"
    assert _run(capsys, "backup-key", "--to", str(key))[0] == 0
    config = tmp_path / "server.toml"
    config.write_text(f'backup_key_file = "{key}"\n')
    backup = str(tmp_path / "server.wcnbak")
    code, _out, err = _run(
        capsys, "backup", "--config", str(config), "--database-url", demo_url, "--to", backup
    )
    assert (code, err) == (0, [])
    code, _out, err = _run(capsys, "verify-backup", "--config", str(config), "--from", backup)
    assert (code, err) == (0, [])


def test_restoring_a_file_that_is_not_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "backup-key", "--to", str(tmp_path / "k"))[0] == 0
    (tmp_path / "notes.txt").write_text("not a backup")
    url = f"sqlite:///{tmp_path / 'server.db'}"
    open_migrated(url).dispose()
    code, _out, err = _run(
        capsys,
        "restore",
        "--database-url",
        url,
        "--key-file",
        str(tmp_path / "k"),
        "--from",
        str(tmp_path / "notes.txt"),
    )
    assert code == 2
    assert "is not a WriteCareNotes backup" in _one_sentence(err)
