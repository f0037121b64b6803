"""Server time of each page interaction, through AppTest (no browser): cold and warm cache.

    OVERFLOW_DB=/work/data10m/demo10m.duckdb python -m tests.app.bench_pages --runs 5

Cold: every cache cleared before the run (the first visitor after an import). Warm: the same
run again in the same session (every later click). Prints a Markdown table of medians in ms.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from tests.app.test_pages import APP, PAGES


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def session(page: str) -> AppTest:
    """A session that has opened the app and is about to show `page` on its next run."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    return at.switch_page(page) if page != PAGES[0] else at


def measure(page: str, runs: int) -> tuple[float, float]:
    """Median ms of (cold, warm) for one run of `page` in an open session."""
    cold, warm = [], []
    for _ in range(runs):
        at = session(page)
        st.cache_data.clear()
        cold.append(timed(at.run))
        warm.append(timed(at.run))
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| page | cold (ms, median) | warm (ms, median) |\n|---|---:|---:|")
    with patch_config_options({"server.address": "localhost"}):
        for page in PAGES:
            cold, warm = measure(page, args.runs)
            print(f"| {page} | {cold:.0f} | {warm:.0f} |", flush=True)


if __name__ == "__main__":
    main()
