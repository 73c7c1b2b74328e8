"""The WriteCareNotes sync server: merges every PC's changes per tenant and keeps the audit
trail."""

__version__ = "0.1.0"
