"""Push (merge a device's batch) and pull (changes after a cursor) for one tenant."""
