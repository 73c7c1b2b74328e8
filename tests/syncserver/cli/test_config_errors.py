"""Bad configuration stops ``serve`` (and the other commands) with one sentence that names
the problem and the fix: an unknown setting, a wrong type, a missing required setting, an
unreachable database, and a schema behind or ahead of the code."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from syncserver.cli.main import main
from syncserver.db import migrate
from tests.helpers.server import JWT_SECRET, open_migrated


def _fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("writecarenotes-server: ") and "Traceback" not in lines[0]
    return lines[0].removeprefix("writecarenotes-server: ")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("WCN_CONFIG", "WCN_PORT", "WCN_REDIS_URL", "WCN_JWT_SECRET", "WCN_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_an_unknown_setting_is_named_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "server.toml"
    config.write_text('prot = 8765\nhost = "127.0.0.1"\n')
    message = _fails(capsys, "serve", "--config", str(config))
    assert message.startswith(f"The configuration file {config} has unknown setting(s): prot.")
    assert "Known settings: " in message and "port" in message


def test_a_wrong_type_names_the_setting_and_where_it_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "server.toml"
    config.write_text('port = "eighty"\n')
    message = _fails(capsys, "serve", "--config", str(config))
    assert message.startswith("The setting 'port' is wrong: Input should be a valid integer")
    assert message.endswith(f"Correct it in the configuration file {config}.")

    clean_env.setenv("WCN_PORT", "99999")
    message = _fails(capsys, "serve", "--database-url", f"sqlite:///{tmp_path / 's.db'}")
    assert "'port' is wrong: Input should be less than or equal to 65535" in message
    assert message.endswith("Correct it in the environment variable WCN_PORT.")


def test_wcn_config_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("WCN_CONFIG", str(tmp_path / "missing.toml"))
    assert (
        _fails(capsys, "migrate")
        == f"The configuration file {tmp_path / 'missing.toml'} does not exist."
    )


def test_several_processes_need_a_shared_jwt_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    open_migrated(url).dispose()
    clean_env.setenv("WCN_REDIS_URL", "redis://127.0.0.1:6379/0")
    message = _fails(capsys, "serve", "--database-url", url)
    assert message.startswith(
        "The setting jwt_secret (WCN_JWT_SECRET) is required when redis_url is set"
    )
    assert "secrets.token_urlsafe(48)" in message
    clean_env.setenv("WCN_JWT_SECRET", "too-short")
    assert "is too short: use at least 32 random characters" in _fails(
        capsys, "serve", "--database-url", url
    )


def test_an_unreachable_database_is_named(
    capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("WCN_JWT_SECRET", JWT_SECRET)
    message = _fails(
        capsys, "serve", "--database-url", "postgresql://postgres@127.0.0.1:1/writecarenotes"
    )
    assert message.startswith(
        "Cannot open the database at postgresql+psycopg://postgres@127.0.0.1:1/writecarenotes"
    )


def test_a_schema_behind_says_migrate_and_migrate_fixes_it(
    server_db_url: str, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    db = open_migrated(server_db_url)
    try:
        with db.writer.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    finally:
        db.dispose()
    head = migrate.head_revision()
    for command in ("serve", "device"):
        argv = [command, "list"] if command == "device" else [command]
        assert _fails(capsys, *argv, "--database-url", server_db_url) == (
            f"The database schema (0001) is behind this server ({head}): "
            "run 'writecarenotes-server migrate'."
        )


def test_a_schema_ahead_says_upgrade_the_software(
    server_db_url: str, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    db = open_migrated(server_db_url)
    try:
        with db.writer.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    finally:
        db.dispose()
    assert _fails(capsys, "serve", "--database-url", server_db_url) == (
        f"The database schema (9999_future) is newer than this server "
        f"({migrate.head_revision()}): upgrade the server software."
    )


def test_several_workers_without_redis_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    open_migrated(url).dispose()
    message = _fails(capsys, "serve", "--database-url", url, "--workers", "3")
    assert message.startswith("The setting workers is 3, which needs redis_url (WCN_REDIS_URL)")
