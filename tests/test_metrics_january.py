"""The January 1999 Anonymous Bank data: daily metrics per queue equal a plain-Python count of the raw file.

The expected side reads the raw file with nothing but the standard library and the mapping in
shared/data/README.md (PHANTOM and never-queued HANG records are not legs; a queue time more than
12 hours before the voice-menu entry crossed midnight). The project side imports the file with the
importer's anonymous-bank profile (which refreshes the rollups in its transaction) and reports
days in Asia/Jerusalem through metrics.table.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from data import store
from ingest.importing import import_file
from metrics.tables import table
from tests.conftest import SHARED_DATA, needs_shared_data

pytestmark = needs_shared_data

RAW = SHARED_DATA / "anonymous_bank_1999_01_january.txt"
TZ = "Asia/Jerusalem"
T, S = 20, 5


def seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.strip().split(":"))
    return h * 3600 + m * 60 + s


def raw_legs() -> list[dict]:
    """One dict per leg, straight from the file."""
    lines = RAW.read_text(encoding="ascii").splitlines()
    header = lines[0].split("\t")
    legs = []
    for line in lines[1:]:
        r = dict(zip(header, (field.strip() for field in line.split("\t"))))
        queued = r["q_start"] != "0:00:00"
        if r["outcome"] == "PHANTOM" or (r["outcome"] == "HANG" and not queued):
            continue
        day = datetime.strptime("19" + r["date"], "%Y%m%d")
        at = seconds(r["q_start"] if queued else r["vru_exit"])
        crossed = seconds(r["vru_entry"]) - at > 12 * 3600
        local = day + timedelta(seconds=at, days=1 if crossed else 0)
        legs.append({
            "queue": r["type"], "call_id": f"{r['vru+line']}-{r['call_id']}", "local": local,
            "outcome": "answered" if r["outcome"] == "AGENT" else "abandoned",
            "wait_s": int(r["q_time"]) if queued else 0,
            "talk_s": int(r["ser_time"]) if r["outcome"] == "AGENT" else None,
        })
    return legs


def expected_days(legs: list[dict]) -> dict[tuple[str, str], dict]:
    """Per (local day, queue): the pinned counts and ratios, by hand."""
    days: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    for leg in legs:
        d = days[(leg["local"].date().isoformat(), leg["queue"])]
        d["offered"] += 1
        if leg["outcome"] == "answered":
            d["answered"] += 1
            d["answered_within_threshold"] += leg["wait_s"] <= T
            d["wait"] += leg["wait_s"]
            d["handle"] += leg["talk_s"]
        else:
            d["abandoned"] += 1
            d["short_abandoned"] += leg["wait_s"] < S
    out = {}
    for key, d in days.items():
        base = d["answered"] + d["abandoned"] - d["short_abandoned"]
        out[key] = {
            "offered": d["offered"], "answered": d["answered"], "abandoned": d["abandoned"],
            "short_abandoned": d["short_abandoned"], "overflowed": 0,
            "answered_within_threshold": d["answered_within_threshold"],
            "service_level": d["answered_within_threshold"] / base if base else None,
            "abandon_rate": (d["abandoned"] - d["short_abandoned"]) / base if base else None,
            "asa_s": d["wait"] / d["answered"] if d["answered"] else None,
            "aht_s": d["handle"] / d["answered"] if d["answered"] else None,
        }
    return out


@pytest.mark.slow
def test_daily_metrics_per_queue_equal_a_plain_count_of_the_raw_file(db):

    legs = raw_legs()
    assert len(legs) > 27000  # 31,599 records less phantoms and voice-menu hang-ups
    summary = import_file(RAW, profile="anonymous-bank", tz=TZ, db=db)
    assert (summary.imported, summary.rejected) == (len(legs), 0)
    with store.reading(db) as con:
        found = table(con, "day", "queue", date(1998, 12, 31), date(1999, 2, 2), TZ)
    got = {(r["period_start"], r["group"]): {k: r[k] for k in ("offered", "answered", "abandoned", "short_abandoned",
                                                                "overflowed", "answered_within_threshold",
                                                                "service_level", "abandon_rate", "asa_s", "aht_s")}
           for r in found.to_dict("records")}
    expected = expected_days(legs)
    assert sorted(got) == sorted(expected)
    assert len(expected) > 150
    for key, values in expected.items():
        assert got[key] == pytest.approx(values), key
