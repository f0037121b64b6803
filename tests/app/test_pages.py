"""Every page through AppTest, on the demo data and on an empty database, plus behaviour by key."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from data import store
from ingest.importing import import_file
from metrics import scorecard
from partners import access, periods
from tests.conftest import ROOT, old_database

APP = str(ROOT / "app.py")
PAGES = [
    "app_pages/overview.py",
    "app_pages/scorecard.py",
    "app_pages/availability.py",
    "app_pages/quality.py",
    "app_pages/meetings.py",
    "app_pages/credits.py",
    "app_pages/agreements.py",
    "app_pages/data.py",
]


def open_page(page: str, **query: str) -> AppTest:
    """Run the app as a browser would: the entry point first, then the page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


def said(markdown: str) -> str:
    """What a notice reads on screen: its text with Markdown's backslash escapes and the invisible
    word joiners taken out (names, emails and errors are escaped so that they can never become links
    or styles)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def texts(at: AppTest) -> str:
    kinds = ("title", "markdown", "info", "error", "success", "caption", "subheader")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("OVERFLOW_DB", str(demo_db))
    return demo_db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_data(demo, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database_says_what_to_do(db, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert not at.error
    assert "python -m cli demo" in texts(at)
    assert len(at.get("vega_lite_chart")) == 0  # the element type AppTest gives charts in Streamlit 1.67


def test_a_missing_database_is_created_empty(tmp_path, monkeypatch):
    path = tmp_path / "new.duckdb"
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    at = open_page(PAGES[0])
    assert not at.exception and path.exists()
    assert "python -m cli demo" in texts(at)


def test_a_database_from_an_older_release_is_brought_forward_on_the_first_page(tmp_path, monkeypatch):
    """Opened by the app, a file two migrations behind is migrated (under a spinner that says so and
    names `python -m cli upgrade`), and the page then shows the empty state as on a new file."""
    path = old_database(tmp_path / "old.duckdb", len(store.migrations()) - 2)
    assert len(store.pending(path)) == 2
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    at = open_page(PAGES[0])
    assert not at.exception, at.exception
    assert store.pending(path) == []
    assert "python -m cli demo" in texts(at)


# --- behaviour ---------------------------------------------------------------------------------


class Matrix(HTMLParser):
    """The Overview's HTML matrix read back: per row its name, link and each cell's text and hover."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._cell: dict | None = None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({"name": "", "href": None, "cells": []})
        elif tag == "th" and attrs.get("scope") == "row":
            self._cell = {"kind": "name"}
        elif tag == "td":
            self._cell = {"text": "", "title": attrs.get("title", "")}
            self.rows[-1]["cells"].append(self._cell)
        elif tag == "a" and self.rows:
            self.rows[-1]["href"] = attrs["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is None:
            return
        if self._cell.get("kind") == "name":
            self.rows[-1]["name"] += data
        else:
            self._cell["text"] += data


def matrices(at: AppTest) -> list[list[dict]]:
    """Every ov-matrix table on the page, its body rows only."""
    return [Matrix(h.proto.body).rows[1:] for h in at.get("html") if 'class="ov-matrix"' in h.proto.body]


def test_overview_has_a_row_per_partner_and_in_house_last_with_worded_statuses(demo):
    at = open_page(PAGES[0], period="2026-W47")
    partner_side = matrices(at)[0]
    assert [r["name"] for r in partner_side] == ["FlexiCall", "Nordic Reliable", "QuickServe", "in-house"]
    # Each partner's name opens its scorecard for the same week; in-house has no scorecard.
    assert [r["href"] for r in partner_side] == [
        "scorecard?partner=FlexiCall&period=2026-W47", "scorecard?partner=Nordic+Reliable&period=2026-W47",
        "scorecard?partner=QuickServe&period=2026-W47", None]
    words = {"✔ met", "▲ near", "✖ missed", "◆ excused", "– no data", "· no target", "◷ provisional until 2026-11-30",
             "≈ can't tell yet"}
    hovers = [c["title"].split(" · ")[1] for r in partner_side for c in r["cells"]]
    assert set(hovers) <= words
    # The demo data ends on 23 Nov: W47's FCR (16-22 Nov + 7 days) is not final yet; FCR is the 6th figure.
    assert {r["cells"][5]["title"].split(" · ")[1] for r in partner_side} == {"◷ provisional until 2026-11-30"}
    assert all(c["text"].strip() for r in partner_side for c in r["cells"])  # a value and an icon, never empty
    assert [r["name"] for r in matrices(at)[1]] == ["FlexiCall", "Nordic Reliable", "QuickServe"]


def test_overview_says_where_each_miss_was_lost_and_has_a_complete_legend(demo):
    at = open_page(PAGES[0], period="2026-W47")
    body = next(h.proto.body for h in at.get("html") if 'class="ov-misses"' in h.proto.body)
    lines = re.findall(r"<li><strong>(.*?)</strong>: (.*?)</li>", body)
    # One line per missed or near cell of both matrices (in-house has no target, so no miss).
    cells = [(r["name"], c["title"]) for m in matrices(at) for r in m for c in r["cells"]
             if c["title"].split(" · ")[1] in ("✖ missed", "▲ near")]
    assert sorted(name for name, _ in lines) == sorted(name for name, _ in cells) and lines
    # A missed service level says where in the week it was lost (hand-counted in tests/test_metrics_misses.py).
    sl = next(line for name, line in lines if name == "FlexiCall" and line.startswith("Service level"))
    assert re.search(r"against min 80\.0 %: (spread over the week|.*(day|\d\d-\d\d))", sl), sl
    legend = next(c.value for c in at.caption if c.value.startswith("Status: "))
    for word in ("✔ met", "▲ near", "✖ missed", "◆ excused", "◷ provisional", "· no target", "– no data"):
        assert word in legend


SCORECARD = "app_pages/scorecard.py"


class Tiles(HTMLParser):
    """The scorecard's tiles read back (ui/tiles.py): per tile its label, hover, value, status, chip and notes."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.tiles: list[dict] = []
        self._part: str | None = None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = (attrs.get("class") or "").split(" ")
        if kind[0] == "tile":
            self.tiles.append({"label": "", "help": "", "value": "", "status": "", "chip": "", "more": "",
                               "chip_kind": "", "status_class": ""})
        elif self.tiles and kind[0] in ("label", "value", "status", "chip", "more"):
            self._part = kind[0]
            if kind[0] == "label":
                self.tiles[-1]["help"] = attrs.get("title", "")
            if kind[0] in ("chip", "status"):
                self.tiles[-1][f"{kind[0]}_kind" if kind[0] == "chip" else "status_class"] = kind[1]

    def handle_endtag(self, tag):
        self._part = None

    def handle_data(self, data):
        if self._part:
            self.tiles[-1][self._part] += data


def tiles(at: AppTest) -> list[dict]:
    """Every tile of the page, in order."""
    return [t for h in at.get("html") if 'class="tiles"' in h.proto.body for t in Tiles(h.proto.body).tiles]


def tile(at: AppTest, label: str) -> str:
    return next(t["value"] for t in tiles(at) if t["label"] == label)


def as_fraction(shown: str) -> float:
    return float(shown.removesuffix(" %")) / 100


def test_a_copied_link_reopens_the_same_partner_and_week(demo):
    at = open_page(SCORECARD, partner="QuickServe", period="2026-W40")
    assert not at.exception
    assert at.selectbox(key="partner").value == "QuickServe"
    assert at.selectbox(key="period").value == "2026-W40"
    assert "**QuickServe** · 2026-W40" in at.caption[0].value
    assert at.query_params["partner"] == "QuickServe" and at.query_params["period"] == "2026-W40"


def test_a_month_in_the_link_opens_the_month_grain(demo):
    at = open_page(SCORECARD, partner="FlexiCall", period="2026-09")
    assert at.segmented_control(key="grain").value == "month"
    assert at.selectbox(key="period").value == "2026-09"


def test_the_period_picker_is_disabled_where_the_page_ignores_it_and_keeps_its_value(demo):
    at = open_page(SCORECARD, partner="QuickServe", period="2026-W40")
    assert not at.selectbox(key="period").disabled
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception
    assert at.selectbox(key="period").disabled and at.segmented_control(key="grain").disabled
    assert "This page does not use the period above." in [c.value for c in at.sidebar.caption]
    at.switch_page(SCORECARD).run()
    assert not at.selectbox(key="period").disabled
    assert at.selectbox(key="period").value == "2026-W40"


def test_choosing_another_partner_updates_the_link(demo):
    at = open_page(SCORECARD, partner="QuickServe", period="2026-W40")
    at.selectbox(key="partner").select("Nordic Reliable").run()
    assert at.query_params["partner"] == "Nordic Reliable" and at.query_params["period"] == "2026-W40"
    assert "**Nordic Reliable**" in at.caption[0].value


# Independent of the metrics layer: the week's legs straight from call_legs, cut at Stockholm
# midnights, with the T and S of the agreement version in force (the test checks there is one).
SCORECARD_SQL = """
WITH version AS (
    SELECT a.sl_threshold_s AS t, a.short_abandon_s AS s, a.sl_variant
    FROM agreements a JOIN partners p USING (partner_id)
    WHERE p.name = $name AND a.valid_from <= $monday
    ORDER BY a.valid_from DESC, a.agreement_id DESC LIMIT 1
), legs AS (
    SELECT l.* FROM call_legs l JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
    WHERE p.name = $name
      AND l.offered_at >= timezone('Europe/Stockholm', CAST($monday AS TIMESTAMP))
      AND l.offered_at < timezone('Europe/Stockholm', CAST($monday AS TIMESTAMP) + INTERVAL 7 DAY)
)
SELECT count(*) FILTER (WHERE outcome = 'answered') AS answered,
       count(*) FILTER (WHERE outcome = 'answered' AND wait_s <= (SELECT t FROM version)) AS within,
       count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
       count(*) FILTER (WHERE outcome = 'abandoned' AND wait_s < (SELECT s FROM version)) AS short,
       (SELECT sl_variant FROM version) AS variant,
       (SELECT count(*) FROM agreements a JOIN partners p USING (partner_id)
        WHERE p.name = $name AND a.valid_from > $monday AND a.valid_from < $monday + 7) AS changes_inside
FROM legs
"""


@pytest.mark.parametrize(("partner", "week", "monday"), [("QuickServe", "2026-W40", "2026-09-28"),
                                                          ("Nordic Reliable", "2025-W48", "2025-11-24")])
def test_scorecard_tiles_equal_plain_sql_over_call_legs_and_the_metrics_layer(demo, partner, week, monday):
    import datetime as dt


    with store.reading(demo) as con:
        row = store.execute(con, SCORECARD_SQL, {"name": partner, "monday": dt.date.fromisoformat(monday)}).dicts()[0]
        partner_id = con.execute("SELECT partner_id FROM partners WHERE name = ?", [partner]).fetchone()[0]
        card = scorecard.scorecard(con, partner_id, periods.parse(week), "Europe/Stockholm")
    assert row["variant"] == "abandons-count" and row["changes_inside"] == 0 and row["answered"] > 0
    service_level = row["within"] / (row["answered"] + row["abandoned"] - row["short"])

    at = open_page(SCORECARD, partner=partner, period=week)
    assert not at.exception
    assert int(tile(at, "Answered legs").replace(",", "")) == row["answered"] == card.figure("answered").value
    shown = as_fraction(tile(at, "Service level"))  # the variant is in the tile's help, so the label is not cut
    assert next(t["help"] for t in tiles(at) if t["label"] == "Service level").startswith("Counted as abandons-count: ")
    assert shown == pytest.approx(service_level, abs=0.0005)
    assert card.figure("service_level").value == pytest.approx(service_level, rel=1e-12)


def test_an_admin_adds_an_agreement_version_and_the_history_shows_it(demo_copy):
    at = open_page("app_pages/agreements.py", partner="Nordic Reliable", period="2026-W40")
    before = len(at.dataframe[0].value)
    at.number_input(key="agreement_sl_target_1").set_value(85.0)
    at.date_input(key="agreement_valid_from_1").set_value("2026-12-01")
    at.text_input(key="agreement_note_1").input("raised SL target")
    at.button(key="agreement_add_1").click().run()
    assert not at.exception
    assert "Added version" in at.success[0].value
    history = at.dataframe[0].value
    assert len(history) == before + 1
    newest = history.iloc[0]
    assert str(newest["valid_from"])[:10] == "2026-12-01" and newest["sl_target"] == pytest.approx(0.85)
    assert newest["note"] == "raised SL target" and newest["created_by"] == "local admin"


def test_an_admin_sets_opening_hours_and_the_versions_show_them(demo_copy):
    import duckdb

    at = open_page("app_pages/agreements.py", partner="FlexiCall", period="2026-W40")
    hours_table = at.dataframe[1].value
    assert list(hours_table["hours"]) == ["mon-thu 07:00-22:00; fri 07:00-01:00; sat-sun 09:00-18:00",
                                          "mon-fri 07:00-22:00; sat-sun 09:00-18:00"]
    assert at.text_input(key="hours_text_2").value == hours_table["hours"][0]
    at.text_input(key="hours_text_2").input("mon-fri 25:00-26:00")
    at.button(key="hours_add_2").click().run()
    assert said(at.error[0].value) == "not a time of day (HH:MM, 00:00-24:00): '25:00'"
    assert len(at.dataframe[1].value) == 2

    at.date_input(key="hours_valid_from_2").set_value("2026-12-01")
    at.text_input(key="hours_text_2").input("mon-fri 08:00-18:00; fri 22:00-02:00")
    at.text_input(key="hours_note_2").input("night shift")
    at.button(key="hours_add_2").click().run()
    assert not at.exception
    assert said(at.success[0].value) == "FlexiCall is open mon-thu 08:00-18:00; fri 08:00-18:00, 22:00-02:00 from 2026-12-01."
    newest = at.dataframe[1].value.iloc[0]
    assert (str(newest["valid_from"])[:10], newest["hours"], newest["note"], newest["created_by"]) == (
        "2026-12-01", "mon-thu 08:00-18:00; fri 08:00-18:00, 22:00-02:00", "night shift", "local admin")
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        assert con.execute("SELECT actor, detail FROM audit_log WHERE action = 'hours.add' AND actor <> 'demo'").fetchall() == [
            ("local admin", "FlexiCall from 1 Dec 2026: mon-thu 08:00-18:00; fri 08:00-18:00, 22:00-02:00")]


def test_the_hours_form_refuses_overlapping_spans_in_one_line(demo_copy):
    at = open_page("app_pages/agreements.py", partner="FlexiCall", period="2026-W40")
    at.date_input(key="hours_valid_from_2").set_value("2026-12-01")
    at.text_input(key="hours_text_2").input("mon-fri 08:00-18:00; sun 22:00-02:00; mon 01:00-03:00")
    at.button(key="hours_add_2").click().run()
    assert not at.exception
    assert [said(e.value) for e in at.error] == [
        "opening hours overlap: mon 01:00-03:00 and sun 22:00-02:00 (spans may touch, not overlap)"]
    assert len(at.dataframe[1].value) == 2


@pytest.fixture
def demo_copy(demo_db, tmp_path, monkeypatch):
    """A writable copy of the demo database, for tests that change it."""
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    return path


UPLOAD = (
    "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
    "c1,Support,,2026-11-16T09:00:00,answered,12,300,0,30,anna,cust1\n"
    "c2,Support,,2026-11-16T09:05:00,abandoned,40,,,,,cust2\n"
    "c3,Overflow X,Nobody,2026-11-16T09:06:00,answered,5,200,0,20,x1,cust3\n"
)


def test_an_upload_goes_through_the_importer_and_shows_where_every_row_went(db):
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload_file").set_value(("legs.csv", UPLOAD.encode(), "text/csv"))
    at.selectbox(key="upload_profile").select("generic")
    at.form_submit_button(key="upload_go").click().run()
    assert not at.exception, at.exception
    assert "legs.csv: read 3, imported 2, duplicates 0, filtered 0, rejected 1." in at.success[0].value
    assert list((db.parent / "uploads").iterdir()) == []  # the copy went after the import (docs/privacy.md)
    shown = dict(zip(["last_import_rejected", "import_history", "rejected_rows", "freshness"], [e.value for e in at.dataframe]))
    assert shown["last_import_rejected"]["reason"].str.contains("unknown partner 'Nobody'").all()
    # Worded for the web app: no CLI command, and a link to where a partner is added.
    assert "python -m cli" not in shown["last_import_rejected"]["reason"].iloc[0]
    assert [(e.proto.label, e.proto.page) for e in at.get("page_link")][-1][0] == "Add a partner on the Agreements page"
    # The user's own file name, not the server-side upload path; the new queue is said (Overflow X is
    # not created: its only row names an unknown partner).
    assert shown["import_history"][["file_name", "read", "imported", "rejected"]].values.tolist() == [["legs.csv", 3, 2, 1]]
    assert shown["import_history"]["notes"].tolist() == ["created queue 'Support' (in-house)"]
    assert [said(i.value) for i in at.info] == ["Notes: created queue 'Support' (in-house)."]
    assert shown["freshness"]["queue"].tolist() == ["Support"] and shown["freshness"]["legs"].tolist() == [2]
    assert any(m.value.startswith("**2 call legs** in 1 queue, up to ") for m in at.markdown)


def test_one_leg_in_one_queue_is_said_in_plain_english(db):
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload_file").set_value(("one.csv", UPLOAD.split("c2,")[0].encode(), "text/csv"))
    at.form_submit_button(key="upload_go").click().run()
    assert "one.csv: read 1, imported 1, duplicates 0, filtered 0, rejected 0." in at.success[0].value
    assert any(m.value.startswith("**1 call leg** in 1 queue, up to ") for m in at.markdown)


def test_a_file_level_mistake_is_one_line_not_a_traceback(db):
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload_file").set_value(("empty.csv", b"", "text/csv"))
    at.form_submit_button(key="upload_go").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "\n" not in at.error[0].value


def test_a_partner_user_sees_only_their_own_partner_and_no_administration(demo_copy):
    from tests.app.test_signin import AUTH

    with store.writing(demo_copy) as con:
        access.grant(con, "pm@quickserve.example", "partner", "QuickServe", actor="test")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "pm@quickserve.example"}
    at.query_params["partner"] = "FlexiCall"  # a link to another partner must not widen the scope
    at.query_params["period"] = "2026-W47"
    at.run()
    assert not at.exception
    assert at.selectbox(key="partner").options == ["QuickServe"] and at.selectbox(key="partner").value == "QuickServe"
    at.switch_page(PAGES[0]).run()
    assert [[r["name"] for r in m] for m in matrices(at)] == [["QuickServe"], ["QuickServe"]]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data.py")


def test_the_data_page_lists_waiting_queue_log_legs_only_when_there_are_any(db, tmp_path):
    from tests.test_import_queue_log_rotation import BEFORE_MIDNIGHT

    whole = tmp_path / "queue_log.0"
    whole.write_text("\n".join(BEFORE_MIDNIGHT[:3]) + "\n", encoding="utf-8")  # c1 from ENTERQUEUE to its end
    import_file(whole, profile="queue-log", db=db)
    at = open_page("app_pages/data.py")
    assert "Queue-log legs waiting for their other file" not in texts(at)
    assert [list(e.value.columns) for e in at.dataframe if "missing" in e.value.columns] == []

    first = tmp_path / "queue_log.1"
    first.write_text("\n".join(BEFORE_MIDNIGHT) + "\n", encoding="utf-8")
    import_file(first, profile="queue-log", db=db)
    at = open_page("app_pages/data.py")
    assert not at.exception
    assert "Queue-log legs waiting for their other file" in texts(at)
    [shown] = [e.value for e in at.dataframe if "missing" in e.value.columns]  # dataframes carry no key here
    # c2 (ENTERQUEUE and CONNECT on lines 4-5), c3 (line 6), c4 in q2 (line 7): each still waiting for its end
    assert shown[["queue", "call_id", "file", "line", "missing"]].values.tolist() == [
        ["q1", "c2", str(first.resolve()), 4, "end"], ["q1", "c3", str(first.resolve()), 6, "end"],
        ["q2", "c4", str(first.resolve()), 7, "end"]]
    assert shown["first_event"].dt.strftime("%H:%M:%S").tolist() == ["01:58:20", "01:59:10", "01:59:40"]
