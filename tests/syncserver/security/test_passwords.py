"""Password hashing (argon2id at OWASP's parameters) and device-secret digests."""

from __future__ import annotations

from syncserver.security.passwords import (
    digest_matches,
    hash_password,
    new_secret,
    secret_digest,
    verify_password,
)


def test_passwords_are_hashed_with_argon2id_at_owasp_strength() -> None:
    hashed = hash_password("CareDemo-2026")
    assert hashed.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in hashed
    assert "CareDemo-2026" not in hashed


def test_a_password_verifies_only_against_its_own_hash() -> None:
    hashed = hash_password("right horse")
    assert verify_password(hashed, "right horse")
    assert not verify_password(hashed, "wrong horse")
    assert not verify_password("not-a-hash", "right horse")


def test_a_missing_user_never_verifies() -> None:
    assert not verify_password(None, "anything")


def test_device_secrets_are_random_and_compared_by_digest() -> None:
    first, second = new_secret(), new_secret()
    assert first != second and len(first) >= 40
    stored = secret_digest(first)
    assert digest_matches(stored, first)
    assert not digest_matches(stored, second)
