"""Benchmarks: `make bench` (python -m bench) measures speed and memory side by side in one run."""
