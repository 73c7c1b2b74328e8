"""The server's security parts, built from the settings when the app is created: field
encryption (refusing to start without a master key), the application role for row-level
security (checked now, not at the first request), sign-in rate limits and the audit signer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from syncserver.audit_checkpoints import AuditSigner
from syncserver.config import Settings
from syncserver.crypto import FieldCipher, load_master_key
from syncserver.db.engine import Database
from syncserver.db.scope import Scope
from syncserver.security.ratelimit import SignInLimiter

log = logging.getLogger(__name__)


def security_parts(settings: Settings, db: Database) -> dict[str, Any]:
    """Keyword arguments of ``ServerState``: cipher, scope, limiter, signer."""
    cipher = FieldCipher(load_master_key(settings))
    scope = Scope(settings.database_app_role)
    scope.check(db.writer)
    if not settings.mfa_enforced:
        log.warning(
            "MFA is NOT enforced (WCN_MFA_ENFORCED=false): managers and admins sign in with a "
            "password only. Use this for demonstrations, never in production."
        )
    signer = None
    if settings.audit_signing_key_file:
        signer = AuditSigner.from_file(Path(settings.audit_signing_key_file))
    else:
        log.warning(
            "no audit signing key (WCN_AUDIT_SIGNING_KEY_FILE): audit checkpoints are not "
            "signed, so a rewritten audit chain could go unnoticed"
        )
    limiter = SignInLimiter.from_settings(
        settings.redis_url,
        settings.signin_attempts_per_minute,
        settings.signin_attempts_per_ip_per_minute,
    )
    return {"cipher": cipher, "scope": scope, "limiter": limiter, "signer": signer}
