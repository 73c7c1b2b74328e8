"""Tests of the sync server's cli."""
