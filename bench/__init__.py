"""The benchmark: `python -m bench --calls N [--out FILE.json]` (see docs/benchmarks.md)."""
