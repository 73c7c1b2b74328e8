"""A manager's authenticator code checked on the ward PC itself: after one online sign-in with
both factors the PC keeps their secret (in its encrypted store) and signs them in with the
network down; wrong, replayed and stale codes are refused and count towards the lock-out; a
PIN needs the code too; a disabled person's secret is forgotten at the next sync."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from desktop.services.app import DesktopServices
from desktop.services.errors import InvalidInput, MfaRequired, SignInFailed
from desktop.services.session import SessionService
from desktop.store import local_users
from shared import totp
from shared.demo_data import DEMO_PASSWORD, DemoStaff
from syncserver import signin, tenancy
from tests.desktop.conftest import InProcessServer

T0 = 1_900_000_000.0  # a fixed moment, so every code is known in advance


class Clock:
    def __init__(self) -> None:
        self.seconds = T0

    def ms(self) -> int:
        return int(self.seconds * 1000)


def unreachable() -> httpx.Client:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.Client(transport=httpx.MockTransport(refuse))


def enrol_online(pc: DesktopServices, manager: DemoStaff) -> str:
    """The manager's first sign-in on ``pc``: password, new authenticator app, first code.
    Returns the secret, as their phone holds it."""
    with pytest.raises(MfaRequired):
        pc.session.sign_in(manager.username, DEMO_PASSWORD)
    secret = pc.session.start_mfa_setup().secret
    pc.session.finish_sign_in(totp.code_at(secret, totp.current_step()))
    pc.session.sign_out()
    return secret


@pytest.fixture
def manager(wcn_server: InProcessServer) -> DemoStaff:
    return wcn_server.staff("home_manager")


def reopen_offline(tmp_path: Path) -> DesktopServices:
    return DesktopServices.open(tmp_path / "ward-pc", http=unreachable())


@pytest.fixture
def setup(enrol_pc: Callable[[str], DesktopServices], manager: DemoStaff) -> str:
    """The manager set up their authenticator app on this PC, online; returns its secret."""
    pc = enrol_pc("ward-pc")
    secret = enrol_online(pc, manager)
    with pc.context.store.read() as conn:
        kept = local_users.by_username(conn, manager.username)
    assert kept is not None and kept.totp_secret == secret
    pc.close()
    return secret


def offline_session(tmp_path: Path, clock: Clock) -> tuple[DesktopServices, SessionService]:
    pc = reopen_offline(tmp_path)
    return pc, SessionService(pc.context, now_ms=clock.ms)


def test_a_manager_signs_in_offline_with_a_code_checked_here(
    setup: str, manager: DemoStaff, tmp_path: Path
) -> None:
    clock = Clock()
    pc, session = offline_session(tmp_path, clock)
    try:
        with pytest.raises(MfaRequired) as asked:
            session.sign_in(manager.username, DEMO_PASSWORD)
        assert asked.value.enrolled is True
        assert session.current is None and session.waiting_for_code
        user = session.finish_sign_in(totp.code_at(setup, totp.current_step(T0)))
        assert user.username == manager.username and user.role == "home_manager"
        assert session.current == user and not session.waiting_for_code
    finally:
        pc.close()


def test_wrong_replayed_and_stale_codes_are_refused(
    setup: str, manager: DemoStaff, tmp_path: Path
) -> None:
    clock = Clock()
    pc, session = offline_session(tmp_path, clock)
    step = totp.current_step(T0)
    try:
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        wrong = "000000" if totp.code_at(setup, step) != "000000" else "111111"
        with pytest.raises(SignInFailed, match="4 attempt"):
            session.finish_sign_in(wrong)
        with pytest.raises(SignInFailed, match="not right"):
            session.finish_sign_in(totp.code_at(setup, step - 5))  # from 2.5 minutes ago
        assert session.finish_sign_in(totp.code_at(setup, step)).username == manager.username
        session.sign_out()

        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        with pytest.raises(SignInFailed, match="already used"):
            session.finish_sign_in(totp.code_at(setup, step))  # the same code again
        with pytest.raises(SignInFailed, match="already used"):
            session.finish_sign_in(totp.code_at(setup, step - 1))  # older, still in the window
        clock.seconds += totp.STEP_SECONDS
        assert session.finish_sign_in(totp.code_at(setup, step + 1)).role == "home_manager"
    finally:
        pc.close()


def test_five_wrong_codes_lock_the_account_on_this_pc(
    setup: str, manager: DemoStaff, tmp_path: Path
) -> None:
    clock = Clock()
    pc, session = offline_session(tmp_path, clock)
    right = totp.code_at(setup, totp.current_step(T0))
    wrong = "123456" if right != "123456" else "654321"
    try:
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        for _ in range(4):
            with pytest.raises(SignInFailed, match="attempt"):
                session.finish_sign_in(wrong)
        with pytest.raises(SignInFailed, match="locked for 5 minutes"):
            session.finish_sign_in(wrong)
        assert not session.waiting_for_code
        # Even the right password and code are refused while locked.
        with pytest.raises(SignInFailed, match="try again in 5 minute"):
            session.sign_in(manager.username, DEMO_PASSWORD)
        with pytest.raises(SignInFailed, match="password first"):
            session.finish_sign_in(right)
        clock.seconds += 5 * 60 + 1
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        later = totp.code_at(setup, totp.current_step(clock.seconds))
        assert session.finish_sign_in(later).username == manager.username
    finally:
        pc.close()


def test_a_pin_needs_the_code_too_and_a_recovery_code_needs_the_server(
    setup: str, manager: DemoStaff, tmp_path: Path
) -> None:
    clock = Clock()
    pc, session = offline_session(tmp_path, clock)
    step = totp.current_step(T0)
    try:
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        user = session.finish_sign_in(totp.code_at(setup, step))
        session.set_pin("2580")
        session.sign_out()
        with pytest.raises(MfaRequired):
            session.sign_in_with_pin(user.user_id, "2580")
        with pytest.raises(InvalidInput, match="password instead of your PIN"):
            session.finish_sign_in("ABCD-EFGH-JKLM-NPQR")
        clock.seconds += totp.STEP_SECONDS
        assert session.finish_sign_in(totp.code_at(setup, step + 1)).user_id == user.user_id
        session.sign_out()
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        with pytest.raises(SignInFailed, match="checked by the server, which cannot be reached"):
            session.finish_sign_in("ABCD-EFGH-JKLM-NPQR")
    finally:
        pc.close()


def test_too_slow_a_code_means_signing_in_again(
    setup: str, manager: DemoStaff, tmp_path: Path
) -> None:
    clock = Clock()
    pc, session = offline_session(tmp_path, clock)
    try:
        with pytest.raises(MfaRequired):
            session.sign_in(manager.username, DEMO_PASSWORD)
        clock.seconds += 6 * 60
        with pytest.raises(SignInFailed, match="took too long"):
            session.finish_sign_in(totp.code_at(setup, totp.current_step(clock.seconds)))
        assert not session.waiting_for_code
    finally:
        pc.close()


def test_a_recovery_code_online_signs_in_and_refreshes_the_secret(
    enrol_pc: Callable[[str], DesktopServices], manager: DemoStaff
) -> None:
    pc = enrol_pc("ward-pc")
    with pytest.raises(MfaRequired):
        pc.session.sign_in(manager.username, DEMO_PASSWORD)
    secret = pc.session.start_mfa_setup().secret
    pc.session.finish_sign_in(totp.code_at(secret, totp.current_step()))
    recovery = pc.session.last_recovery_codes[0]
    pc.session.sign_out()
    with pytest.raises(MfaRequired):
        pc.session.sign_in(manager.username, DEMO_PASSWORD)
    assert pc.session.finish_sign_in(recovery).username == manager.username
    pc.session.sign_out()
    with pytest.raises(MfaRequired):
        pc.session.sign_in(manager.username, DEMO_PASSWORD)
    with pytest.raises(SignInFailed):
        pc.session.finish_sign_in(recovery)  # used once already


def test_a_disabled_manager_is_forgotten_at_the_next_sync(
    setup: str, manager: DemoStaff, tmp_path: Path, wcn_server: InProcessServer
) -> None:
    with wcn_server.db.writer.begin() as conn:
        tenancy.set_user_active(conn, wcn_server.provider.tenant_id, manager.username, False)
    pc = DesktopServices.open(tmp_path / "ward-pc", http=wcn_server.http)
    try:
        pc.sync.sync_now()
        with pc.context.store.read() as conn:
            assert local_users.by_username(conn, manager.username) is None
        with pytest.raises(SignInFailed, match="disabled"):
            pc.session.sign_in(manager.username, DEMO_PASSWORD)
    finally:
        pc.close()


def test_an_it_reset_of_the_app_makes_the_pc_forget_the_old_secret(
    setup: str, manager: DemoStaff, tmp_path: Path, wcn_server: InProcessServer
) -> None:
    with wcn_server.db.writer.begin() as conn:
        signin.reset_mfa(conn, wcn_server.provider.tenant_id, manager.username)
    pc = DesktopServices.open(tmp_path / "ward-pc", http=wcn_server.http)
    try:
        pc.sync.sync_now()
        with pc.context.store.read() as conn:
            assert local_users.by_username(conn, manager.username) is None
        # The next sign-in here is online: set up a new app (the old phone's codes are dead).
        with pytest.raises(MfaRequired) as asked:
            pc.session.sign_in(manager.username, DEMO_PASSWORD)
        assert asked.value.enrolled is False
        secret = pc.session.start_mfa_setup().secret
        assert secret != setup
        pc.session.finish_sign_in(totp.code_at(secret, totp.current_step()))
        pc.session.sign_out()
        pc.sync.sync_now()  # the reset, already seen, does not wipe the new secret
        with pc.context.store.read() as conn:
            kept = local_users.by_username(conn, manager.username)
        assert kept is not None and kept.totp_secret == secret
    finally:
        pc.close()


def test_the_upgrade_forgets_managers_who_signed_in_before_offline_codes(
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    manager: DemoStaff,
    tmp_path: Path,
) -> None:
    """A store from before version 4 kept managers' password verifiers with no second factor:
    after the upgrade their next sign-in is online, with their code; carers are untouched."""
    pc = enrol_pc("ward-pc")
    carer = wcn_server.staff("care_assistant")
    pc.session.sign_in(carer.username, DEMO_PASSWORD)
    with pc.context.store.write() as conn:
        local_users.save(conn, manager.user_id, manager.username, "$argon2id$old", 1)
        conn.exec_driver_sql("ALTER TABLE local_users DROP COLUMN totp_secret")
        conn.exec_driver_sql("ALTER TABLE local_users DROP COLUMN totp_last_step")
        conn.exec_driver_sql("PRAGMA user_version = 3")
    pc.close()
    upgraded = DesktopServices.open(tmp_path / "ward-pc", http=wcn_server.http)
    try:
        with upgraded.context.store.read() as conn:
            names = {u.username for u in local_users.all_users(conn)}
        assert names == {carer.username}
    finally:
        upgraded.close()
