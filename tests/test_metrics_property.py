"""Property: over any legs, day rows sum to the week row, and week ratios are ratios of summed parts."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import rollups, store
from metrics.tables import table

# ISO week 2026-W13 in Stockholm holds the spring DST day (Sunday 29 March, 23 hours).
WEEK_START_UTC = datetime(2026, 3, 22, 23, 0, tzinfo=timezone.utc)  # Monday 23 March 00:00 local
WEEK_SECONDS = 7 * 24 * 3600 - 3600
COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "overflowed", "answered_within_threshold",
          "abandoned_within_threshold")

legs = st.lists(
    st.tuples(
        st.integers(1, 2),                                      # queue: 1 in-house, 2 partner
        st.integers(-3600, WEEK_SECONDS + 3600),                # seconds from the week's start (some outside)
        st.sampled_from(["answered", "abandoned", "overflowed"]),
        st.integers(0, 60),                                     # wait_s around T = 20 and S = 5
        st.integers(0, 900),                                    # talk_s
    ),
    max_size=60,
)


def sl_parts(row) -> tuple[int, int]:
    return row["answered_within_threshold"], row["answered"] + row["abandoned"] - row["short_abandoned"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(legs=legs)
def test_day_rows_sum_to_the_week_row(db, legs):
    with store.writing(db) as con:
        con.execute("DELETE FROM call_legs; INSERT OR IGNORE INTO partners (partner_id, name) VALUES (1, 'Acme');"
                    "INSERT OR IGNORE INTO queues (queue_id, name, partner_id) VALUES (1, 'house', NULL), (2, 'acme', 1)")
        if legs:
            con.executemany("INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, batch_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, 1)",
                            [[queue, f"c{i}", WEEK_START_UTC + timedelta(seconds=offset), outcome, wait,
                              talk if outcome == "answered" else None]
                             for i, (queue, offset, outcome, wait, talk) in enumerate(legs)])
        rollups.rebuild_all(con)
        start, end = date(2026, 3, 23), date(2026, 3, 30)
        days = table(con, "day", "queue", start, end, "Europe/Stockholm").to_dict("records")
        weeks = table(con, "week", "queue", start, end, "Europe/Stockholm").to_dict("records")
    inside = [leg for leg in legs if 0 <= leg[1] < WEEK_SECONDS]
    assert sum(w["offered"] for w in weeks) == len(inside)
    for week in weeks:
        parts = [d for d in days if d["group"] == week["group"]]
        for column in COUNTS:
            assert sum(d[column] for d in parts) == week[column], column
        numerator = sum(sl_parts(d)[0] for d in parts)
        denominator = sum(sl_parts(d)[1] for d in parts)
        assert week["service_level"] == (pytest.approx(numerator / denominator) if denominator else None)
        answered = sum(d["answered"] for d in parts)
        waited = sum(d["asa_s"] * d["answered"] for d in parts if d["answered"])
        assert week["asa_s"] == (pytest.approx(waited / answered) if answered else None)
        handled = sum(d["aht_s"] * d["answered"] for d in parts if d["answered"])
        assert week["aht_s"] == (pytest.approx(handled / answered) if answered else None)
