"""The server database: table definitions, engines and migrations."""
