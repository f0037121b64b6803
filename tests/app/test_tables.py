"""What a person reads in the tables: labels, units and formats on screen, machine names and plain
numbers in the frame (and so in its CSV), and the agreement form's refusals in the form's words."""
from __future__ import annotations

import json
import re

import pytest

from tests.app.test_pages import demo, demo_copy, matrices, open_page, said  # noqa: F401  (fixtures)

AGREEMENTS = "app_pages/agreements.py"


def shown(at, index: int) -> dict[str, dict]:
    """The column config the browser gets for a table: machine name -> label, format, pinned."""
    config = json.loads(at.dataframe[index].proto.columns)
    return {name: {"label": c.get("label"), "format": (c.get("type_config") or {}).get("format"),
                   "pinned": c.get("pinned"), "help": c.get("help")} for name, c in config.items() if name != "_index"}


def test_the_overview_matrix_shows_units_short_headings_with_full_labels_and_one_status_per_cell(demo):
    at = open_page("app_pages/overview.py", period="2026-W47")
    body = next(h.proto.body for h in at.get("html") if "The partner&#x27;s side" in h.proto.body)
    assert '<th scope="col" title="Service level">SL</th>' in body and '<th scope="col" title="ASA">ASA</th>' in body
    flexicall = matrices(at)[0][0]
    assert flexicall["name"] == "FlexiCall"
    sl, asa, qa = flexicall["cells"][0], flexicall["cells"][2], flexicall["cells"][4]
    assert re.fullmatch(r"\d+\.\d % [✔▲✖◆]", sl["text"]) and re.fullmatch(r"\d+ s [✔▲✖◆·]", asa["text"])
    assert sl["title"].startswith("Service level (abandons-count): ") and "n = " not in sl["title"]
    assert re.search(r" · n = [1-9][\d,]* evaluations$", qa["title"])  # quality figures carry their sample


def test_the_agreements_table_is_in_percent_with_the_forms_labels_and_an_open_end_marked_missing(demo):
    at = open_page(AGREEMENTS, partner="FlexiCall", period="2026-W40")
    versions, config = at.dataframe[0].value, shown(at, 0)
    assert (config["sl_target"]["label"], config["sl_target"]["format"]) == ("Service-level target", "percent")
    assert (config["share_min"]["label"], config["share_min"]["format"]) == ("Volume share min", "percent")
    assert config["sl_threshold_s"]["label"] == "Threshold T (s)"
    assert config["valid_to"]["label"] == "Replaced on" and "– while this version is in force" in config["valid_to"]["help"]
    assert at.dataframe[0].proto.placeholder == "–"                    # the open end reads –, not None
    assert versions["sl_target"].iloc[0] == pytest.approx(0.8)          # the frame (and CSV) keeps the fraction
    assert versions["valid_to"].iloc[0] is None                        # the version in force: no end
    hours = shown(at, 1)
    assert hours["created_at"]["label"] == "Recorded" and hours["hours"]["label"] == "Open"
    assert "Times in Europe/Stockholm." in [c.value for c in at.caption]


@pytest.mark.parametrize(("entries", "message"), [
    ({"sl_target": 180.0}, "Service-level target must be between 0 and 100 %, not 180 %."),
    ({"share_min": 30.0, "share_target": 35.0, "share_max": 20.0},
     "Volume share target (35 %) must not be above Volume share max (20 %)."),
    ({"nps_min": 500.0}, "NPS min must be between -100 and 100, not 500."),
    ({"sl_threshold_s": -5}, "Threshold T (s) must not be negative, not -5."),
    ({"calls_week_min": -3}, "Minimum calls a week must not be negative, not -3."),
    ({"agent_hours_month_min": -1.5}, "Minimum agent-hours a month must not be negative, not -1.5."),
])
def test_the_agreement_form_refuses_in_its_own_labels_and_units(demo_copy, entries, message):
    at = open_page(AGREEMENTS, partner="Nordic Reliable", period="2026-W40")
    before = len(at.dataframe[0].value)
    for name, value in entries.items():
        at.number_input(key=f"agreement_{name}_1").set_value(value)
    at.button(key="agreement_add_1").click().run()
    assert not at.exception
    assert [said(e.value) for e in at.error] == [message]
    assert len(at.dataframe[0].value) == before


def test_the_agreement_form_saves_the_volume_minimums(demo_copy):
    at = open_page(AGREEMENTS, partner="FlexiCall", period="2026-W40")
    at.number_input(key="agreement_calls_week_min_2").set_value(150)
    at.number_input(key="agreement_agent_hours_month_min_2").set_value(320.5)
    at.button(key="agreement_add_2").click().run()
    assert not at.exception and not at.error
    latest = at.dataframe[0].value.iloc[0]
    assert (latest["calls_week_min"], latest["agent_hours_month_min"]) == (150, 320.5)
    assert shown(at, 0)["calls_week_min"]["label"] == "Minimum calls a week"


def test_quality_evaluations_and_data_tables_are_labelled(demo):
    at = open_page("app_pages/quality.py", partner="FlexiCall", period="2026-W47")
    config = shown(at, 0)
    assert {n: config[n]["label"] for n in ("evaluation_id", "evaluated_local", "is_calibration", "score")} == {
        "evaluation_id": "Evaluation", "evaluated_local": "Evaluated", "is_calibration": "Calibration", "score": "Score"}
    assert config["score"]["format"] == "percent"
    at = open_page("app_pages/data.py")
    freshness = shown(at, 1)
    assert (freshness["legs"]["label"], freshness["legs"]["format"]) == ("Call legs", "%,d")
    assert list(at.dataframe[1].value.columns) == ["queue", "owner", "legs", "first_interval", "last_interval"]
