"""Jobs: run folders, one queue per device, the processes that run them, background priority (no torch)."""
