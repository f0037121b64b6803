"""A sum of DOUBLEs reads the same on every read (metrics/sql/details.sql names the order of each):
floating-point addition depends on the order, and DuckDB's threads add a plain sum's rows in another
order on each read, so the same QA score could differ in its last bit between the tile and the
export. 600,000 evaluations span several of DuckDB's row groups, so its threads share the sum."""
from __future__ import annotations

import math
from datetime import date

import pytest

from data import store
from metrics import scorecard
from partners import periods, registry

TZ = "Europe/Stockholm"
EVALUATIONS = 600_000
WEEK = periods.Period(date(2026, 11, 2), date(2026, 11, 8), "week", "W45")


@pytest.fixture
def many_evaluations(db):
    with store.writing(db) as con:
        registry.add_partner(con, "Acme")
        queue = registry.set_queue(con, "acme_q", "Acme")
        store.execute(con, """
            INSERT INTO qa_evaluations (evaluation_id, queue_id, evaluator, evaluated_at, batch_id)
            SELECT 'e' || i, $queue, 'qa', TIMESTAMPTZ '2026-11-03 08:00:00+00' + to_seconds(i % 86400), 1
            FROM range($n) r(i)""", {"queue": queue, "n": EVALUATIONS})
        # one item each, points a seventh of a whole number: most scores are not exact in binary
        store.execute(con, """
            INSERT INTO qa_items (evaluation_id, section, item, points, max_points)
            SELECT 'e' || i, 'Greeting', 'name', (i * 7919 % 1000) / 7.0, 1000 / 7.0 FROM range($n) r(i)""",
                      {"n": EVALUATIONS})
    return db


def _qa_score(db) -> float:
    store.let_go(db)  # a fresh read, not what the kept connection remembers
    with store.reading(db) as con:
        store.execute(con, "SET threads = 8")  # as a larger server would: more threads, more orders
        partner = registry.partner_id(con, "Acme")
        card = scorecard.scorecard(con, partner, WEEK, TZ, names=scorecard.FAMILIES["quality"])
    return next(f for f in card.figures if f.metric == "qa_score").value


def test_the_qa_score_reads_the_same_every_time_and_equals_the_exact_mean(many_evaluations):
    reads = {_qa_score(many_evaluations) for _ in range(8)}
    assert len(reads) == 1, reads  # bit for bit
    exact = math.fsum(((i * 7919 % 1000) / 7.0) / (1000 / 7.0) for i in range(EVALUATIONS)) / EVALUATIONS
    assert reads.pop() == pytest.approx(exact, rel=1e-12)
