"""Every table's CSV download keeps machine names and plain numbers (README: "Tables and their CSV
downloads"): a spreadsheet built on an export keeps working when a label is reworded. The
Availability summary once gave display labels and cells like `62.8 % [✖ missed]`."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from metrics.definitions import METRICS
from tests.app.test_pages import PAGES, demo, open_page  # noqa: F401  (demo is a fixture)
from tests.app.test_partner_isolation import downloads, file_bytes  # noqa: F401  (downloads is a fixture)

MACHINE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIGURES = {m.name for m in METRICS}


def csvs(found: list) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(io.BytesIO(file_bytes(data)), encoding="utf-8-sig")
            for name, data in found if str(name).endswith(".csv")}


@pytest.mark.parametrize("page", PAGES)
def test_every_csv_has_machine_names_and_plain_numbers(demo, downloads, page):  # noqa: F811
    open_page(page, partner="FlexiCall", period="2026-W47")
    tables = csvs(downloads)
    assert tables, f"{page} offers no CSV"
    for name, table in tables.items():
        assert [c for c in table.columns if not MACHINE_NAME.match(c)] == [], name
        numbers = [c for c in table.columns if c in FIGURES or c.endswith("_n") or c.startswith("intervals_")]
        assert [c for c in numbers if not pd.api.types.is_numeric_dtype(table[c])] == [], name


def test_the_availability_summary_csv_is_figures_statuses_and_interval_counts(demo, downloads):  # noqa: F811
    open_page("app_pages/availability.py", period="2026-W47")
    summary = csvs(downloads)["availability_summary_2026-W47.csv"]  # named by table and period
    assert list(summary.columns) == [
        "partner", "intervals_met", "intervals_missed", "service_level", "service_level_status",
        "interval_sl_attainment", "interval_sl_attainment_status", "p90_wait_s", "p90_wait_s_status",
        "staffed_vs_contracted", "staffed_vs_contracted_status"]
    assert summary["partner"].iloc[-1] == "in-house"
    assert summary["service_level"].between(0, 1).all()
    partners, house = summary.iloc[:-1], summary.iloc[-1]
    assert (partners["intervals_met"] + partners["intervals_missed"] > 0).all()  # counts, not "1,204"
    assert pd.isna(house["intervals_met"]) and pd.isna(house["intervals_missed"])  # no interval target: empty


def test_a_csv_file_is_named_by_its_table_partner_and_period(demo, downloads):  # noqa: F811
    open_page("app_pages/scorecard.py", partner="FlexiCall", period="2026-W47")
    names = sorted(str(name) for name, _ in downloads if str(name).endswith(".csv"))
    assert "overview_2026-W47.csv" in names  # the Overview the app opens first: every partner, no name
    names = [name for name in names if not name.startswith("overview")]
    assert names and all(name.endswith("_FlexiCall_2026-W47.csv") for name in names), names
    downloads.clear()
    open_page("app_pages/availability.py", partner="FlexiCall", period="2026-W47")
    names = {str(name) for name, _ in downloads if str(name).endswith(".csv")}
    # The summary holds every partner: no partner in its name; each partner's interval chart names its own.
    assert {"availability_summary_2026-W47.csv", "intervals_1_Nordic-Reliable_2026-W47.csv"} <= names, names
