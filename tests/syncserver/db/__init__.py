"""Tests of the sync server's db."""
