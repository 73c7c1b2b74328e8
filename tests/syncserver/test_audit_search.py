"""Who saw or changed what, when, and from which PC: every sign-in, refusal, record view,
sign-out and export lands in the audit trail, and IT can search and export it (as CSV or
JSON). Searching and exporting are themselves audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.ids import new_id
from shared.protocol import Change
from syncserver import audit_search
from syncserver.cli.main import main
from syncserver.db.engine import Database
from tests.helpers.security import sign_in
from tests.helpers.server import (
    MASTER_KEY,
    ChangeMaker,
    EnrolledDevice,
    audit_rows,
    now_iso,
    push_ok,
    residents_of,
    staff_of,
)


@pytest.fixture
def master_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WCN_MASTER_KEY", MASTER_KEY)


def _view(maker: ChangeMaker, resident: str, user: str) -> Change:
    return maker.change(
        "record_view", new_id(), "create", {"resident_id": resident, "occurred_at": now_iso()}, user
    )


@pytest.fixture
def activity(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> tuple[str, str]:
    """A carer signs in, views a resident's record and writes a note; a manager lists the PCs
    and signs out; someone mistypes a password. Returns (resident id, carer username)."""
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id)
    resident = residents_of(demo_provider, pc_a.home_id)[0].record_id
    sign_in(client, pc_a, carer.username, "care_assistant")
    maker = ChangeMaker()
    push_ok(client, pc_a.headers, [_view(maker, resident, carer.user_id)])
    push_ok(client, pc_a.headers, [maker.note(resident, carer.user_id, "=HYPERLINK(evil)")])
    session = sign_in(client, pc_a, manager.username, "home_manager")
    bearer = {"authorization": f"Bearer {session['access_token']}"}
    assert client.get("/v1/admin/devices", headers=bearer).status_code == 200
    assert (
        client.post("/v1/auth/logout", json={"refresh_token": session["refresh_token"]}).status_code
        == 200
    )
    client.post(
        "/v1/auth/login", json={"username": carer.username, "password": "no"}, headers=pc_a.headers
    )
    return resident, carer.username


def test_every_kind_of_event_is_in_the_trail(
    seeded_db: Database, demo_provider: DemoProvider, activity: tuple[str, str]
) -> None:
    resident, _carer = activity
    actions = [r.action for r in audit_rows(seeded_db, demo_provider.tenant_id)]
    for expected in (
        "device.enrolled",
        "signin.ok",
        "record.viewed",
        "change.create",
        "signin.password_ok",
        "mfa.enrolment_started",
        "admin.devices.listed",
        "signout",
        "signin.failed",
    ):
        assert expected in actions, expected
    viewed = audit_rows(seeded_db, demo_provider.tenant_id, "record.viewed")
    assert viewed[0].detail["resident"] == resident


def test_search_finds_who_saw_or_changed_a_resident(
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    activity: tuple[str, str],
) -> None:
    resident, carer = activity
    with seeded_db.reader.connect() as conn:
        query = audit_search.AuditQuery(demo_provider.tenant_id, record=resident)
        found = list(audit_search.search(conn, query))
    assert [(r.action, r.username, r.device_name) for r in found[-2:]] == [
        ("record.viewed", carer, "Bluebell office"),
        ("change.create", carer, "Bluebell office"),
    ]
    with seeded_db.reader.connect() as conn:
        signins = list(
            audit_search.search(
                conn, audit_search.AuditQuery(demo_provider.tenant_id, user=carer, action="signin")
            )
        )
    assert [r.action for r in signins] == ["signin.ok", "signin.failed"]


def test_a_bad_filter_is_refused_plainly(seeded_db: Database, demo_provider: DemoProvider) -> None:
    with seeded_db.reader.connect() as conn, pytest.raises(Exception, match="not a valid id"):
        list(audit_search.search(conn, audit_search.AuditQuery("t", record="x' OR 1=1 --")))


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("master_key_env")
def test_export_writes_csv_and_json_and_is_itself_audited(
    seeded_db: Database,
    demo_provider: DemoProvider,
    activity: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    resident, carer = activity
    base = ["--database-url", seeded_db.url, "--tenant", demo_provider.tenant_name]
    out_csv = tmp_path / "trail.csv"
    code, out, err = _cli(
        capsys,
        "audit",
        "export",
        *base,
        "--record",
        resident,
        "--format",
        "csv",
        "--out",
        str(out_csv),
    )
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert [r["action"] for r in rows[-2:]] == ["record.viewed", "change.create"]
    assert rows[-1]["username"] == carer and rows[-1]["resident_id"] == resident
    assert out_csv.stat().st_mode & 0o077 == 0  # the export is readable by its maker only
    code, out, err = _cli(
        capsys, "audit", "export", *base, "--action", "signin", "--format", "json", "--out", "-"
    )
    assert code == 0
    exported = json.loads(out)
    assert {e["action"] for e in exported} >= {"signin.ok", "signin.failed", "signin.password_ok"}
    code, out, err = _cli(capsys, "audit", "search", *base, "--user", carer)
    assert code == 0 and "record.viewed" in out and "Bluebell office" in out
    trail = audit_rows(seeded_db, demo_provider.tenant_id)
    done = [(r.action, r.detail.get("format"), r.detail.get("entries")) for r in trail[-3:]]
    assert done[0] == ("audit.exported", "csv", len(rows))
    assert done[1] == ("audit.exported", "json", len(exported))
    assert done[2][0] == "audit.searched"
    assert trail[-1].detail["user"] == carer


def test_a_spreadsheet_formula_in_an_export_is_neutralised() -> None:
    record = audit_search.AuditRecord(
        1,
        "2025-01-01T00:00:00+00:00",
        "=cmd|' /C calc'!A0",
        None,
        None,
        None,
        None,
        None,
        None,
        {},
    )
    out = io.StringIO()
    audit_search.write_csv([record], out)
    assert "'=cmd" in out.getvalue()
