"""Checks ``serve`` makes before it starts: settings that are each valid alone but wrong
together, named with the fix (type and range errors are caught by ``config``)."""

from __future__ import annotations

from syncserver.config import Settings
from syncserver.errors import ConfigError

MIN_JWT_SECRET_CHARS = 32
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def check_serve_settings(settings: Settings) -> None:
    if settings.workers > 1 and not settings.redis_url:
        raise ConfigError(
            f"The setting workers is {settings.workers}, which needs redis_url (WCN_REDIS_URL): "
            "the server processes tell each other about new changes and share sign-in limits "
            "through Redis. Set redis_url, or use one worker."
        )
    if settings.redis_url and not settings.jwt_secret:
        raise ConfigError(
            "The setting jwt_secret (WCN_JWT_SECRET) is required when redis_url is set: every "
            "server process must sign sign-ins with the same secret. Set the same value on "
            f"each, made with: {MAKE_SECRET}"
        )
    if settings.jwt_secret and len(settings.jwt_secret) < MIN_JWT_SECRET_CHARS:
        raise ConfigError(
            f"The setting jwt_secret (WCN_JWT_SECRET) is too short: use at least "
            f"{MIN_JWT_SECRET_CHARS} random characters, made with: {MAKE_SECRET}"
        )
