"""`python -m bench --calls 2000` writes a report with every figure and ratios that agree with
them. No timing is asserted: the benchmark measures, the test checks the report is whole."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CALLS = 2000


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--calls", str(CALLS), "--repeat", "1", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_each_step_reports_the_median_of_its_runs(report):
    steps = report["steps"]
    for name in ("floor", "import", "metrics_cli", "pandas_peer"):
        assert steps[name]["median_s"] == pytest.approx(statistics.median(steps[name]["runs_s"]), abs=1e-3)
    assert steps["import"]["legs_per_s"] == pytest.approx(CALLS / steps["import"]["median_s"], abs=1)  # whole legs


def test_the_import_loaded_every_generated_leg_and_pandas_read_them_all(report):
    summary = report["steps"]["import"]["summary"]
    assert (summary["read"], summary["imported"], summary["rejected"]) == (CALLS, CALLS, 0)
    assert report["steps"]["pandas_peer"]["totals"]["offered"] == CALLS


def test_pandas_and_cli_metrics_agree_on_the_weekly_partner_table(report):
    check = report["cross_check"]
    assert check["pandas"]["offered"] == CALLS
    assert check["agree"] is True, check


def test_every_page_was_rendered_and_the_headline_names_the_slowest(report):
    app = report["steps"]["app"]
    pages = {page["page"] for page in app["pages"]}
    assert {"app_pages/overview.py", "app_pages/data.py"} <= pages
    assert app["errors"] == []
    assert app["slowest_cold_s"] == max(page["cold_s"] for page in app["pages"])
    warm = [p["warm_median_s"] for p in app["pages"]] + [i["median_s"] for p in app["pages"] for i in p["interactions"]]
    assert app["slowest_warm_median_s"] == max(warm)
    assert app["slowest_first_s"] == max(page["first_s"] for page in app["pages"])
    assert app["slowest_repeat_s"] == max(page["warm_median_s"] for page in app["pages"])
    switched = {p["page"]: p["unseen_period"] for p in app["pages"] if p["unseen_period"]}
    assert "app_pages/scorecard.py" in switched and "app_pages/data.py" not in switched  # only pages using the period
    for switch in switched.values():  # three weeks nobody opened, each its own run; the figure is their median
        assert len(switch["runs_s"]) == len(switch["options"]) == len(set(switch["options"])) == 3
        assert switch["s"] == pytest.approx(statistics.median(switch["runs_s"]), abs=1e-3)
    partners = {p["page"]: p["unseen_partner"] for p in app["pages"] if p["unseen_partner"]}
    assert "app_pages/scorecard.py" in partners
    assert app["slowest_unseen_period_s"] == max(s["s"] for s in [*switched.values(), *partners.values()])
    assert app["warm_up_s"] > 0


def test_ratios_are_the_quotients_of_the_medians(report):
    steps, ratios = report["steps"], report["ratios"]
    assert ratios["import_over_floor"] == pytest.approx(steps["import"]["median_s"] / steps["floor"]["median_s"], rel=1e-2)
    assert ratios["pandas_over_metrics"] == pytest.approx(
        steps["pandas_peer"]["median_s"] / steps["metrics_cli"]["median_s"], rel=1e-2)
    assert ratios["import_over_floor_cpu"] == pytest.approx(
        steps["import"]["median_cpu_s"] / steps["floor"]["median_cpu_s"], rel=1e-2)


def test_each_budget_is_judged_against_its_figure(report):
    budgets = {b["budget"]: b for b in report["budgets"]}
    assert len(budgets) == 7
    assert budgets["import time / floor time"]["value"] == report["ratios"]["import_over_floor"]
    assert budgets["app process peak RSS"]["value"] == report["steps"]["app"]["peak_rss_mb"]
    for budget in budgets.values():
        expected = (budget["value"] >= budget["limit"]) if budget["budget"].startswith("pandas") else (budget["value"] <= budget["limit"])
        assert budget["met"] is expected


CHUNK = 700


@pytest.fixture(scope="module")
def chunked(tmp_path_factory) -> dict:
    """The chunked build (`--chunk`, how 100M legs are built in 24 GB) at a small N."""
    out = tmp_path_factory.mktemp("bench") / "chunked.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--calls", str(CALLS), "--chunk", str(CHUNK), "--repeat", "1",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return {**json.loads(out.read_text(encoding="utf-8")), "stderr": done.stderr}


def test_a_chunked_build_says_how_long_each_chunk_took(chunked):
    seconds = [c["seconds"] for c in chunked["steps"]["import"]["summary"]["chunks"]]
    for number, legs in ((1, 700), (2, 700), (3, 600)):
        assert f"chunk {number} of 3: {legs} legs imported in " in chunked["stderr"]
        assert f"  chunk {number:<6} {seconds[number - 1]:>9.3f} s" in chunked["stderr"]  # and again in the summary


def test_a_chunked_build_imports_every_chunk_into_one_database(chunked):
    summary = chunked["steps"]["import"]["summary"]
    assert [c["imported"] for c in summary["chunks"]] == [700, 700, 600]
    assert (summary["read"], summary["imported"], summary["duplicates"], summary["rejected"]) == (CALLS, CALLS, 0, 0)
    assert len(chunked["generate"]["files"]) == 3
    assert chunked["steps"]["import"]["runs_s"][0] == pytest.approx(sum(c["seconds"] for c in summary["chunks"]), abs=1e-2)
    check = chunked["cross_check"]  # pandas adds up the chunks' weekly sums; cli metrics reads the one database
    assert check["pandas"]["offered"] == CALLS and check["agree"] is True, check
    assert chunked["steps"]["app"]["errors"] == []
