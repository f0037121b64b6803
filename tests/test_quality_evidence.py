"""A known QA sample judged on its evidence (issue 17): met, missed and can't tell yet at exactly
min_n - 1 and min_n, the same on the tile, the Overview, the PDF, the Excel and a frozen meeting;
critical errors apart from the QA score. Every expected value is worked by hand below.

Agreement: qa_min 0.80, qa_min_n 5. One evaluation scores points / 10; the 95 % interval is
mean +- t(0.975; n - 1) * s / sqrt(n), with t(0.975; 4) = 2.7764 and t(0.975; 3) = 3.1824 (t table).
- Met    0.9, 0.9, 1.0, 0.9, 0.8: mean 0.90, s = sqrt(0.02 / 4) = 0.07071, half 2.7764 x 0.07071 / 2.2361
  = 0.0878 -> 81.2-98.8 %, all above 80 %: met at n = 5 = min_n.
- Few    0.9, 0.9, 1.0, 0.8: mean 0.90, s = sqrt(0.02 / 3) = 0.08165, half 3.1824 x 0.08165 / 2 = 0.1299
  -> 77.0-100 % (103.0 clamped to the scale): n = 4 = min_n - 1, can't tell yet whatever the interval.
- Missed 0.5, 0.6, 0.5, 0.6, 0.5: mean 0.54, s = sqrt(0.012 / 4) = 0.05477, half 0.0680 -> 47.2-60.8 %.
- Unsure 0.9, 0.7, 1.0, 0.6, 0.8: mean 0.80, s = sqrt(0.10 / 4) = 0.1581, half 0.1963 -> 60.4-99.6 %:
  holds 80 %, can't tell yet at n = 5.
"""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pypdf
import pytest

import cli
from data import settings, store
from meetings import meetings as m
from metrics import statuses
from metrics.scorecard import overview, scorecard
from partners import agreements, periods
from reports import exports, frames, views
from tests.conftest import ROOT
from ui import tiles

W10 = periods.parse("2026-W10")
EXPECTED = {
    "Met": "✔ met · 90.0 % (81.2–98.8) · n = 5",
    "Few": "≈ can't tell yet · 90.0 % (77.0–100.0) · n = 4, fewer than 5",
    "Missed": "✖ missed · 54.0 % (47.2–60.8) · n = 5",
    "Unsure": "≈ can't tell yet · 80.0 % (60.4–99.6) · n = 5",
}
IDS = {"Met": 1, "Few": 2, "Missed": 3, "Unsure": 4, "Crit": 5}


@pytest.fixture
def sample(db):
    with store.writing(db) as con:
        con.execute((ROOT / "tests" / "sql" / "quality_evidence.sql").read_text(encoding="utf-8"))
        for partner_id in IDS.values():
            agreements.add_version(con, partner_id, date(2026, 1, 1), qa_min=0.8, qa_min_n=5,
                                   critical_error_max=0.10, critical_error_min_n=3)
    return db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("partner", list(EXPECTED))
def test_the_scorecard_tile_says_status_interval_and_n(sample, partner):
    with store.reading(sample) as con:
        qa = scorecard(con, IDS[partner], W10).figure("qa_score")
    assert views.judged(qa.status_text, qa) == EXPECTED[partner]
    assert f">{EXPECTED[partner]}</div>" in tiles.tile(qa).replace("&#x27;", "'")


def test_the_overview_matrix_uses_the_same_rule(sample):
    with store.reading(sample) as con:
        rows = views.matrix(overview(con, W10), ("qa_score",))
    cells = {row.partner: row.cells[0] for row in rows}
    for partner, said in EXPECTED.items():
        assert said in cells[partner].detail
    assert {p: cells[p].status for p in EXPECTED} == {
        "Met": statuses.GREEN, "Few": statuses.UNSURE, "Missed": statuses.RED, "Unsure": statuses.UNSURE}


def test_pdf_excel_and_a_frozen_meeting_say_the_same(sample):
    with store.writing(sample) as con:
        tz = settings.get(con, "reporting_tz")
        saved = {}
        for partner in EXPECTED:
            snapshot = frames.snapshot(con, IDS[partner], W10, tz)
            minutes = m.Minutes(date(2026, 3, 10), W10, attendees="Eva")
            saved[partner] = (m.save_meeting(con, IDS[partner], minutes, snapshot, "test"), snapshot)
    for partner, said in EXPECTED.items():
        meeting_id, snapshot = saved[partner]
        document = exports.scorecard_document(partner, W10.named, snapshot, {})
        pdf = _flat(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(exports.to_pdf(document))).pages))
        assert _flat(said) in pdf
        book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(document)))
        rows = [row for sheet in book for row in sheet.iter_rows(values_only=True)]
        qa_row = next(r for r in rows if r and r[0] == "QA score" and isinstance(r[1], float))
        header = next(r for r in rows if r and r[0] == "figure" and "interval low" in r)
        found = dict(zip(header, qa_row))
        low, high = (float(x) / 100 for x in re.findall(r"\(([\d.]+)–([\d.]+)\)", said)[0])
        assert (found["status"], found["sample size"]) == (said.split(" · ")[0], int(said.split("n = ")[1][:1]))
        assert (found["interval low"], found["interval high"]) == (pytest.approx(low, abs=5e-4), pytest.approx(high, abs=5e-4))
        with store.reading(sample) as con:
            frozen = m.get_meeting(con, meeting_id).snapshot
        table = exports.figures_table(frozen, "quality", "Quality").shown
        assert table.loc[table["figure"] == "QA score", "status"].iloc[0] == said


