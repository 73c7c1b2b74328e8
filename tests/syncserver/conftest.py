"""Fixtures of the server tests: a second provider in the same database, and PCs enrolled
in each of the demo provider's homes."""

from __future__ import annotations

import pytest

from shared.demo_data import DemoProvider, generate_provider
from syncserver.db.engine import Database
from tests.helpers.server import Enrol, EnrolledDevice, seed


@pytest.fixture(scope="session")
def _elm_tree_care() -> DemoProvider:
    return generate_provider(
        tenant_name="Elm Tree Care",
        homes=(("Elm Tree Lodge", "england"),),
        residents_per_home=2,
        days=0,
        seed=2,
        medicines=False,
    )


@pytest.fixture
def other_provider(seeded_db: Database, _elm_tree_care: DemoProvider) -> DemoProvider:
    """Another care provider (tenant) on the same server, with one home of two residents."""
    seed(seeded_db, _elm_tree_care)
    return _elm_tree_care


@pytest.fixture
def home_a(demo_provider: DemoProvider) -> str:
    return demo_provider.homes[0].record_id


@pytest.fixture
def home_b(demo_provider: DemoProvider) -> str:
    return demo_provider.homes[1].record_id


@pytest.fixture
def pc_a(enrol: Enrol, home_a: str) -> EnrolledDevice:
    """A PC enrolled in the first home."""
    return enrol(home_a, "Bluebell office")


@pytest.fixture
def pc_a2(enrol: Enrol, home_a: str) -> EnrolledDevice:
    """A second PC in the first home."""
    return enrol(home_a, "Primrose office")


@pytest.fixture
def pc_b(enrol: Enrol, home_b: str) -> EnrolledDevice:
    """A PC enrolled in the second home."""
    return enrol(home_b, "Bryn Hafod office")
