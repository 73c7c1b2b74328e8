"""Medication (eMAR) domain logic: dose scheduling in UK time, PRN limits, the controlled-drug
ledger and the cross-PC safety rules. Pure: no I/O."""