def test_a_meeting_frozen_before_intervals_renders_as_it_did(sample):
    with store.reading(sample) as con:
        snapshot = frames.snapshot(con, IDS["Met"], W10, settings.get(con, "reporting_tz"))
    old = m.Snapshot(snapshot.period_start, snapshot.period_end, snapshot.time_zone, snapshot.taken_at,
                     tuple(m.FrozenFigure(**{k: v for k, v in vars(f).items()
                                             if k not in ("interval", "min_n", "sum_squares", "change_real")})
                           for f in snapshot.figures))
    table = exports.figures_table(old, "quality", "Quality").shown
    assert table.loc[table["figure"] == "QA score", "status"].iloc[0] == "✔ met"


def test_critical_errors_apart_and_qa_with_and_without_fatal_zeros(sample):
    # Crit: E5-1 scores (8 + 2 + 2) / 14 = 12/14; E5-2 misses the critical item: (8 + 0 + 2) / 14 = 10/14,
    # not zeroed; E5-3 misses the fatal item: 0 (10/14 before the zero); E5-4 (old layout, critical =
    # fatal) misses it: 0 (8/12 before the zero). With zeros (12/14 + 10/14 + 0 + 0) / 4 = 22/56;
    # without (12/14 + 10/14 + 10/14 + 8/12) / 4. Critical errors: E5-2, E5-3, E5-4 = 3 of 4.
    with store.reading(sample) as con:
        card = scorecard(con, IDS["Crit"], W10)
    assert card.figure("qa_score").value == pytest.approx(22 / 56)
    assert card.figure("qa_score_before_fatal").value == pytest.approx((12 / 14 + 10 / 14 + 10 / 14 + 8 / 12) / 4)
    rate = card.figure("critical_error_rate")
    assert (rate.value, rate.sample_size, rate.target) == (0.75, 4, 0.10)
    # Wilson 3 of 4: centre (0.75 + 0.9604) / 1.9604 = 0.8724... half 1.96 x sqrt(0.1875/4 + 0.9604/16) / 1.9604
    # = 0.3284 -> 30.1-95.4 %: all above the 10 % maximum, so missed on 4 >= 3 evaluations.
    assert (rate.status, round(rate.interval[0], 3), round(rate.interval[1], 3)) == (statuses.RED, 0.301, 0.954)


def test_point_judgement_is_the_agreement_s_choice(sample):
    with store.writing(sample) as con:
        agreements.add_version(con, IDS["Unsure"], date(2026, 3, 1), qa_min=0.8, qa_min_n=5,
                               quality_judgement="point")
        qa = scorecard(con, IDS["Unsure"], W10).figure("qa_score")
    # 80.0 % against a minimum of 80 %: met on the point value, whatever the interval
    assert (qa.status, qa.judged_on) == (statuses.GREEN, "point")


@pytest.mark.parametrize(("field", "value", "words"), [
    ("qa_min_n", 0, "qa_min_n '0' is outside 1..1000000"),
    ("csat_min_n", 2.5, "csat_min_n '2.5' is not a whole number"),
    ("quality_judgement", "vibes", "quality_judgement 'vibes' is not interval or point"),
    ("critical_error_max", 1.5, "critical_error_max '1.5' is more than 1"),
])
def test_the_new_terms_are_checked_in_the_agreement_s_words(field, value, words):
    with pytest.raises(agreements.TargetError, match=re.escape(words)):
        agreements.checked({field: value})


def test_the_cli_changes_a_quality_term_as_a_new_version(sample, capsys):
    assert cli.main(["agreement", "set", "--db", str(sample), "--partner", "Met", "--from", "2026-03-01",
                     "qa_min_n=6"]) == 0
    # Met's second version (the fixture gave each partner one), numbered per partner, not by row id
    assert capsys.readouterr().out.startswith("added version 2 for Met from 1 Mar 2026")
    with store.reading(sample) as con:
        qa = scorecard(con, IDS["Met"], W10).figure("qa_score")
    # the same 5 evaluations are now one short of the minimum
    assert (qa.min_n, qa.status) == (6, statuses.UNSURE)
    assert cli.main(["agreement", "set", "--db", str(sample), "--partner", "Met", "--from", "2026-03-02",
                     "qa_min_n=0"]) == 2
    assert "error: qa_min_n '0' is outside 1..1000000" in capsys.readouterr().err
