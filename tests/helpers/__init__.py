"""Helpers shared by the server, desktop and end-to-end tests."""
