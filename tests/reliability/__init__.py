"""The reliability suite: crashes, faulty networks, skewed clocks, restarts, load and hostile
input, each counting what was written, lost, duplicated or leaked (``docs/reliability.md``)."""
