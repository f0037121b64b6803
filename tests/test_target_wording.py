"""Targets are said with their kind (min, max, band), and a period judged in two agreement parts
names both targets with their days, on the tiles, in the figures table and in the meeting pack.

Fixture by hand: Acme answers two calls in 2026-W48 (Mon 23 - Sun 29 Nov 2026, Stockholm UTC+1): a1 on
Tuesday 24 Nov 2026 after 20 s, a2 on Friday 27 Nov 2026 after 50 s. Version 1 (from 1 Jan) holds ASA to a
30 s maximum, version 2 (from Thursday 26 Nov 2026) to 40 s; both keep SL min 80 % and abandon max 5 %.
So the week is judged 23-25 Nov 2026 by version 1 (ASA 20 s: met) and 26-29 Nov 2026 by version 2 (ASA 50 s,
10 s over 40 s, tolerance 5 % of 40 = 2 s: missed); the week's ASA is (20 + 50) / 2 = 35 s, missed.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from data import rollups, store
from meetings import meetings
from metrics.scorecard import scorecard
from partners import agreements, periods
from reports import exports, frames, views
from tests.app.test_pages import open_page, tiles

W48 = periods.parse("2026-W48")
BOTH = {"sl_target": 0.8, "abandon_rate_max": 0.05}


@pytest.fixture
def acme(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id) VALUES (2, 'acme', 1)")
        con.execute("""
            INSERT INTO call_legs (queue_id, call_id, offered_at, outcome, wait_s, talk_s, customer_id, batch_id) VALUES
             (2, 'a1', '2026-11-24 09:00:00+00', 'answered', 20, 100, 'C1', 1),
             (2, 'a2', '2026-11-27 09:00:00+00', 'answered', 50, 100, 'C2', 1)
        """)
        rollups.rebuild_all(con)
        agreements.add_version(con, 1, date(2026, 1, 1), asa_max_s=30, **BOTH)
        agreements.add_version(con, 1, date(2026, 11, 26), asa_max_s=40, **BOTH)
    return db


def card(db, period=W48):
    with store.reading(db) as con:
        return scorecard(con, 1, period, "Europe/Stockholm")


def test_a_maximum_says_max_a_minimum_min_and_a_band_band():
    assert views.display_target(0.05, "fraction", "lower") == "max 5.0 %"
    assert views.display_target(30.0, "seconds", "lower") == "max 30 s"
    assert views.display_target(0.8, "fraction", "higher") == "min 80.0 %"
    assert views.display_target((0.1, 0.16), "fraction", "band") == "band 10.0 %–16.0 %"
    assert views.display_target(None, "seconds", "lower") == "none agreed"


def test_two_agreement_parts_name_both_targets_with_their_days(acme):
    figures = card(acme)
    asa = figures.figure("asa_s")
    assert (asa.value, asa.status) == (35.0, "red")
    assert views.target_text(asa) == "max 30 s to 25 Nov 2026, 40 s from 26 Nov 2026"
    # Unchanged targets are said once, as for a single part.
    assert views.target_text(figures.figure("abandon_rate")) == "max 5.0 %"
    assert views.target_text(figures.figure("service_level")) == "min 80.0 %"
    assert views.target_text(figures.figure("aht_s")) is None


def test_days_without_an_agreement_say_so_and_a_one_day_part_is_named_by_its_day(acme):
    with store.writing(acme) as con:
        con.execute("DELETE FROM agreements")
        agreements.add_version(con, 1, date(2026, 11, 25), asa_max_s=30, **BOTH)
        agreements.add_version(con, 1, date(2026, 11, 26), asa_max_s=40, **BOTH)
    asa = card(acme).figure("asa_s")
    assert views.target_text(asa) == "no target to 24 Nov 2026, max 30 s on 25 Nov 2026, 40 s from 26 Nov 2026"


def test_the_tiles_and_the_figures_table_show_both_targets(acme):
    at = open_page("app_pages/scorecard.py", partner="Acme", period="2026-W48")
    assert not at.exception, at.exception
    said = {t["label"]: f'{t["status"]} · {t["more"]}' if t["more"] else t["status"] for t in tiles(at)}
    assert said["ASA"] == "✖ missed · max 30 s to 25 Nov 2026, 40 s from 26 Nov 2026"
    assert said["Abandon rate"] == "✔ met · max 5.0 %"
    assert said["AHT"] == "· no target"
    assert not any("target 5.0" in c or "target 30" in c for c in said.values())
    table = next(d.value for d in at.dataframe if "figure" in d.value.columns)
    targets = dict(zip(table["figure"], table["target"]))
    assert targets["ASA"] == "max 30 s to 25 Nov 2026, 40 s from 26 Nov 2026"
    assert targets["Abandon rate"] == "max 5.0 %"
    assert targets["AHT"] == "none agreed"


def test_the_meeting_pack_says_the_targets_as_the_screen_does(acme):
    with store.reading(acme) as con:
        snapshot = frames.snapshot(con, 1, W48, "Europe/Stockholm")
    shown = exports.figures_table(snapshot, "availability", "Availability").shown
    targets = dict(zip(shown["figure"], shown["target"]))
    assert targets["ASA"] == "max 30 s to 25 Nov 2026, 40 s from 26 Nov 2026"
    assert targets["Service level (abandons-count)"] == "min 80.0 %"
    # A figure frozen before the wording was kept falls back to its single target, with its kind.
    body = json.loads(snapshot.to_json())
    for figure in body["figures"]:
        del figure["target_text"]
    old = meetings.Snapshot.from_json(json.dumps(body))
    old_targets = dict(zip(*[exports.figures_table(old, "availability", "A").shown[c] for c in ("figure", "target")]))
    assert old_targets["Abandon rate"] == "max 5.0 %"
