"""``insert_many`` stores exactly what SQLAlchemy's own insert stores, on both databases."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from syncserver.db.bulk import insert_many, insert_rows
from syncserver.db.engine import Database
from syncserver.db.tables import audit_log, tenants

WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC)


def _entry(seq: int, detail: str, user: str | None) -> dict[str, object]:
    return {
        "tenant_id": "t1",
        "seq": seq,
        "at": WHEN,
        "action": "change.create",
        "user_id": user,
        "device_id": "d1",
        "subject": 'care_note:"quoted" é',
        "detail": detail,
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }


def test_rows_match_sqlalchemys_own_insert(server_db: Database) -> None:
    detail = '{"a":"caf\\u00e9 \\"x\\"","b":[1,null]}'
    with server_db.writer.begin() as conn:
        conn.execute(sa.insert(tenants).values(id="t1", name="T", created_at=WHEN))
        conn.execute(sa.insert(audit_log), [_entry(1, detail, None), _entry(2, detail, "u")])
        insert_many(conn, audit_log, [_entry(3, detail, None), _entry(4, detail, "u")])
        insert_many(conn, audit_log, [])
    with server_db.reader.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT seq, CAST(at AS TEXT), action, user_id, device_id, subject, detail "
            "FROM audit_log ORDER BY seq"
        ).all()
        typed = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    assert [r[1:] for r in raw[2:]] == [r[1:] for r in raw[:2]]
    assert [r["at"] for r in typed[2:]] == [r["at"] for r in typed[:2]]
    assert [r["detail"] for r in typed] == [detail] * 4


def test_rows_of_values_store_what_sqlalchemy_stores(server_db: Database) -> None:
    """``insert_rows`` (values in column order): a time repeated as one object, the same
    time as another object, and a different time are each stored as SQLAlchemy stores them."""
    later = WHEN + dt.timedelta(seconds=1, microseconds=5)
    times = [WHEN, WHEN, WHEN.replace(), later, WHEN]
    names = tuple(_entry(0, "{}", None))
    with server_db.writer.begin() as conn:
        conn.execute(sa.insert(tenants).values(id="t1", name="T", created_at=WHEN))
        conn.execute(
            sa.insert(audit_log),
            [{**_entry(seq, "{}", None), "at": at} for seq, at in enumerate(times, start=1)],
        )
        insert_rows(
            conn,
            audit_log,
            names,
            [
                tuple({**_entry(seq, "{}", "u"), "at": at}.values())
                for seq, at in enumerate(times, start=11)
            ],
        )
        insert_rows(conn, audit_log, names, [])
    with server_db.reader.connect() as conn:
        raw = conn.exec_driver_sql(
            "SELECT CAST(at AS TEXT), action, device_id, subject, detail FROM audit_log "
            "ORDER BY seq"
        ).all()
        typed = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings().all()
    assert raw[5:] == raw[:5]
    assert [r["at"] for r in typed[5:]] == [r["at"] for r in typed[:5]]
    assert [r["at"] == typed[0]["at"] for r in typed[5:]] == [True, True, True, False, True]
    assert [r["user_id"] for r in typed] == [None] * 5 + ["u"] * 5
