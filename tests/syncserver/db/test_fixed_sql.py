"""``FixedSql`` reads and writes what the same Core statement reads and writes, on both
databases: lists of any length in ``IN (?)``, and a time stored as SQLAlchemy stores it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from syncserver.db.engine import Database
from syncserver.db.fixed_sql import FixedSql
from syncserver.db.tables import devices, tenants

WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC)
IDS = [f"d{n}" for n in range(5)]

_NAMED = FixedSql("SELECT id, acked_seq FROM devices WHERE tenant_id = ? AND id IN (?) ORDER BY id")
_SEEN = FixedSql(
    "UPDATE devices SET acked_seq = ?, last_seen_at = ? WHERE id = ?",
    columns={1: devices.c.last_seen_at},
)


def _add_devices(conn: sa.Connection) -> None:
    conn.execute(sa.insert(tenants).values(id="t1", name="T", created_at=WHEN))
    conn.execute(
        sa.insert(devices),
        [
            {
                "id": device_id,
                "tenant_id": "t1",
                "home_id": "h1",
                "name": device_id,
                "secret_hash": "x",
                "status": "active",
                "app_version": "1",
                "acked_seq": n,
                "enrolled_at": WHEN,
            }
            for n, device_id in enumerate(IDS)
        ],
    )


@pytest.mark.parametrize("wanted", [["d1"], ["d4", "d0", "nobody"], IDS, []])
def test_a_list_reads_what_a_core_in_reads(server_db: Database, wanted: list[str]) -> None:
    with server_db.writer.begin() as conn:
        _add_devices(conn)
        core = conn.execute(
            sa.select(devices.c.id, devices.c.acked_seq)
            .where(devices.c.tenant_id == "t1", devices.c.id.in_(wanted))
            .order_by(devices.c.id)
        ).all()
        fixed = _NAMED.run(conn, "t1", wanted).all()
        again = _NAMED.run(conn, "t1", tuple(wanted)).all()  # the text kept for this length
    assert [tuple(r) for r in fixed] == [tuple(r) for r in core] == [tuple(r) for r in again]


def test_a_time_is_stored_as_sqlalchemy_stores_it(server_db: Database) -> None:
    later = WHEN + dt.timedelta(minutes=1)
    with server_db.writer.begin() as conn:
        _add_devices(conn)
        conn.execute(
            sa.update(devices).where(devices.c.id == "d0").values(acked_seq=7, last_seen_at=later)
        )
        _SEEN.run(conn, 7, later, "d1")
        _SEEN.run_many(conn, [(8, WHEN, "d2"), (9, None, "d3")])
    with server_db.reader.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT id, acked_seq, CAST(last_seen_at AS TEXT) FROM devices ORDER BY id"
        ).all()
        typed = conn.execute(sa.select(devices.c.last_seen_at).order_by(devices.c.id)).all()
    assert raw[1][1:] == raw[0][1:]
    assert [r[1] for r in raw[2:4]] == [8, 9]
    assert typed[1] == typed[0]
    assert typed[3][0] is None and typed[2][0] is not None


def test_one_list_at_most_and_none_in_many() -> None:
    with pytest.raises(ValueError):
        FixedSql("SELECT 1 FROM devices WHERE id IN (?) AND home_id IN (?)")
    with pytest.raises(ValueError):
        FixedSql("SELECT 1 FROM devices WHERE name LIKE 'a%'")
    with pytest.raises(ValueError):
        _NAMED.run_many(None, [("t1", ["d1"])])  # type: ignore[arg-type]
