"""The ``writecarenotes-server`` command as IT uses it: set up, issue enrolment codes, verify
the audit trail; and every mistake answered with one clear sentence, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD
from syncserver.cli.main import main
from syncserver.db import migrate
from syncserver.db.engine import Database, open_database
from tests.helpers.server import make_app, open_migrated

CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def _assert_one_clear_sentence(err: list[str]) -> str:
    assert len(err) == 1, err
    line = err[0]
    assert line.startswith("writecarenotes-server: ")
    assert "Traceback" not in line and "sqlalchemy" not in line.lower()
    return line


@pytest.fixture
def demo_url(server_db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The database URL after ``init --demo`` (one day of history, to stay quick)."""
    code, _out, err = _run(
        capsys, "init", "--database-url", server_db_url, "--demo", "--demo-days", "1"
    )
    assert (code, err) == (0, [])
    return server_db_url


def test_init_demo_creates_the_schema_and_the_demo_provider(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "init", "--database-url", server_db_url, "--demo", "--demo-days", "1"
    )
    assert (code, err) == (0, [])
    assert out[0].startswith("Database ready at ")
    assert f"(schema {migrate.head_revision()})" in out[0]
    assert "Demo provider 'Oakwood Care Group' added: 2 homes, 40 residents" in out[1]
    assert DEMO_PASSWORD in out[2]
    db = open_database(server_db_url)
    try:
        migrate.check_current(db)
    finally:
        db.dispose()


def test_init_twice_keeps_the_existing_provider(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "init", "--database-url", demo_url, "--demo")
    assert (code, err) == (0, [])
    assert out[-1] == "Demo data not added: the database already holds a provider."


def test_an_enrolment_code_from_the_cli_enrols_a_pc(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys,
        "device",
        "enrol-code",
        "--database-url",
        demo_url,
        "--home",
        "Bryn Hafod",
        "--minutes",
        "30",
    )
    assert (code, err) == (0, [])
    assert CODE.match(out[0]), out
    assert out[1] == "(one use, for Bryn Hafod, valid 30 minutes)"
    db = open_database(demo_url)
    try:
        with TestClient(make_app(db)) as client:
            response = client.post(
                "/v1/devices/enrol",
                json={"code": out[0], "device_name": "Office", "app_version": "0.1.0"},
            )
    finally:
        db.dispose()
    assert response.status_code == 200, response.text
    assert response.json()["home_name"] == "Bryn Hafod"
    code, out, err = _run(capsys, "device", "list", "--database-url", demo_url)
    assert code == 0 and "Office" in out[1]


def test_audit_verify_passes_then_fails_after_tampering(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "audit", "verify", "--database-url", demo_url, "--tenant", "Oakwood Care Group"
    )
    assert (code, err) == (0, [])
    assert re.fullmatch(r"Audit trail intact: \d+ entries verified\.", out[0])
    db = open_database(demo_url)
    try:
        with db.writer.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET detail = '{}' WHERE seq = 9"))
    finally:
        db.dispose()
    code, out, err = _run(
        capsys, "audit", "verify", "--database-url", demo_url, "--tenant", "Oakwood Care Group"
    )
    assert code == 1
    assert _assert_one_clear_sentence(err) == (
        "writecarenotes-server: Audit trail BROKEN at entry 9: entry 9 was changed."
    )


def test_revoking_a_pc_from_the_cli(
    server_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        capsys,
        "device",
        "revoke",
        "--database-url",
        server_db.url,
        "0190a0a0-0000-7000-8000-000000000000",
    )
    assert code == 2
    assert "There is no device" in _assert_one_clear_sentence(err)


