"""``writecarenotes enrol | sync | status | rebuild`` as IT's scripts use them: real server on
loopback, one clear sentence and exit code 2 on failure, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.main import main
from shared.demo_data import DemoProvider
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app


def test_enrol_status_sync_and_rebuild(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0]
    data = str(tmp_path / "pc")
    with serving(make_app(seeded_db)) as url:
        code = issue_code(seeded_db, demo_provider.tenant_id, home.record_id)
        assert main(["enrol", "--server", url, "--code", code, "--data-dir", data]) == 0
        out = capsys.readouterr().out
        assert f"Enrolled this PC to {home.fields['name']}" in out

        assert main(["status", "--data-dir", data]) == 0
        out = capsys.readouterr().out
        assert "Changes waiting: 0" in out
        assert url in out

        assert main(["sync", "--data-dir", data]) == 0
        assert "Synced: sent 0" in capsys.readouterr().out

        assert main(["rebuild", "--data-dir", data]) == 0
        assert "0 unsent change(s) kept" in capsys.readouterr().out

        # The same code again: refused, and the second PC gets nothing on disk.
        other = tmp_path / "pc2"
        assert main(["enrol", "--server", url, "--code", code, "--data-dir", str(other)]) == 2
        err = capsys.readouterr().err
        assert "already been used" in err
        assert "Traceback" not in err
        assert not other.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["enrol", "--server", "http://127.0.0.1:9", "--code", "ABCD"], "cannot be reached"),
        (["enrol", "--server", "ftp://example", "--code", "ABCD"], "must start with https://"),
        (["status"], "not enrolled"),
        (["sync"], "not enrolled"),
    ],
)
def test_failures_are_one_sentence(
    args: list[str],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    assert main([*args, "--data-dir", str(tmp_path / "pc")]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert "WriteCareNotes" in capsys.readouterr().out
