"""Any imported period is reachable (issue 16): the picker offers every period holding data, with a
year picker to jump, and the in-house queues are shown one by one. On a store holding two January
1999 days and two November 2026 days (the suite's today is Tue 24 Nov 2026)."""
from __future__ import annotations

from data import store
from tests.app.test_pages import open_page

ROLLUP = "INSERT INTO interval_rollups VALUES (?, ?, 20, 5, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)"


def _held(db) -> None:
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (partner_id, name) VALUES (1, 'Acme')")
        con.execute("INSERT INTO queues (queue_id, name, partner_id) VALUES (1, 'Sales', NULL), (2, 'acme-1', 1), "
                    "(3, 'Billing', NULL)")
        for queue, start in ((1, "1999-01-05 10:00:00+00"), (2, "1999-01-20 10:00:00+00"),
                             (1, "2026-11-10 10:00:00+00"), (3, "2026-11-11 10:00:00+00"),
                             (2, "2026-11-17 10:00:00+00")):
            con.execute(ROLLUP, [queue, start, 10, 8])


def test_january_1999_is_offered_beside_this_years_weeks_and_a_year_picker_jumps_to_it(db):
    _held(db)
    at = open_page("app_pages/overview.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="year").options == ["2026", "1999"] and at.selectbox(key="year").value == "2026"
    assert at.selectbox(key="period").options == ["2026-W47", "2026-W46"]  # W47 is the last complete week
    at.selectbox(key="year").set_value("1999").run()
    assert at.selectbox(key="period").options == ["1999-W03", "1999-W01"]
    assert at.selectbox(key="period").value == "1999-W03" and at.query_params["period"] == "1999-W03"


def test_a_link_to_a_month_of_1999_opens_its_year(db):
    _held(db)
    at = open_page("app_pages/overview.py", period="1999-01")
    assert (at.selectbox(key="year").value, at.selectbox(key="period").value) == ("1999", "1999-01")
    assert at.selectbox(key="period").options == ["1999-01"]
    assert not at.info  # the link's period was found


def test_the_in_house_queues_are_shown_one_by_one(db):
    _held(db)
    at = open_page("app_pages/availability.py", period="2026-W46")
    table = next(d.value for d in at.dataframe if "queue" in d.value.columns)
    # W46 (9-15 Nov): Sales 10 offered (8 answered) on 10 Nov, Billing the same on 11 Nov; Acme's queue is not in-house.
    assert table["queue"].tolist() == ["Billing", "Sales"]
    assert (table["offered"].tolist(), table["answered"].tolist()) == ([10, 10], [8, 8])
