"""Code shared by the desktop app and the sync server: domain model, sync protocol, merge rules.

Nothing here does I/O or imports Qt, a web framework or either application.
"""

__version__ = "0.1.0"
