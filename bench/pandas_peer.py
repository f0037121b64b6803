"""The peer baseline: the weekly partner table the way a plain pandas app computes it.

`python -m bench.pandas_peer FILE... [--tz Europe/Stockholm]` reads each whole CSV with pd.read_csv,
cuts ISO weeks in the reporting zone and groups by week and partner, with the pinned formulas of
DOMAIN.md (T = 20 s, S = 5 s). Prints the table's size and totals as JSON so the benchmark can check
it agrees with `python -m cli metrics` (an independent route to the same numbers).
"""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

THRESHOLD_S = 20
SHORT_ABANDON_S = 5


def weekly_partner_table(paths: list[str], tz: str) -> pd.DataFrame:
    """The table over every file: each file's sums per week and partner (one file in memory at a
    time: a chunked 100M build), added up, then the ratios."""
    table = pd.concat([weekly_sums(path, tz) for path in paths]).groupby(["week", "partner"]).sum().reset_index()
    judged = table["answered"] + table["abandoned"] - table["short_abandoned"]
    table["service_level"] = table["answered_within"] / judged.where(judged > 0)
    table["abandon_rate"] = (table["abandoned"] - table["short_abandoned"]) / judged.where(judged > 0)
    table["asa_s"] = table["answered_wait_s"] / table["answered"].where(table["answered"] > 0)
    table["aht_s"] = table["handle_s"] / table["answered"].where(table["answered"] > 0)
    return table


def weekly_sums(path: str, tz: str) -> pd.DataFrame:
    legs = pd.read_csv(path)
    local = pd.to_datetime(legs["offered_at"], utc=True).dt.tz_convert(tz)
    legs["week"] = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    legs["partner"] = legs["partner"].fillna("in-house")
    answered = legs["outcome"].eq("answered")
    abandoned = legs["outcome"].eq("abandoned")
    legs["answered"] = answered
    legs["abandoned"] = abandoned
    legs["overflowed"] = legs["outcome"].eq("overflowed")
    legs["answered_within"] = answered & legs["wait_s"].le(THRESHOLD_S)
    legs["short_abandoned"] = abandoned & legs["wait_s"].lt(SHORT_ABANDON_S)
    legs["answered_wait_s"] = legs["wait_s"].where(answered, 0)
    legs["handle_s"] = legs[["talk_s", "hold_s", "wrap_s"]].fillna(0).sum(axis=1).where(answered, 0)
    return legs.groupby(["week", "partner"]).agg(
        offered=("outcome", "size"), answered=("answered", "sum"), abandoned=("abandoned", "sum"),
        overflowed=("overflowed", "sum"), answered_within=("answered_within", "sum"),
        short_abandoned=("short_abandoned", "sum"), answered_wait_s=("answered_wait_s", "sum"),
        handle_s=("handle_s", "sum"),
    ).reset_index()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pandas_peer")
    parser.add_argument("file", nargs="+")
    parser.add_argument("--tz", default="Europe/Stockholm")
    args = parser.parse_args(argv)
    table = weekly_partner_table(args.file, args.tz)
    json.dump({"rows": len(table), "offered": int(table["offered"].sum()), "answered": int(table["answered"].sum()),
               "answered_within": int(table["answered_within"].sum())}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
