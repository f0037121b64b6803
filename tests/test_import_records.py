"""QA, surveys, staffing, forecasts and agreements through the same import command.

Each fixture's counts and stored rows are worked out by hand from its lines (line 1 = header).
"""
from __future__ import annotations

from datetime import date

import pytest

from data import store
from ingest.importing import import_file
from partners import agreements, registry
from tests.conftest import FIXTURES

IMPORT = FIXTURES / "import"


@pytest.fixture
def registered(db):
    with store.writing(db) as con:
        registry.add_partner(con, "Alfa BPO")
        registry.set_queue(con, "Alfa Kundservice", partner="Alfa BPO")
        registry.set_queue(con, "Kundservice")
    return db


def rejected(db):
    return store.query("SELECT line_no, reason FROM rejected_rows ORDER BY line_no", path=db).rows


# (profile, read, imported, duplicates, rejected, rejected lines and reasons)
CASES = [
    ("qa", 10, 4, 1, 5, [
        (7, "points '6' is more than max_points '5'"),
        (8, "evaluation 'E2' differs from its first line in queue, call_id, agent_id, evaluator, evaluated_at, form "
            "or the calibration columns"),
        (9, "unknown queue 'Nowhere'; import its call legs first: that import creates it"),
        (10, "is_calibration 'maybe' is not yes or no"),
        (11, "points is empty (mark a not-applicable item with is_na = yes)"),
    ]),
    ("surveys", 6, 2, 1, 3, [
        (4, "score '6' is outside the csat scale 1-5"),
        (5, "scale 'stars' is not csat or nps"),
        (7, "unknown queue 'Support'; import its call legs first: that import creates it"),
    ]),
    ("staffing", 5, 2, 1, 2, [
        (4, "interval_start '2026-01-05 08:20' is not on a 15-minute boundary"),
        (6, "contracted_min '-5' is negative"),
    ]),
    ("forecasts", 4, 1, 0, 3, [
        (3, "week_start '2026-01-06' is not a Monday"),
        (4, "unknown partner 'Beta Contact'; an admin adds a new partner with Add a partner on the Agreements page"),
        (5, "legs '-1' is negative"),
    ]),
    ("agreements", 5, 2, 1, 2, [
        (4, "share_min '30' is more than 1 (write it as a fraction: 0.8 = 80 %)"),
        (5, "sl_variant 'fast' is not abandons-count, answered-only, abandons-within-met or with-overflow"),
    ]),
]


@pytest.mark.parametrize(("profile", "read", "imported", "duplicates", "rejects", "reasons"), CASES)
def test_counts_reasons_and_reimport(registered, profile, read, imported, duplicates, rejects, reasons):
    summary = import_file(IMPORT / f"{profile}.csv", profile=profile, db=registered)
    assert summary.kind == profile
    assert (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected) == (
        read, imported, duplicates, 0, rejects)
    assert rejected(registered) == reasons
    again = import_file(IMPORT / f"{profile}.csv", profile=profile, db=registered)
    assert (again.imported, again.duplicates, again.rejected) == (0, imported + duplicates, rejects)


def test_qa_rows(registered):
    import_file(IMPORT / "qa.csv", profile="qa", db=registered)
    assert store.query(
        "SELECT evaluation_id, q.name, call_id, agent_id, evaluator, strftime(evaluated_at AT TIME ZONE 'UTC', "
        "'%Y-%m-%d %H:%M'), form, is_calibration, calibration_session, is_agreed "
        "FROM qa_evaluations JOIN queues q USING (queue_id) ORDER BY 1", path=registered).rows == [
        ("E1", "Alfa Kundservice", "C1", "AL7", "Karin", "2026-01-07 09:00", "standard", False, None, False),
        ("E2", "Alfa Kundservice", "C2", "AL8", "Olle", "2026-01-07 10:00", "standard", True, "CAL1", False),
    ]
    assert store.query("SELECT evaluation_id, section, item, points, max_points, weight, is_na, is_critical "
                       "FROM qa_items ORDER BY evaluation_id, section", path=registered).rows == [
        ("E1", "Closing", "Offers more", None, 1.0, 1.0, True, False),
        ("E1", "Greeting", "Says name", 2.0, 2.0, 1.0, False, False),
        ("E1", "Solution", "Solves", 3.0, 5.0, 2.0, False, True),
        ("E2", "Greeting", "Says name", 1.0, 2.0, 1.0, False, False),
    ]


