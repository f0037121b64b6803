"""Who sampled what (metrics.sampling) on a hand-built week, and the demo's quality cases (issue 17).

Acme (Europe/Stockholm, UTC+1 in March) in ISO week 2026-W10: 18 answered legs on Monday 2 March at
09 local by agents A1 (9) and A2 (9), 2 on Tuesday 3 March at 15 local by A3 and A4.
12 evaluations: 5 of A1's Monday calls (by the centre: 4, one not said) and 7 of A3 on Tuesday at 15
local with no call held (their own time counts), all 7 by the partner's QA.
- agents: 2 of the 4 who answered were evaluated; per agent 5 and 7 (median 6);
- scored by: centre 4, partner 7, not said 1 -> the partner scored 7 / 11 = 64 % of the known: warning;
- hours: 09 has 5 evaluations and 18 of 20 calls, 15 has 7 and 2; the fewest hours holding half the
  evaluations (6 of 12) are {15}, carrying 2 / 20 = 10 % of the calls, under 25 %: clustered.
"""
from __future__ import annotations

import pytest

from data import store
from metrics import sampling
from metrics.scorecard import scorecard
from partners import periods, registry
from reports import frames, views

W10 = periods.parse("2026-W10")
TZ = "Europe/Stockholm"


@pytest.fixture
def week(db):
    with store.writing(db) as con:
        con.execute("""
            INSERT INTO partners (partner_id, name) VALUES (1, 'Acme');
            INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'acme', 1);
            INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, agent_id, batch_id)
            SELECT 1, 'm' || n, TIMESTAMPTZ '2026-03-02 08:00:00+00' + to_minutes(n), 'answered', 5, 100,
                   CASE WHEN n < 9 THEN 'A1' ELSE 'A2' END, 1 FROM range(18) t(n);
            INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, agent_id, batch_id) VALUES
                (1, 't1', '2026-03-03 14:10:00+00', 'answered', 5, 100, 'A3', 1),
                (1, 't2', '2026-03-03 14:20:00+00', 'answered', 5, 100, 'A4', 1);
            INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, batch_id,
                                        scored_by)
            SELECT 'c' || n, 1, 'm' || n, 'A1', 'Eva', TIMESTAMPTZ '2026-03-04 10:00:00+00',
                   1, CASE WHEN n = 0 THEN NULL ELSE 'centre' END FROM range(5) t(n);
            INSERT INTO qa_evaluations (evaluation_id, queue_id, call_id, agent_id, evaluator, evaluated_at, batch_id,
                                        scored_by)
            SELECT 'p' || n, 1, NULL, 'A3', 'Partner QA', TIMESTAMPTZ '2026-03-03 14:00:00+00' + to_minutes(n), 1,
                   'partner' FROM range(7) t(n);
        """)
    return db


def test_the_sampling_view_of_a_hand_built_week(week):
    with store.reading(week) as con:
        found = sampling.sampling(con, 1, W10, TZ)
    assert (found.evaluations, found.agents_evaluated, found.agents_answering) == (12, 2, 4)
    assert found.per_agent.to_dict("list") == {"agent_id": ["A3", "A1"], "evaluations": [7, 5]}
    assert found.scored_by == {"centre": 4, "partner": 7, "unknown": 1}
    assert (found.partner_scored, found.clustered_hours) == (True, (15,))
    hours = found.spread["hour"]
    assert hours[["slot", "evaluations", "answered"]].to_dict("list") == {
        "slot": [9, 15], "evaluations": [5, 7], "answered": [18, 2]}
    weekdays = frames.sampling_spread(found, "weekday")
    assert weekdays[["weekday", "evaluations", "answered"]].to_dict("list") == {
        "weekday": ["Monday", "Tuesday"], "evaluations": [5, 7], "answered": [18, 2]}
    assert frames.sampling_lines(found)[0] == ("12 evaluations of 2 of the 4 agents who answered calls (50 % evaluated "
                                              "at all); per agent evaluated: 5–7, median 6.")
    warnings = frames.sampling_warnings(found)
    assert warnings[0].startswith("Most evaluations were scored by the partner itself (64 % ")
    assert warnings[1].startswith("Half the evaluations come from 1 hour of the day (15-16)")


def test_a_spread_sample_scored_by_the_centre_raises_no_warning(week):
    with store.writing(week) as con:
        con.execute("UPDATE qa_evaluations SET scored_by = 'centre', call_id = 'm' || (10 + CAST(substr(evaluation_id, 2) AS INT)), "
                    "agent_id = 'A2' WHERE evaluation_id LIKE 'p%'")
        found = sampling.sampling(con, 1, W10, TZ)
    # every evaluation is now of a Monday 09 call: that hour holds all 12 and 18 of 20 calls (90 %)
    assert (found.partner_scored, found.clustered_hours, found.agents_evaluated) == (False, (), 2)
    assert frames.sampling_warnings(found) == []


def test_the_demo_shows_each_quality_case(demo_db):
    with store.reading(demo_db) as con:
        flexi, quick = registry.partner_id(con, "FlexiCall"), registry.partner_id(con, "QuickServe")
        within = scorecard(con, flexi, periods.parse("2026-W43")).figure("qa_score")
        drop = scorecard(con, flexi, periods.parse("2026-10")).figure("qa_score")
        surveys = scorecard(con, quick, periods.parse("2026-W47")).figure("csat_top2")
        sampled = sampling.sampling(con, quick, periods.parse("2026-10"), TZ)
    # above its 80 % minimum but the interval holds it: can't tell yet
    assert within.value > within.target and within.interval[0] < within.target < within.interval[1]
    assert within.status == "unsure" and within.sample_size >= within.min_n
    # October's QA against September's: a real drop (Welch), shown on the meeting pack's figures
    assert drop.value < drop.previous_value and drop.change_real is True
    assert views.quality_change(drop).endswith(", real change")
    # a week with fewer CSAT answers than the 20 the agreement's default asks
    assert surveys.status == "unsure" and surveys.sample_size < surveys.min_n == 20
    # QuickServe's own QA lead scored most of its evaluations
    assert sampled.partner_scored and sampled.scored_by["partner"] > sampled.scored_by["centre"]
