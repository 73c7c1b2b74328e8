"""An inspector's access end reaches the ward PC with their staff record: after it they cannot
sign in there, with password or PIN, even with the network down; a session open at the end
stops at the next action; and setting the PC's clock back does not bring access back."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import NotSignedIn, SignInFailed
from desktop.services.session import SessionService
from desktop.store import local_users
from shared import access_expiry
from shared.demo_data import DEMO_PASSWORD
from syncserver import tenancy
from tests.desktop.conftest import InProcessServer

INSPECTOR = "ins.pector"
DAY_MS = 24 * 3600 * 1000


class Clock:
    """The PC's clock, which the test may set wrong."""

    def __init__(self) -> None:
        self.at_ms = int(time.time() * 1000)

    def ms(self) -> int:
        return self.at_ms


def unreachable() -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.Client(transport=httpx.MockTransport(refuse))


@pytest.fixture
def access_end(wcn_server: InProcessServer) -> dt.datetime:
    """An inspector of the first home whose access ends in a day."""
    end = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    with wcn_server.db.writer.begin() as conn:
        tenancy.add_user(
            conn,
            wcn_server.provider.tenant_id,
            username=INSPECTOR,
            display_name="Ina Spector",
            role="inspector",
            home_ids=[wcn_server.home.record_id],
            password=DEMO_PASSWORD,
            access_until=end,
        )
    return end


@pytest.fixture
def signed_in_here(
    enrol_pc: Callable[[str], DesktopServices], access_end: dt.datetime
) -> DesktopServices:
    """The inspector signed in once on this PC (online), and set a PIN."""
    pc = enrol_pc("ward-pc")
    user = pc.session.sign_in(INSPECTOR, DEMO_PASSWORD)
    assert user.role == "inspector"
    pc.session.set_pin("4826")
    pc.session.sign_out()
    return pc


def _offline(tmp_path: Path, clock: Clock) -> tuple[DesktopServices, SessionService]:
    pc = DesktopServices.open(tmp_path / "ward-pc", http=unreachable())
    return pc, SessionService(pc.context, now_ms=clock.ms)


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _inspector_id(pc: DesktopServices) -> str:
    with pc.context.store.read() as conn:
        local = local_users.by_username(conn, INSPECTOR)
    assert local is not None
    return local.user_id


def test_offline_sign_in_works_until_the_end_and_is_refused_after_it(
    signed_in_here: DesktopServices, access_end: dt.datetime, tmp_path: Path
) -> None:
    signed_in_here.close()
    clock = Clock()
    pc, session = _offline(tmp_path, clock)
    try:
        assert session.sign_in(INSPECTOR, DEMO_PASSWORD).role == "inspector"
        session.sign_out()
        clock.at_ms = _ms(access_end) + 60_000
        message = access_expiry.ended_message(access_end)
        assert message.startswith("Your inspection access ended on ")
        with pytest.raises(SignInFailed) as refused:
            session.sign_in(INSPECTOR, DEMO_PASSWORD)
        assert refused.value.message == message
        with pytest.raises(SignInFailed, match="Your inspection access ended on"):
            session.sign_in_with_pin(_inspector_id(pc), "4826")
        assert session.current is None
    finally:
        pc.close()


def test_a_session_open_at_the_end_stops_at_the_next_action(
    signed_in_here: DesktopServices, access_end: dt.datetime, tmp_path: Path
) -> None:
    signed_in_here.close()
    clock = Clock()
    pc, session = _offline(tmp_path, clock)
    try:
        user = session.sign_in(INSPECTOR, DEMO_PASSWORD)
        assert session.require() == user
        clock.at_ms = _ms(access_end)
        with pytest.raises(NotSignedIn) as ended:
            session.require()
        assert ended.value.message == access_expiry.ended_message(access_end)
        assert session.current is None
    finally:
        pc.close()


def test_setting_the_pc_clock_back_does_not_bring_access_back(
    signed_in_here: DesktopServices, wcn_server: InProcessServer, tmp_path: Path
) -> None:
    """IT ends the access; the PC syncs once; then, offline, its clock is put back two days
    (before the end): the PC still knows it has been later than the end, and refuses."""
    with wcn_server.db.writer.begin() as conn:
        tenancy.set_access_until(conn, wcn_server.provider.tenant_id, INSPECTOR, None)
    signed_in_here.sync.sync_now()
    with pytest.raises(SignInFailed, match="Your inspection access ended on"):
        signed_in_here.session.sign_in(INSPECTOR, DEMO_PASSWORD)
    signed_in_here.close()
    clock = Clock()
    clock.at_ms -= 2 * DAY_MS
    pc, session = _offline(tmp_path, clock)
    try:
        with pytest.raises(SignInFailed, match="Your inspection access ended on"):
            session.sign_in(INSPECTOR, DEMO_PASSWORD)
        with pytest.raises(SignInFailed, match="Your inspection access ended on"):
            session.sign_in_with_pin(_inspector_id(pc), "4826")
    finally:
        pc.close()


def test_other_staff_are_not_time_limited_on_the_pc(
    signed_in_here: DesktopServices, wcn_server: InProcessServer, tmp_path: Path
) -> None:
    carer = wcn_server.staff("care_assistant")
    assert signed_in_here.session.sign_in(carer.username, DEMO_PASSWORD).access_until_ms is None
    signed_in_here.session.sign_out()
    signed_in_here.close()
    clock = Clock()
    clock.at_ms += 400 * DAY_MS  # far beyond any inspector's end
    pc, session = _offline(tmp_path, clock)
    try:
        assert session.sign_in(carer.username, DEMO_PASSWORD).username == carer.username
        assert session.require().role == "care_assistant"
    finally:
        pc.close()
