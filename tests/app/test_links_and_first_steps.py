"""Links that name a missing partner, period or page; the first steps on an empty database; the
overview's NPS; wording of the quality page. Expected values are worked out by hand or by SQL."""
from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from partners import access, registry
from tests.app.test_pages import APP, SCORECARD, UPLOAD, matrices, open_page, said, texts, tiles
from tests.app.test_signin import AUTH

QUALITY = "app_pages/quality.py"
AGREEMENTS = "app_pages/agreements.py"
NO_ACCESS = "app_pages/no_access.py"


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("OVERFLOW_DB", str(demo_db))
    return demo_db


@pytest.fixture
def granted(demo_db, tmp_path, monkeypatch):
    """A copy of the demo with a partner user (QuickServe) and a manager."""
    import shutil

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    with store.writing(path) as con:
        access.grant(con, "pm@quickserve.example", "partner", "QuickServe", actor="test")
        access.grant(con, "lead@centre.example", "manager", None, actor="test")
    monkeypatch.setenv("OVERFLOW_DB", str(path))
    return path


def signed_in(email: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email}
    at.query_params.update(query)
    return at.run()


# --- 3c: a link's partner or period that cannot be shown is said, once ----------------------------


def test_an_unknown_partner_in_a_link_is_said_with_the_partner_shown_instead(demo):
    at = open_page("app_pages/overview.py", partner="Nope", period="2026-W40")  # the link's first run
    assert [i.value for i in at.info] == ["Partner 'Nope' not found: showing FlexiCall."]
    assert at.selectbox(key="period").value == "2026-W40"  # the rest of the link is kept
    at.switch_page(SCORECARD).run()
    assert [i.value for i in at.info if "not found" in i.value] == []  # said once, on the link's run


@pytest.mark.parametrize("period", ["2031-W99", "9999-12", "0001-01-01", "9999-W52"])
@pytest.mark.parametrize("page", ["app_pages/overview.py", SCORECARD, "app_pages/availability.py", QUALITY])
def test_a_period_that_cannot_be_read_is_said_with_the_period_shown_instead(demo, page, period):
    at = open_page(page, partner="QuickServe", period=period)  # 9999-12 raised OverflowError on every page
    assert not at.exception, at.exception
    shown = at.selectbox(key="period").value
    assert shown == "2026-W47"  # the last complete week of the demo (data to 23 Nov 2026)
    if page == "app_pages/overview.py":  # the link's first run (the default page) says it, once
        assert [i.value for i in at.info if "not found" in i.value] == [f"Period '{period}' not found: showing 2026-W47."]
    assert at.selectbox(key="partner").value == "QuickServe"


@pytest.mark.parametrize(("param", "value"), [
    ("period", "[Sign in again](https://evil.example)"),
    ("period", "![x](https://evil.example/pixel.png)"),
    ("partner", ":red[Your account is locked] **call 0700**"),
])
def test_a_links_values_are_said_as_text_never_as_markdown(demo, param, value):
    at = open_page("app_pages/overview.py", **{param: value})
    assert not at.exception
    [notice] = [i.value for i in at.info if "not found" in i.value]
    quoted = notice.split("'", 1)[1].rsplit("' not found", 1)[0]
    # Every character of the link's value that would make a link, an image, a colour or bold is escaped.
    for raw in ("[", "]", "(", ")", "!", ":", "*"):
        assert quoted.count(raw) == quoted.count("\\" + raw), (raw, notice)
    assert said(notice).startswith(f"{param.capitalize()} '{value}' not found")


def test_a_good_link_and_switching_grain_say_nothing(demo):
    at = open_page(SCORECARD, partner="QuickServe", period="2026-W40")
    assert [i.value for i in at.info if "not found" in i.value] == []
    at.segmented_control(key="grain").set_value("month").run()
    assert [i.value for i in at.info if "not found" in i.value] == []


def test_a_partner_user_is_not_told_another_partners_name_back(granted):
    at = signed_in("pm@quickserve.example", partner="FlexiCall", period="2026-W47")
    assert [i.value for i in at.info if "not found" in i.value] == [
        "The link's partner not found: showing QuickServe."]


# --- 3a: a page the role does not include says so -------------------------------------------------


@pytest.mark.parametrize(("email", "home"), [("pm@quickserve.example", "Partner scorecard"),
                                             ("lead@centre.example", "Overview")])
