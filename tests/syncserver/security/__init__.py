"""Tests of the sync server's security."""
