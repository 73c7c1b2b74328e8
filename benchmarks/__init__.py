"""WriteCareNotes benchmarks: ``make bench`` (full, under 10 minutes on 2 cores) and
``make bench-quick`` (small sizes, under a minute). See docs/performance.md."""
