"""`python -m bench.read_profile DB [--period N] [--grain week]`: what a switch to a period costs, read by read.

Runs, in this process and each on its own connection as the pages' loaders do, the reads behind the
period pages (scorecard, Overview, trends, heatmap, staffing, intervals, in-house queues, QA) for the
N-th newest period (3: the fourth, the one bench/app_probe.py switches to) and the first partner, and
prints for each its wall and CPU seconds and its slowest statements (every statement is timed where
it runs, data/store.execute). Read-only: point it at a copy of a large database, never a shared one.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable

from data import clock, settings, store
from metrics import reads, series, tables
from metrics import scorecard as scorecards

TOP = 6


def timed_statements() -> dict[str, list[float]]:
    """Wrap the store's runner of statements so each statement DuckDB runs adds its count, wall and
    CPU seconds under its header line (a query a read-only connection answers again from memory,
    store.execute, is not run again and not counted)."""
    found: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])
    run = store._run

    def timed(con, sql, params, what):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return run(con, sql, params, what)
        finally:
            entry = found[(what or sql.strip().splitlines()[0])[:90]]
            entry[0] += 1
            entry[1] += time.perf_counter() - started
            entry[2] += time.process_time() - started_cpu

    store._run = timed
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.read_profile")
    parser.add_argument("db")
    parser.add_argument("--period", type=int, default=3, help="which period, newest first (0 = the newest)")
    parser.add_argument("--grain", default="week", choices=("week", "month"))
    args = parser.parse_args(argv)
    statements = timed_statements()
    with store.reading(args.db) as con:
        tz = settings.get(con, "reporting_tz")
        period = reads.period_choices(reads.held_days(con, tz), clock.today(tz), args.grain)[args.period]
        partner = int(reads.partners(con, None)["partner_id"].iloc[0])
    print(f"{period.label} ({period.text}), partner {partner}, zone {tz}")
    steps: dict[str, Callable] = {
        "scorecard": lambda con: scorecards.scorecard(con, partner, period, tz),
        "overview": lambda con: scorecards.overview(con, period, tz, None),
        "availability_trends": lambda con: reads.availability_trends(con, partner, period, tz),
        "quality_trends": lambda con: reads.quality_trends(con, partner, period, tz),
        "heatmap": lambda con: reads.heatmap_cells(con, partner, period, tz),
        "staffing": lambda con: reads.staffing_intervals(con, partner, period, tz),
        "intervals": lambda con: series.interval_availability(con, period, tz, None),
        "in_house_queues": lambda con: tables.table(con, period.grain, "queue", period.start, period.end, tz, None),
        "qa_sections": lambda con: series.qa_sections(con, period, tz, None),
        "qa_evaluations": lambda con: series.qa_evaluations(con, period, tz, (partner,)),
        "calibration": lambda con: series.calibration_spread(con, period, tz, (partner,)),
    }
    for name, read in steps.items():
        statements.clear()
        with store.reading(args.db) as con:
            started, started_cpu = time.perf_counter(), time.process_time()
            read(con)
            wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        print(f"{name}: {wall:.3f} s wall, {cpu:.3f} s CPU, {sum(int(v[0]) for v in statements.values())} statements")
        for text, (count, seconds, cpu_s) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:TOP]:
            print(f"    {seconds:.3f} s ({cpu_s:.3f} CPU) x{int(count)}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
