"""Seed 004's k × m sweep: config, the batched core, Ray, its job kind, and the CLI (`python -m sweep`)."""
