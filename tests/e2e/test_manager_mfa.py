"""A manager's first sign-in on a ward PC, end to end over HTTP: password, then setting up an
authenticator app and proving its code; afterwards that PC checks their codes itself (it was
given the secret), so they can sign in there offline. A wrong code is refused with a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.errors import MfaRequired, SignInFailed
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.db.engine import Database
from syncserver.security import mfa
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of


def test_a_manager_signs_in_with_an_authenticator_app(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    manager = staff_of(demo_provider, "home_manager", home)
    with serving(make_app(seeded_db)) as url:
        first = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc1")
        )
        second = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc2")
        )
        try:
            with pytest.raises(MfaRequired) as asked:
                first.session.sign_in(manager.username, DEMO_PASSWORD)
            assert asked.value.enrolled is False
            assert first.session.current is None
            setup = first.session.start_mfa_setup()
            assert setup.provisioning_uri.startswith("otpauth://totp/")
            step = mfa.current_step()
            user = first.session.finish_sign_in(mfa.code_at(setup.secret, step))
            assert user.role == "home_manager"
            assert len(first.session.last_recovery_codes) == 10
            first.session.sign_out()
            # Later sign-ins on this PC ask for a code too, checked here (no server needed);
            # the code just used online cannot be used again.
            with pytest.raises(MfaRequired):
                first.session.sign_in(manager.username, DEMO_PASSWORD)
            with pytest.raises(SignInFailed, match="already used"):
                first.session.finish_sign_in(mfa.code_at(setup.secret, step))
            user = first.session.finish_sign_in(mfa.code_at(setup.secret, step + 1))
            assert user.role == "home_manager"

            with pytest.raises(MfaRequired) as again:
                second.session.sign_in(manager.username, DEMO_PASSWORD)
            assert again.value.enrolled is True
            with pytest.raises(SignInFailed, match="That code is not right"):
                second.session.finish_sign_in("000000")
            # The same challenge takes another try: here, a recovery code.
            user = second.session.finish_sign_in(first.session.last_recovery_codes[0])
            assert user.username == manager.username
        finally:
            first.close()
            second.close()
