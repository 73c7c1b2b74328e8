"""Sync on the PC: recording local changes in the outbox, and the push/pull client."""