def test_a_page_outside_the_role_says_so_in_one_line(granted, email, home):
    at = signed_in(email)
    at.switch_page(NO_ACCESS).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["You don't have access to this page."]
    assert at.dataframe == [] and tiles(at) == []
    links = [e.proto for e in at.get("page_link")]
    assert [link.label for link in links] == [f"Open {home}"]


def test_an_admin_has_no_page_it_cannot_see(demo):
    at = open_page("app_pages/overview.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(NO_ACCESS)


# --- 6: first steps on an empty database ----------------------------------------------------------


def test_the_data_page_says_the_next_step_once(db):
    at = open_page("app_pages/data.py")
    assert texts(at).count("python -m cli demo") == 1
    assert [i.value for i in at.info][0] == (
        "There are no call legs yet. Import a call-leg file below, or build demo data with `python -m cli demo` and reload.")


def test_an_admin_adds_the_first_partner_on_the_agreements_page(db):
    at = open_page(AGREEMENTS)
    assert "There are no partners yet. Add the first one here" in at.info[0].value
    at.text_input(key="partner_add_name").input("  Alfa BPO ")
    at.button(key="partner_add").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Added partner 'Alfa BPO'.")
    assert at.selectbox(key="partner").value == "Alfa BPO" and at.query_params["partner"] == "Alfa BPO"
    assert "Alfa BPO has no agreement yet" in texts(at)  # the page now shows its versions and the form
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT name FROM partners").fetchall() == [("Alfa BPO",)]
        assert con.execute("SELECT actor, action, detail FROM audit_log").fetchall() == [
            ("local admin", "partner add", "partner 'Alfa BPO' (id 1)")]


@pytest.mark.parametrize(("typed", "refusal"), [("Alfa BPO", "partner 'Alfa BPO' already exists"),
                                                ("   ", "a partner needs a name")])
def test_a_duplicate_or_blank_partner_is_refused_in_one_line(db, typed, refusal):

    with store.writing(db) as con:
        registry.add_partner(con, "Alfa BPO")
    at = open_page(AGREEMENTS)
    at.text_input(key="partner_add_name").input(typed)
    at.button(key="partner_add").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [refusal]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM partners").fetchone() == (1,)


def test_after_in_house_legs_the_partner_pages_say_how_to_add_a_partner(db):
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload_file").set_value(("legs.csv", UPLOAD.encode(), "text/csv"))
    at.form_submit_button(key="upload_go").click().run()
    for page in (SCORECARD, QUALITY, "app_pages/meetings.py"):
        at.switch_page(page).run()
        assert not at.exception
        info = [i.value for i in at.info]
        assert len(info) == 1 and info[0].startswith("There are no partners yet. An admin adds one with **Add a partner**"), page


# --- 11: NPS on the overview ----------------------------------------------------------------------

NPS_SQL = """
SELECT count(*) AS n,
       100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) AS nps
FROM survey_answers s JOIN queues q USING (queue_id) JOIN partners p USING (partner_id)
WHERE p.name = ? AND s.scale = 'nps'
  AND s.answered_at >= timezone('Europe/Stockholm', TIMESTAMP '2026-10-01')
  AND s.answered_at < timezone('Europe/Stockholm', TIMESTAMP '2026-11-01')
"""


def test_the_overview_shows_nps_with_its_sample_like_the_scorecard(demo):
    at = open_page("app_pages/overview.py", period="2026-10")
    rows = {r["name"]: r["cells"][8] for r in matrices(at)[0]}  # NPS is the 9th figure
    for partner in ("FlexiCall", "Nordic Reliable", "QuickServe"):
        with duckdb.connect(str(demo), read_only=True) as con:
            n, nps = con.execute(NPS_SQL, [partner]).fetchone()
        assert n > 0
        assert rows[partner]["text"].split(" ")[0] == f"{nps:.1f}"
        assert rows[partner]["title"].endswith(f" · n = {n:,} NPS answers")


# --- 15: quality wording ----------------------------------------------------------------------------


def test_quality_empty_trends_keep_their_acronyms(demo):
    at = open_page(QUALITY, partner="QuickServe", period="2024-W10")  # 13 weeks before the demo's data
    said = [i.value for i in at.info]
    assert "No QA score in these 13 weeks." in said and "No NPS in these 13 weeks." in said
    assert "No first-contact resolution in these 13 weeks." in said


def test_a_partner_user_quality_section_does_not_promise_in_house(granted):
    at = signed_in("pm@quickserve.example", period="2026-W40")
    at.switch_page(QUALITY).run()
    assert "QA score by form section" in [s.value for s in at.subheader]
    assert not any("in-house" in s.value for s in at.subheader)
