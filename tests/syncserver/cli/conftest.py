"""The CLI reads its settings from the environment: give it the tests' master key."""

from __future__ import annotations

import pytest

from tests.helpers.server import MASTER_KEY


@pytest.fixture(autouse=True)
def _master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WCN_MASTER_KEY", MASTER_KEY)
