"""Server time of each page interaction, through AppTest (no browser): cold and warm cache.

    OVERFLOW_DB=/work/data10m/demo10m.duckdb python -m tests.app.bench_pages --runs 5
    OVERFLOW_DB=... python -m tests.app.bench_pages --runs 3 --page app_pages/meetings.py   # one page

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


def timed(run: Callable[[], AppTest]) -> float:
    started = time.perf_counter()
    at = run()
    elapsed = (time.perf_counter() - started) * 1000
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception[0].value}")
    return elapsed


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


def measure_choice(page: str, key: str, runs: int) -> tuple[float, float]:
    """Median ms of picking another value in the sidebar picker `key` on `page`: cold (never
    shown before since an import) and warm (picked again later in the session)."""
    cold, warm = [], []
    for _ in range(runs):
        at = session(page)
        st.cache_data.clear()
        at.run()
        first, other = at.selectbox(key=key).value, at.selectbox(key=key).options[1]
        cold.append(timed(at.selectbox(key=key).select(other).run))
        at.selectbox(key=key).select(first).run()
        warm.append(timed(at.selectbox(key=key).select(other).run))
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", choices=PAGES, action="append", help="only these pages (repeatable)")
    args = parser.parse_args()
    pages = args.page or PAGES
    print("| interaction | cold (ms, median) | warm (ms, median) |\n|---|---:|---:|")
    with patch_config_options({"server.address": "localhost"}):
        for page in pages:
            cold, warm = measure(page, args.runs)
            print(f"| open {page} | {cold:.0f} | {warm:.0f} |", flush=True)
        for page in (p for p in (PAGES[1], PAGES[3]) if p in pages):
            for key in ("partner", "period"):
                cold, warm = measure_choice(page, key, args.runs)
                print(f"| {page}: pick another {key} | {cold:.0f} | {warm:.0f} |", flush=True)


if __name__ == "__main__":
    main()
