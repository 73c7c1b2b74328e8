"""A care plan section edited on two ward PCs while both are offline, end to end over real
HTTP with real encrypted stores and the real server: edits of different fields merge; two
edits of the same field keep both values in a review item, and both PCs then show the same
value. Every edit's revision (author and reason) reaches both PCs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.sync.errors import Offline
from shared.care_plans import section_id
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of

AREA = "mobility_and_falls"


def go_offline(pc: DesktopServices) -> None:
    pc.context.device = dataclasses.replace(pc.context.device, server_url="http://127.0.0.1:9")


def test_a_section_edited_on_two_offline_pcs_merges_per_field(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    nurse = staff_of(demo_provider, "nurse", home)
    senior = staff_of(demo_provider, "senior_carer", home)
    with serving(make_app(seeded_db)) as url:
        ward = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "ward")
        )
        office = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "office")
        )
        try:
            online = {pc: pc.context.device for pc in (ward, office)}
            ward.session.sign_in(nurse.username, DEMO_PASSWORD)
            office.session.sign_in(senior.username, DEMO_PASSWORD)
            resident = ward.residents.list_residents()[0].resident_id
            ward.care_plans.write_section(
                resident,
                AREA,
                {"needs": "Unsteady when tired", "actions": "Frame within reach"},
            )
            ward.sync.sync_now()
            office.sync.sync_now()
            assert office.care_plans.section(resident, AREA).written

            # The network goes down on both PCs; each changes a different field.
            for pc in (ward, office):
                go_offline(pc)
            ward.care_plans.write_section(
                resident, AREA, {"goals": "Walk to the dining room"}, "Physio assessment"
            )
            office.care_plans.write_section(
                resident,
                AREA,
                {"actions": "Frame within reach; sensor mat at night"},
                "Fell at night",
            )
            with pytest.raises(Offline):
                ward.sync.sync_now()

            for pc in (ward, office):  # the network is back
                pc.context.device = online[pc]
            ward.sync.sync_now()
            office.sync.sync_now()
            ward.sync.sync_now()
            for pc in (ward, office):
                merged = pc.care_plans.section(resident, AREA).fields
                assert merged["goals"] == "Walk to the dining room"
                assert merged["actions"] == "Frame within reach; sensor mat at night"
                assert merged["needs"] == "Unsteady when tired"
                assert pc.reviews.items() == []

            # Offline again, both change the needs.
            for pc in (ward, office):
                go_offline(pc)
            ward.care_plans.write_section(
                resident, AREA, {"needs": "Unsteady; new hip pain"}, "GP visit"
            )
            office.care_plans.write_section(
                resident, AREA, {"needs": "Steadier since the new frame"}, "Monthly review"
            )
            for pc in (ward, office):
                pc.context.device = online[pc]
            ward.sync.sync_now()
            office.sync.sync_now()
            ward.sync.sync_now()

            shown = {pc.care_plans.section(resident, AREA).fields["needs"] for pc in (ward, office)}
            assert len(shown) == 1  # the same value on every PC
            for pc in (ward, office):
                (item,) = pc.reviews.items()
                assert item.rule == "same_field_edited_concurrently"
                assert item.subject_id == section_id(resident, AREA)
                assert item.field == "needs"
                assert {v["value"] for v in item.values} == {
                    "Unsteady; new hip pain",
                    "Steadier since the new frame",
                }
                history = pc.care_plans.history(resident, AREA)
                assert sorted(r.reason for r in history) == sorted(
                    [
                        "First written.",
                        "Physio assessment",
                        "Fell at night",
                        "GP visit",
                        "Monthly review",
                    ]
                )
                authors = {r.reason: r.author_id for r in history}
                assert authors["GP visit"] == ward.session.require().user_id
                assert authors["Monthly review"] == office.session.require().user_id
        finally:
            ward.close()
            office.close()
