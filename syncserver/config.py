"""Typed server settings: environment variables with the ``WCN_`` prefix, over an optional
TOML file (``WCN_CONFIG`` or ``--config``), over defaults."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from syncserver.errors import ConfigError


def default_database_url() -> str:
    data = Path(user_data_dir("writecarenotes-server", "WriteCareNotes"))
    return f"sqlite:///{data / 'server.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WCN_", extra="forbid")

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    jwt_secret: str = Field(default="", description="HMAC key for access tokens; empty = derive")
    master_key_file: str = ""
    redis_url: str = ""
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    enrol_code_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    max_login_failures: int = Field(default=5, ge=1, le=100)
    log_json: bool = True


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Settings from the TOML file (if any), then the environment, then ``overrides``."""
    file_values: dict[str, Any] = {}
    if config_file:
        path = Path(config_file)
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"The configuration file {path} does not exist.") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The configuration file {path} is not valid TOML: {exc}.") from None
        unknown = sorted(set(file_values) - set(Settings.model_fields))
        if unknown:
            raise ConfigError(
                f"The configuration file {path} has unknown setting(s): {', '.join(unknown)}. "
                f"Known settings: {', '.join(sorted(Settings.model_fields))}."
            )
    file_values = {k: v for k, v in file_values.items() if f"WCN_{k.upper()}" not in os.environ}
    values = {**file_values, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"The setting {where!r} is wrong: {first['msg']}.") from None