def test_adding_a_provider_home_and_user(
    server_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server_db.url
    assert _run(capsys, "tenant", "create", "--database-url", url, "Ash Care")[0] == 0
    code, out, err = _run(
        capsys,
        "home",
        "create",
        "--database-url",
        url,
        "--tenant",
        "Ash Care",
        "--name",
        "Ash House",
        "--nation",
        "scotland",
        "--unit",
        "Rowan",
    )
    assert (code, err) == (0, [])
    code, out, err = _run(
        capsys,
        "user",
        "add",
        "--database-url",
        url,
        "--tenant",
        "Ash Care",
        "--username",
        "jo.bloggs",
        "--name",
        "Jo Bloggs",
        "--role",
        "nurse",
        "--home",
        "Ash House",
        "--password",
        "a long pass phrase",
    )
    assert (code, err) == (0, [])
    code, out, err = _run(
        capsys,
        "user",
        "add",
        "--database-url",
        url,
        "--tenant",
        "Ash Care",
        "--username",
        "jo.bloggs",
        "--name",
        "Jo Again",
        "--role",
        "nurse",
        "--home",
        "Ash House",
        "--password",
        "another pass phrase",
    )
    assert code == 2
    assert "already exists" in _assert_one_clear_sentence(err)
    code, out, err = _run(
        capsys, "user", "disable", "--database-url", url, "--tenant", "Ash Care", "jo.bloggs"
    )
    assert (code, out, err) == (0, ["jo.bloggs is now disabled."], [])


def test_an_unknown_home_is_one_clear_sentence(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "device", "enrol-code", "--database-url", demo_url, "--home", "Nowhere Manor"
    )
    assert code != 0 and out == []
    assert _assert_one_clear_sentence(err) == (
        "writecarenotes-server: There is no home called 'Nowhere Manor'."
    )


def test_an_unknown_provider_is_one_clear_sentence(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(
        capsys, "audit", "verify", "--database-url", demo_url, "--tenant", "Nobody Ltd"
    )
    assert code != 0
    assert "There is no single provider called 'Nobody Ltd'." in _assert_one_clear_sentence(err)


def _open_connections(url: str) -> int:
    """Sessions other than this one on the database (PostgreSQL), or whether SQLite still has
    a write-ahead log, which the last connection to close removes."""
    db = open_database(url)
    try:
        if db.is_sqlite:
            return int(Path(str(db.writer.url.database) + "-wal").exists())
        with db.reader.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        db.dispose()


def test_a_command_leaves_no_connection_open(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "init", "--database-url", server_db_url)[0] == 0
    assert _run(capsys, "device", "list", "--database-url", server_db_url)[0] == 0
    assert (
        _run(capsys, "device", "enrol-code", "--database-url", server_db_url, "--home", "Nowhere")[
            0
        ]
        != 0
    )
    assert _open_connections(server_db_url) == 0


def test_a_database_without_the_schema_says_to_run_init(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(capsys, "device", "list", "--database-url", server_db_url)
    assert code != 0
    assert "run 'writecarenotes-server init'" in _assert_one_clear_sentence(err)


def test_migrate_on_a_current_schema_is_harmless(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_migrated(server_db_url).dispose()
    code, out, err = _run(capsys, "migrate", "--database-url", server_db_url)
    assert (code, err) == (0, [])
    head = migrate.head_revision()
    assert out == [f"Schema upgraded from {head} to {head}."]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/care", "must be sqlite:///PATH or postgresql://"),
        ("not a url at all", "is not a database URL"),
        ("sqlite:////proc/no-such-dir/server.db", "Cannot"),
        ("sqlite:///{tmp}", "Cannot open the database"),
        ("sqlite:///{tmp}/not-a-database.db", "Cannot open the database"),
        ("postgresql://postgres@127.0.0.1:1/care", "Cannot open the database"),
    ],
    ids=["other_engine", "garbage", "unwritable_dir", "a_directory", "not_sqlite", "pg_down"],
)
@pytest.mark.parametrize("command", ["init", "migrate", "serve"])
def test_a_bad_database_url_is_one_clear_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, expected: str, command: str
) -> None:
    (tmp_path / "not-a-database.db").write_text("hello, I am a text file\n" * 100)
    code, out, err = _run(capsys, command, "--database-url", url.format(tmp=tmp_path))
    assert code != 0
    assert out == []
    assert expected in _assert_one_clear_sentence(err)


def test_a_missing_config_file_is_one_clear_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(capsys, "migrate", "--config", str(tmp_path / "nope.toml"))
    assert code != 0
    assert "does not exist" in _assert_one_clear_sentence(err)
