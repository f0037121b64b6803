"""What the pages hand the browser for their charts (the Vega-Lite specs), on the demo data."""
from __future__ import annotations

import json

import pyarrow as pa

from tests.app.test_pages import demo, open_page  # noqa: F401  (fixture)


def specs(at) -> list[dict]:
    """Each chart's spec with its datasets put back (Streamlit sends them beside the spec, as Arrow)."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["datasets"] = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets}
        out.append(spec)
    return out


def title(spec: dict) -> str:
    return spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]


def test_availability_draws_one_full_width_interval_chart_per_partner(demo):
    at = open_page("app_pages/availability.py", partner="FlexiCall", period="2026-W47")
    assert not at.exception, at.exception
    drawn = specs(at)
    intervals = [s for s in drawn if s.get("encoding", {}).get("shape", {}).get("field") == "status"]
    # The demo's three partners by name; each chart spans the whole week, Mon 16 to Mon 23 Nov.
    assert [title(s) for s in intervals] == ["FlexiCall", "Nordic Reliable", "QuickServe"]
    assert {json.dumps(s["encoding"]["x"]["scale"]["domain"], sort_keys=True) for s in intervals} == {
        json.dumps([{"year": 2026, "month": 11, "date": 16}, {"year": 2026, "month": 11, "date": 23}], sort_keys=True)}
    # Width from the page, height as drawn: titles and legends are not squeezed into the height.
    assert all(s["autosize"] == {"type": "fit-x", "contains": "padding"} for s in drawn)


def test_scorecard_trends_are_labelled_by_iso_week_and_axes_carry_units(demo):
    at = open_page("app_pages/scorecard.py", partner="FlexiCall", period="2026-W47")
    assert not at.exception, at.exception
    drawn = {title(s): s for s in specs(at)}
    asa = drawn["ASA (dashed: target)"]
    line = asa["layer"][0]
    assert line["encoding"]["y"]["title"] == "ASA (s)"
    weeks = [row["week"] for row in asa["datasets"][asa["data"]["name"]]]
    # The 13 weeks up to 2026-W47: W35 (Monday 24 Aug, the CSV's first period_start) to W47.
    assert weeks == [f"2026-W{n}" for n in range(35, 48)]
    assert "Legs sent against forecast" in drawn
    heatmap = drawn["Service level by weekday and hour"]
    assert heatmap["layer"][0]["encoding"]["color"]["legend"]["format"] == ".0%"