def test_qa_fatal_and_critical_items_the_scorer_and_the_form_order(registered):
    # qa_fatal.csv (lines 2-5): E5 by the partner's QA, sections Opening, Privacy, Identity in that order;
    # Privacy is fatal, Identity critical but not fatal (is_fatal = no), Opening neither (is_fatal empty:
    # as its is_critical, no). The old qa.csv
    # has no is_fatal column: its items keep NULL, read as "as is_critical" (fatal, as they always were).
    import_file(IMPORT / "qa_fatal.csv", profile="qa", db=registered)
    assert store.query("SELECT evaluation_id, scored_by FROM qa_evaluations", path=registered).rows == [("E5", "partner")]
    assert store.query("SELECT section, is_critical, is_fatal FROM qa_items ORDER BY position",
                       path=registered).rows == [("Opening", False, None), ("Privacy", True, True),
                                                 ("Identity", True, False)]
    import_file(IMPORT / "qa.csv", profile="qa", db=registered)
    assert store.query("SELECT count(*) FROM qa_items WHERE evaluation_id = 'E1' AND is_fatal IS NULL",
                       path=registered).scalar() == 3


def test_surveys_staffing_forecasts_rows(registered):
    for profile in ("surveys", "staffing", "forecasts"):
        import_file(IMPORT / f"{profile}.csv", profile=profile, db=registered)
    assert store.query("SELECT answer_id, call_id, scale, score FROM survey_answers ORDER BY 1", path=registered).rows == [
        ("S1", "A2", "csat", 5), ("S2", "A3", "nps", 0)]
    assert store.query(
        "SELECT strftime(interval_start AT TIME ZONE 'UTC', '%H:%M'), contracted_min, logged_in_min FROM staffing "
        "ORDER BY 1", path=registered).rows == [("07:00", 150.0, 142.5), ("07:15", 150.0, None)]
    assert store.query("SELECT partner_id, week_start::VARCHAR, legs FROM forecasts", path=registered).rows == [
        (1, "2026-01-05", 1200)]


def test_agreement_versions_go_through_the_agreements_module(registered):
    summary = import_file(IMPORT / "agreements.csv", profile="agreements", db=registered)
    assert store.query(
        "SELECT valid_from::VARCHAR, share_min, share_target, share_max, sl_target, sl_threshold_s, short_abandon_s, "
        "sl_variant, nps_min, note, created_by FROM agreements ORDER BY valid_from", path=registered).rows == [
        ("2026-01-01", 0.2, 0.3, 0.4, 0.8, 20, 5, "abandons-count", -10.0, "first", f"import batch {summary.batch_id}"),
        ("2026-03-01", 0.25, 0.35, 0.45, 0.85, 30, 5, "answered-only", None, "raised", f"import batch {summary.batch_id}"),
    ]


# One agreement row each, and the one refusal that partners.agreements gives for it, worked out by hand.
REFUSALS = [
    ({"nps_min": 500}, "nps_min '500' is outside -100..100"),
    ({"sl_threshold_s": 90000}, "sl_threshold_s '90000' is more than a day"),
    ({"short_abandon_s": 2.5}, "short_abandon_s '2.5' is not a whole number"),
    ({"fcr_days": 0}, "fcr_days '0' is outside 1..90"),
    ({"asa_max_s": -1}, "asa_max_s '-1' is negative"),
    ({"share_min": 30}, "share_min '30' is more than 1 (write it as a fraction: 0.8 = 80 %)"),
    ({"amber_tolerance": -0.05}, "amber_tolerance '-0.05' is negative"),
    ({"share_min": 0.2, "share_target": 0.5, "share_max": 0.4}, "share_target '0.5' is above share_max '0.4'"),
    ({"sl_variant": "fast"}, "sl_variant 'fast' is not abandons-count, answered-only, abandons-within-met or with-overflow"),
]


@pytest.mark.parametrize(("targets", "reason"), REFUSALS)
def test_add_version_and_the_importer_refuse_an_agreement_in_the_same_words(registered, tmp_path, targets, reason):
    """The form and the CLI reach add_version; the importer turns the same refusal into the row's reason."""
    with store.writing(registered) as con, pytest.raises(agreements.TargetError) as refused:
        agreements.add_version(con, registry.known_partner(con, "Alfa BPO"), date(2026, 1, 1), **targets)
    assert str(refused.value) == reason
    csv = tmp_path / "agreement.csv"
    csv.write_text(f"partner,valid_from,{','.join(targets)}\nAlfa BPO,2026-01-01,{','.join(map(str, targets.values()))}\n")
    summary = import_file(csv, profile="agreements", db=registered)
    assert (summary.imported, summary.rejected) == (0, 1)
    assert rejected(registered) == [(2, reason)]
