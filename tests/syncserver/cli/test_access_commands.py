"""IT gives an inspector time-limited access from the command line: ``user add`` refuses an
inspector without an end (or with one too far off) in one sentence; ``access extend`` and
``access end`` move it; a bare date means the end of that day, UK time."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from shared.access_expiry import UK
from syncserver.cli.access_commands import end_of_access
from syncserver.cli.main import main
from syncserver.db.engine import Database
from syncserver.db.tables import users
from syncserver.errors import BadRequest


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


@pytest.fixture
def provider(server_db: Database, capsys: pytest.CaptureFixture[str]) -> str:
    url = server_db.url
    assert _run(capsys, "tenant", "create", "--database-url", url, "Ash Care")[0] == 0
    code, _out, err = _run(
        capsys,
        *("home", "create", "--database-url", url, "--tenant", "Ash Care"),
        *("--name", "Ash House", "--nation", "england"),
    )
    assert (code, err) == (0, [])
    return url


def _add_inspector(
    capsys: pytest.CaptureFixture[str], url: str, *end: str
) -> tuple[int, list[str]]:
    code, _out, err = _run(
        capsys,
        *("user", "add", "--database-url", url, "--tenant", "Ash Care"),
        *("--username", "ins.pector", "--name", "Ina Spector", "--role", "inspector"),
        *("--home", "Ash House", "--password", "a long pass phrase", *end),
    )
    return code, err


def _end_of(db: Database) -> dt.datetime | None:
    with db.reader.connect() as conn:
        value = conn.execute(
            sa.select(users.c.access_until).where(users.c.username == "ins.pector")
        ).scalar_one()
    return None if value is None else (value if value.tzinfo else value.replace(tzinfo=dt.UTC))


def test_an_inspector_without_an_end_is_refused_in_one_sentence(
    provider: str, server_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    for end in ((), ("--days", "91")):
        code, err = _add_inspector(capsys, provider, *end)
        assert code == 2
        assert len(err) == 1 and err[0].startswith("writecarenotes-server: An inspector's access")
    with server_db.reader.connect() as conn:
        assert conn.execute(sa.select(users.c.id)).all() == []


def test_an_inspector_with_an_end_date_is_added_then_extended_and_ended(
    provider: str, server_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    last_day = dt.datetime.now(UK).date() + dt.timedelta(days=10)
    code, err = _add_inspector(capsys, provider, "--until", last_day.isoformat())
    assert (code, err) == (0, [])
    end = _end_of(server_db)
    assert end is not None
    assert end.astimezone(UK).date() == last_day + dt.timedelta(days=1)
    assert end.astimezone(UK).time() == dt.time(0, 0)

    code, out, err = _run(
        capsys,
        *("access", "extend", "--database-url", provider, "--tenant", "Ash Care"),
        *("--days", "30", "ins.pector"),
    )
    assert (code, err) == (0, [])
    assert out[0].startswith("ins.pector's access now ends on ")
    extended = _end_of(server_db)
    assert extended is not None
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert abs(extended - expected) < dt.timedelta(minutes=1)

    code, out, err = _run(
        capsys, "access", "end", "--database-url", provider, "--tenant", "Ash Care", "ins.pector"
    )
    assert (code, err) == (0, [])
    assert out[0].startswith("ins.pector's access has ended")
    ended = _end_of(server_db)
    assert ended is not None and ended <= dt.datetime.now(dt.UTC)


def test_extending_an_unknown_person_or_with_a_bad_date_is_one_sentence(
    provider: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("access", "extend", "--database-url", provider, "--tenant", "Ash Care")
    code, _out, err = _run(capsys, *base, "--days", "5", "nobody")
    assert code == 2 and err == [
        "writecarenotes-server: There is no user 'nobody' in this provider."
    ]
    code, _out, err = _run(capsys, *base, "--until", "next week", "nobody")
    assert code == 2 and len(err) == 1 and "is not a date like 2026-12-31" in err[0]
    code, _out, err = _run(capsys, *base, "nobody")
    assert code == 2 and len(err) == 1 and "Give the new end" in err[0]


def test_a_bare_date_is_the_end_of_that_day_in_uk_time() -> None:
    summer = end_of_access("2026-07-01", None)
    winter = end_of_access("2026-12-31", None)
    assert summer == dt.datetime(2026, 7, 1, 23, 0, tzinfo=dt.UTC)  # midnight BST
    assert winter == dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert end_of_access("2026-12-31T17:00", None) == dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)
    now = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
    assert end_of_access(None, 7, now) == dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
    assert end_of_access(None, None) is None
    with pytest.raises(BadRequest, match="--days must be 1 or more"):
        end_of_access(None, 0)
