"""Tests of the pure domain package ``shared``."""
