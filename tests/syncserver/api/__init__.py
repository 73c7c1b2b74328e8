"""Tests of the sync server's api."""
