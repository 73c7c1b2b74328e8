"""The ``writecarenotes-server`` command."""
