"""The Availability page's reads on a period not seen (issue 22): its summary's scorecards hold only
the summary's figures, read with fewer statements, and each figure equals the whole Overview's (the
route before); a partner's staffing chart takes an interval's fallback AHT from the interval rows it
reads, equal to the rollup read it made before. On the demo: a week, a month, and the month in which
QuickServe's agreement changed (two terms parts)."""
from __future__ import annotations

import re

import pytest

from data import store
from metrics import measures, scorecard, series
from metrics.definitions import SL_VARIANTS
from partners import hours, periods, terms
from reports import frames, views

TZ = "Europe/Stockholm"
# The tables only other families' statements read (volume, the customer's call, quality).
NOT_FOR_AVAILABILITY = re.compile(r"\b(FROM|JOIN)\s+(call_paths|call_journeys|repeat_gaps|qa_evaluations|survey_answers)\b")


def _change_month(con) -> periods.Period:
    """The month in which a partner's agreement changed (the demo's QuickServe, mid-history)."""
    day = store.execute(con, "SELECT max(valid_from) FROM agreements a JOIN partners p USING (partner_id) "
                             "WHERE p.name = 'QuickServe'").scalar()
    return periods.parse(f"{day.year}-{day.month:02d}")


@pytest.mark.parametrize("label", ("2026-W46", "2026-10", "change"))
def test_the_availability_summarys_figures_equal_the_whole_overviews(demo_db, statements, label):
    with store.reading(demo_db) as con:
        period = _change_month(con) if label == "change" else periods.parse(label)
        if label == "change":  # a period judged in two parts, each with its own terms
            quick = store.execute(con, "SELECT partner_id FROM partners WHERE name = 'QuickServe'").scalar()
            assert len(terms.parts(con, quick, period)) == 2
            assert period.start != store.execute(con, "SELECT max(valid_from) FROM agreements").scalar()
        statements.clear()
        whole = scorecard.overview(con, period, TZ)
        assert len([sql for sql in statements if NOT_FOR_AVAILABILITY.search(sql)]) >= 4  # the whole one reads them
    with store.reading(demo_db) as con:
        statements.clear()
        some = scorecard.overview(con, period, TZ, names=views.AVAILABILITY_SUMMARY)
    assert [c.name for c in some] == [c.name for c in whole]
    for mine, full in zip(some, whole):
        assert mine.agreement_parts == full.agreement_parts and mine.note == full.note
        wanted = [f for f in full.figures if f.metric in views.AVAILABILITY_SUMMARY]
        assert list(mine.figures) == wanted, mine.name  # every field: value, status, parts, notes, before
    assert len(some) == 4 and {f.metric for c in some for f in c.figures} == set(views.AVAILABILITY_SUMMARY)
    assert any(f.value is not None and f.previous_value is not None for c in some for f in c.figures)
    assert not [sql for sql in statements if NOT_FOR_AVAILABILITY.search(sql)]
    points = _points(demo_db, period)
    assert frames.attainment_summary(points, some).equals(frames.attainment_summary(points, whole))


def _points(path, period):
    with store.reading(path) as con:
        return frames.interval_points(series.interval_availability(con, period, TZ),
                                     {pid: name for name, pid in _names(con).items()})


def _names(con) -> dict[str, int]:
    return dict(store.execute(con, "SELECT name, partner_id FROM partners").rows)


def test_a_shortfall_asked_for_reads_what_the_whole_scorecard_reads(demo_db):
    with store.reading(demo_db) as con:
        pid = store.execute(con, "SELECT min(partner_id) FROM partners").scalar()
        period = periods.parse("2026-W46")
        whole = scorecard.scorecard(con, pid, period, TZ)
        names = ("calls_shortfall", "calls_shortfall_accumulated", "service_level")
        some = scorecard.scorecard(con, pid, period, TZ, names=names)
    assert list(some.figures) == [f for f in whole.figures if f.metric in names]


@pytest.mark.parametrize("label", ("2026-W46", "2026-10"))
def test_an_interval_without_answered_legs_takes_the_partners_aht_of_the_rollups(demo_db, label):
    period = periods.parse(label)
    fallbacks = 0
    with store.reading(demo_db) as con:
        for (pid,) in store.execute(con, "SELECT partner_id FROM partners ORDER BY partner_id").rows:
            frame = series.staffing(con, period, TZ, (pid,))
            mine = frame[(frame["partner_id"] == pid) & frame["interval_start"].notna()]
            rows = [r for r in measures.interval_sl_rows(con, period, TZ, (pid,)) if r["partner_id"] == pid]
            # The route before: the rollups' aht_s of the partner over the period.
            rollup = measures.measure(con, period, TZ, fcr_days=1, partner_ids=(pid,), only=("rollups",))
            aht = rollup[pid]["aht_s"].value
            unanswered = {r["interval_utc"] for r in rows if not r["answered"]}
            fallback = mine[mine["interval_utc"].isin(unanswered)]
            assert (fallback["aht_s"] == aht).all(), pid
            fallbacks += len(fallback)
            answered = mine[~mine["interval_utc"].isin(unanswered)]
            by_hand = {r["interval_utc"]: r["handle_s"] / r["answered"] for r in rows if r["answered"]}
            assert answered["aht_s"].tolist() == [by_hand[t] for t in answered["interval_utc"]]
            assert aht == pytest.approx(sum(r["handle_s"] for r in rows) / sum(r["answered"] for r in rows))
            assert isinstance(aht, float)  # the fallback is a real number, not "no data"
    assert fallbacks > 0  # intervals with calls offered but none answered were judged


def test_one_runs_interval_rows_are_made_and_judged_once_and_equal_each_reads_own(demo_db, monkeypatch):
    """The page's summary, intervals and a partner's staffing chart in one run (one read-only
    connection) judge the interval rows once; each read's frame equals the one it gives on a
    connection of its own (where nothing was read before it)."""
    period = periods.parse("2026-W46")
    with store.reading(demo_db) as con:
        pid = store.execute(con, "SELECT min(partner_id) FROM partners").scalar()

    def reads(con):
        return (scorecard.overview(con, period, TZ, names=views.AVAILABILITY_SUMMARY),
                series.interval_availability(con, period, TZ), series.staffing(con, period, TZ, (pid,)))

    alone = []
    for i in range(3):
        store.let_go(demo_db)  # a connection of its own: the kept one remembers what was read on it
        with store.reading(demo_db) as con:
            alone.append(reads(con)[i])
    judged = []
    inside = hours.Opening.inside

    def counted(self, partner_id, local):
        judged.append((partner_id, local))
        return inside(self, partner_id, local)

    monkeypatch.setattr(hours.Opening, "inside", counted)
    store.let_go(demo_db)
    with store.reading(demo_db) as con:
        together = reads(con)
    assert together[0] == alone[0]
    assert together[1].equals(alone[1]) and together[2].equals(alone[2])
    assert len(together[1]) > 0 and len(judged) == len(set(judged)) > 0


def test_an_intervals_service_level_parts_equal_its_measure_in_every_variant(demo_db):
    with store.reading(demo_db) as con:
        rows = measures.interval_sl_rows(con, periods.parse("2026-W46"), TZ)
    assert len(rows) > 100
    for variant in SL_VARIANTS:
        for row in rows:
            level = measures.service_level_of(row, variant)   # the route before: a Measure per interval
            assert measures.service_level_parts(row, variant) == (level.value, level.numerator, level.denominator)
    assert any(measures.service_level_parts(r, v)[0] is None for r in rows for v in SL_VARIANTS)  # no data kept
