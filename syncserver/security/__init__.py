"""Credentials: password hashing, device secrets, tokens."""
