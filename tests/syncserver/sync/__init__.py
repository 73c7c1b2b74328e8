"""Tests of the sync server's sync."""
