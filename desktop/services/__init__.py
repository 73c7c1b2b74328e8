"""The desktop's services: the documented Python API that the UI, the CLI, the tests and the
benchmarks all use. Each public method is one unit of work and owns its transaction; what it
returns are plain frozen dataclasses, never database rows."""
