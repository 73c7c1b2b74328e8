"""The ``writecarenotes`` subcommands for IT: enrol, sync, status."""
