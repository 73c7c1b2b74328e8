"""Tests of field-level encryption in the server database."""
