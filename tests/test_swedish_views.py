"""Periods, figures, targets, changes and money written the Swedish way (issue 20). Every expected
string is worked by hand from the Swedish conventions: decimal comma, a no-break space (U+00A0) as the
thousands separator and before '%', the minus sign U+2212, 'nov.' for November, 'v. 47' for a week."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from data import i18n
from metrics.definitions import BAND, HIGHER, LOWER
from metrics.misses import When
from partners import periods
from reports import charts, views

NBSP, MINUS = "\u00a0", "\u2212"


@pytest.fixture
def swedish():
    with i18n.language("sv"):
        yield


def test_days_and_spans_in_swedish(swedish):
    assert periods.day_text(dt.date(2026, 11, 24)) == "24 nov. 2026"
    assert periods.days_text(dt.date(2026, 11, 16), dt.date(2026, 11, 22)) == "16–22 nov. 2026"
    assert periods.days_text(dt.date(2026, 10, 26), dt.date(2026, 11, 1)) == "26 okt.–1 nov. 2026"
    assert periods.days_text(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == "28 dec. 2026–3 jan. 2027"
    # 16:31 UTC is 17:31 in Stockholm in November (CET, UTC+1).
    assert periods.clock_text(dt.datetime(2026, 11, 24, 16, 31), "Europe/Stockholm") == "24 nov. 2026 17:31"


def test_a_period_is_named_the_swedish_way_and_keeps_its_machine_label(swedish):
    week, month = periods.parse("2026-W47"), periods.parse("2026-11")
    assert week.named == "v. 47 2026, 16–22 nov. 2026"
    assert month.named == "november 2026, 1–30 nov. 2026"
    assert periods.parse("2027-W01").named == "v. 1 2027, 4–10 jan. 2027"
    assert (week.label, month.label) == ("2026-W47", "2026-11")  # links, CSV and file names stay machine form


def test_english_period_names_are_unchanged():
    assert periods.parse("2026-W05").named == "2026-W05, 26 Jan–1 Feb 2026"
    assert periods.parse("2026-11").named == "2026-11, 1–30 Nov 2026"


def test_figures_and_targets_in_swedish(swedish):
    assert views.display(0.121, "fraction") == f"12,1{NBSP}%"
    assert views.display(19170, "count") == f"19{NBSP}170"
    assert views.display(1204.4, "seconds") == f"1{NBSP}204 s"
    assert views.display(37.25, "hours") == "37,2 h"  # Python rounds 37.25 to even: the same digits as English
    assert views.display(None, "fraction") == "ingen data"
    assert views.display_target(0.8, "fraction", HIGHER) == f"min 80,0{NBSP}%"
    assert views.display_target(30, "seconds", LOWER) == "max 30 s"
    assert views.display_target((0.1, 0.16), "fraction", BAND) == f"intervall 10,0{NBSP}%–16,0{NBSP}%"
    assert views.display_target(None, "fraction", HIGHER) == "inget avtalat"


def test_changes_intervals_money_and_cuts_in_swedish(swedish):
    assert views.change_text(0.114, "fraction") == "+11,4 p.e."
    assert views.change_text(-0.013, "fraction") == f"{MINUS}1,3 p.e."
    assert views.change_text(-1204, "count") == f"{MINUS}1{NBSP}204"
    assert views.change_text(3, "seconds") == "+3 s"
    assert views.interval_text((0.781, 0.86), "fraction") == "78,1–86,0"
    assert views.money_text(Decimal("1230")) == f"1{NBSP}230,00"
    assert views.percent_cut(Decimal("0.7999")) == f"79,9{NBSP}%"
    assert views.sample_text("staffed_vs_contracted", 19170) == f"19{NBSP}170 avtalade agentminuter"


def test_the_same_changes_in_english_read_as_before():
    assert views.change_text(-0.013, "fraction") == "-1.3 pts"
    assert views.change_text(-1204, "count") == "-1,204"
    assert views.money_text(Decimal("1230")) == "1,230.00"
    assert views.percent_cut(Decimal("0.7999")) == "79.9 %"


def _figure(**fields):
    base = dict(metric="abandon_rate", definition="abandon_rate", label="Abandon rate", unit="fraction", value=0.05,
                previous_value=0.063, change_real=None, min_n=None, status="green", interval=None, sample_size=None)
    return SimpleNamespace(**(base | fields))


def test_a_tile_change_says_better_or_worse_in_swedish(swedish):
    # The abandon rate fell 1.3 points: lower is better.
    assert views.change_chip(_figure()) == (f"↓ {MINUS}1,3 p.e. bättre", "better")
    assert views.change_chip(_figure(value=0.07)) == ("↑ +0,7 p.e. sämre", "worse")
    assert views.change_chip(_figure(value=0.063)) == ("→ ingen förändring", "neutral")


def test_a_frozen_figure_is_labelled_by_its_metric_key(swedish):
    assert views.figure_label(_figure()) == "Andel tappade samtal"
    frozen_sl = _figure(metric="service_level", label="Service level (answered-only)")
    assert views.figure_label(frozen_sl) == "Servicenivå (endast besvarade)"


def test_where_a_figure_was_lost_in_swedish(swedish):
    when = When(metric="service_level", weekdays=(0, 3), hours=(17, 21), staffed=Decimal("0.806"), repeated=True)
    assert views.when_text(when) == f"måndagar och torsdagar, kvällar 17-21; bemannat 80,6{NBSP}% av avtalet de dagarna"
    once = When(metric="service_level", weekdays=(1,), hours=None, staffed=None, repeated=False)
    assert views.when_text(once) == "tisdag"


def test_a_swedish_chart_carries_the_swedish_locale_titles_and_week_ticks(swedish):
    import pandas as pd

    frame = pd.DataFrame({"period_start": [dt.date(2026, 11, 9), dt.date(2026, 11, 16)], "period": ["2026-W46", "2026-W47"],
                          "value": [0.9, 0.121], "target": [0.8, 0.8], "sample_size": [100, 19170]})
    spec = charts.trend_with_target(frame, label=views.label("service_level"), unit="fraction").to_dict()
    locale = spec["config"]["locale"]
    assert (locale["number"]["decimal"], locale["number"]["thousands"], locale["number"]["percent"]) == (",", NBSP, f"{NBSP}%")
    assert locale["number"]["minus"] == MINUS
    assert locale["time"]["shortMonths"][10] == "nov."
    assert locale["time"]["days"][1] == "måndag"  # d3 lists the week from Sunday
    assert spec["title"] == "Servicenivå (streckad: mål)"
    line = spec["layer"][0]
    assert line["encoding"]["y"]["title"] == "Servicenivå (%)"
    assert [t["title"] for t in line["encoding"]["tooltip"]] == ["period", "Servicenivå", "mål", "urval"]
    # A week tick reads 'v. 47' (the label is the machine id '2026-W47'); a month tick the locale's 'nov.'.
    assert "\"v. \" + parseInt(substring(datum.label, 6))" in line["encoding"]["x"]["axis"]["labelExpr"]
    assert "utcFormat" in line["encoding"]["x"]["axis"]["labelExpr"]


def test_an_english_chart_keeps_its_english_ticks():
    import pandas as pd

    frame = pd.DataFrame({"period_start": [dt.date(2026, 11, 9)], "period": ["2026-W46"], "value": [0.9],
                          "target": [0.8], "sample_size": [100]})
    spec = charts.trend_with_target(frame, label="Service level", unit="fraction").to_dict()
    assert spec["layer"][0]["encoding"]["x"]["axis"]["labelExpr"] == charts.STEP_LABEL
    assert spec["config"]["locale"]["number"]["percent"] == "%"  # English axes write 80% as before
    assert spec["config"]["locale"]["time"]["shortMonths"][10] == "Nov"


def test_section_headings_notes_and_short_labels_in_swedish(swedish):
    assert [views.heading(family) for family, _ in views.SECTIONS] == [
        "Volym", "Tillgänglighet", "Kundens samtal", "Kvalitet", "Centrets sida"]
    assert views.section_note("centre").startswith("Vad centret är skyldigt partnern")
    assert views.section_note("volume") == ""
    assert (views.short_label("service_level"), views.short_label("abandon_rate")) == ("SN", "Tappade")
    assert views.legend().startswith("✔ uppfyllt: målet är uppfyllt; ▲ nära gränsen: missat med mindre än")


def test_the_audit_log_keeps_its_days_in_english_whatever_the_readers_language(swedish):
    assert periods.logged_day(dt.date(2026, 11, 24)) == "24 Nov 2026"
    assert periods.logged_days(periods.parse("2026-W47")) == "16–22 Nov 2026"
    assert periods.day_text(dt.date(2026, 11, 24)) == "24 nov. 2026"  # and the reader's own language after it


def test_the_interval_chart_names_its_statuses_in_swedish(swedish):
    import pandas as pd

    frame = pd.DataFrame({"interval_start": pd.to_datetime(["2026-11-16 08:00"]), "service_level": [0.9],
                          "offered": [10], "status": ["green"]})
    spec = charts.interval_attainment(frame, title="Acme", start="2026-11-16", end="2026-11-23").to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["title"] == "status"
    assert '"green": "✔ uppfyllt"' in legend["labelExpr"] and '"red": "✖ ej uppfyllt"' in legend["labelExpr"]
    assert spec["encoding"]["color"]["scale"]["domain"] == ["green", "red", "no data", "no target"]  # data stays ids
