"""The desktop app's user interface (PySide6). The only package that imports Qt; it reaches
the care records only through ``desktop.services``, and only via the operation runner."""
