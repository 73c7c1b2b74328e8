"""Tests of the sync server's package."""
