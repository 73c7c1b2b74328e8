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
    workers: int = Field(default=1, ge=1, le=64)  # server processes 'serve' starts
    # PostgreSQL: pushes of different tenants merged at once in each process (SQLite: one).
    push_lanes: int = Field(default=2, ge=1, le=32)
    jwt_secret: str = Field(default="", description="HMAC key for access tokens; empty = derive")
    # Security (docs/security.md): field encryption, row-level security, MFA, audit signing.
    master_key_file: str = ""  # a 256-bit key (64 hex digits or base64) that wraps data keys
    master_key: str = ""  # the same, in WCN_MASTER_KEY (prefer the file)
    master_key_provider: str = ""  # "package.module:factory" returning a KMS/Vault provider
    dev_ephemeral_master_key: bool = False  # development only: a throw-away master key
    database_app_role: str = "wcn_app"  # the PostgreSQL role requests run as (no BYPASSRLS)
    mfa_enforced: bool = True  # TOTP for managers and admins; off only for demos
    signin_attempts_per_minute: int = Field(default=10, ge=1, le=1000)  # per PC and username
    signin_attempts_per_ip_per_minute: int = Field(default=60, ge=1, le=100_000)
    audit_signing_key_file: str = ""  # Ed25519 private key (PEM) signing audit checkpoints
    audit_checkpoint_every: int = Field(default=1000, ge=1, le=1_000_000)
    redis_url: str = ""
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    enrol_code_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    max_login_failures: int = Field(default=5, ge=1, le=100)
    log_json: bool = True
    backup_key_file: str = ""  # default key for 'backup' and 'restore' (see syncserver.backup)


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Settings from the TOML file (if any), then the environment, then ``overrides``."""
    file_values: dict[str, Any] = {}
    config_file = config_file or os.environ.get("WCN_CONFIG") or None
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
        env = f"WCN_{where.upper()}"
        source = (
            f"the environment variable {env}"
            if env in os.environ
            else f"the configuration file {config_file}"
            if where in file_values
            else "the command line"
        )
        raise ConfigError(
            f"The setting {where!r} is wrong: {first['msg']}. Correct it in {source}."
        ) from None
