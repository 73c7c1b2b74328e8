"""The WriteCareNotes desktop app for ward PCs and office desktops."""

__version__ = "0.1.0"
