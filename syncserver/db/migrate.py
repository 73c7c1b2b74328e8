"""Schema migrations (Alembic) run from code, with checks that the database and the code agree."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from syncserver.db.engine import Database
from syncserver.errors import ConfigError

_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def _config() -> Config:
    config = Config(str(_INI))
    config.set_main_option("script_location", str(_INI.parent / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, *, app_role: str | None = None, target: str = "head") -> None:
    """Migrate to the head (or to ``target``, a revision: for upgrade tests). ``app_role``:
    the PostgreSQL role the server's requests run as (``Settings.database_app_role``); the
    security migration creates it."""
    config = _config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes["app_role"] = app_role
        command.upgrade(config, target)


def check_current(db: Database) -> None:
    """Refuse a database whose schema is behind or ahead of this code, naming the fix."""
    current = current_revision(db)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise ConfigError(
            "The database has no WriteCareNotes schema yet: run 'writecarenotes-server init'."
        )
    known = {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current not in known:
        raise ConfigError(
            f"The database schema ({current}) is newer than this server ({head}): "
            "upgrade the server software."
        )
    raise ConfigError(
        f"The database schema ({current}) is behind this server ({head}): "
        "run 'writecarenotes-server migrate'."
    )
