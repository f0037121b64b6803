"""Scorecard: figures, targets and statuses on hand-counted legs (the rollup test's fixture)."""
from __future__ import annotations

from datetime import date

import pytest

from data import rollups, store
from data.errors import UserError
from metrics import statuses
from metrics.definitions import metric
from metrics.scorecard import overview, scorecard
from partners import agreements, terms, periods
from tests.test_metrics_rollups import BATCH_1, QUEUES


@pytest.fixture
def legs(db):
    with store.writing(db) as con:
        con.execute(QUEUES + BATCH_1)
        rollups.rebuild_all(con)
    return db


def test_partner_scorecard_against_one_agreement(legs):
    with store.writing(legs) as con:
        agreements.add_version(con, 1, date(2026, 3, 1), sl_target=0.8, asa_max_s=20, share_min=0.3, share_max=0.6,
                               abandon_rate_max=0.30, transfer_back_max=0.5, quality_judgement="point")
        card = scorecard(con, 1, periods.parse("2026-W10"))
    # Acme legs a1 (answered, wait 25), a2 (answered, wait 3), a3 (abandoned, wait 9); in-house answered 2.
    sl = card.figure("service_level")
    assert (sl.value, sl.numerator, sl.denominator, sl.target, sl.status) == (pytest.approx(1 / 3), 1, 3, 0.8, "red")
    asa = card.figure("asa_s")
    assert (asa.value, asa.status) == (14.0, "green")
    share = card.figure("volume_share")
    # Calls h1..h5 (in-house) and a1..a3 (Acme): 3 of 8 routed to Acme, the abandoned a3 too (was 2 of 4
    # answered legs, 0.5, before issue 15).
    assert (share.value, share.target, share.status) == (3 / 8, (0.3, 0.6), "green")
    # 1/3 abandoned misses 0.30 by 0.033 < amber tolerance 0.05.
    assert card.figure("abandon_rate").status == "amber"
    assert (card.figure("transfer_back_rate").value, card.figure("transfer_back_rate").status) == (0.5, "green")
    assert card.figure("p90_wait_s").value == 25
    assert card.figure("qa_score").status == "no data"
    assert card.figure("service_level").previous_value is None
    assert card.note == ""


def test_a_week_spanning_two_agreements_is_judged_part_by_part(legs):
    with store.writing(legs) as con:
        agreements.add_version(con, 1, date(2026, 1, 1), sl_target=0.3)
        agreements.add_version(con, 1, date(2026, 3, 4), sl_target=0.9)
        card = scorecard(con, 1, periods.parse("2026-W10"))
    sl = card.figure("service_level")
    assert [(p.start, p.end, p.target, p.status) for p in sl.parts] == [
        (date(2026, 3, 2), date(2026, 3, 4), 0.3, "green"),
        (date(2026, 3, 4), date(2026, 3, 9), 0.9, "no data"),
    ]
    assert sl.status == "green"
    assert (sl.numerator, sl.denominator) == (1, 3)
    assert card.figure("p90_wait_s").value == 25  # over the whole week, not summed from parts
    assert card.note == ("judged in 2 parts (the agreement changed): 2–3 Mar 2026 by the agreement from 1 Jan 2026; "
                         "4–8 Mar 2026 by the agreement from 4 Mar 2026")


def test_overview_has_the_in_house_benchmark_only_for_the_full_scope(legs):
    with store.reading(legs) as con:
        everyone = overview(con, periods.parse("2026-W10"))
        acme_only = overview(con, periods.parse("2026-W10"), partner_ids=(1,))
    assert [c.name for c in everyone] == ["Acme", "in-house"]
    assert everyone[1].figure("asa_s").value == 20.5
    assert [c.name for c in acme_only] == ["Acme"]


@pytest.mark.parametrize(("share", "expected"), [
    (0.009, statuses.RED),     # a fifth of the 5 % minimum: 4.1 points short, the amber zone is 0.05 x 5 % = 0.25
    (0.048, statuses.AMBER),   # 0.2 points short < 0.25
    (0.0475, statuses.RED),    # exactly 0.25 points short: not less than the tolerance
    (0.05, statuses.GREEN),
    (0.12, statuses.GREEN),
    (0.125, statuses.AMBER),   # 0.5 points over the 12 % maximum < 0.05 x 12 % = 0.6
    (0.126, statuses.RED),     # exactly 0.6 over
])
def test_a_bands_amber_zone_is_a_share_of_the_bound_it_misses(legs, share, expected):
    with store.writing(legs) as con:
        agreements.add_version(con, 1, date(2026, 1, 1), share_min=0.05, share_max=0.12, amber_tolerance=0.05)
        agreed = terms.terms_in_force(con, 1, date(2026, 1, 1))
    assert statuses.judge(metric("volume_share"), share, agreed) == expected


def test_a_scoped_reader_gets_only_its_own_scorecard(legs):

    with store.reading(legs) as con:
        assert scorecard(con, 1, periods.parse("2026-W10"), partner_ids=(1,)).name == "Acme"
        with pytest.raises(UserError, match="outside what you may see"):
            scorecard(con, None, periods.parse("2026-W10"), partner_ids=(1,))
        with pytest.raises(UserError, match="outside what you may see"):
            scorecard(con, 1, periods.parse("2026-W10"), partner_ids=(2,))
