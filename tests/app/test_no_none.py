"""Python's None never reaches people: every page on the demo database, its text, its widgets and
its table cells. A table shows a missing cell as views.MISSING ("–", the no-data mark) through
Streamlit's placeholder, which otherwise writes "None"; a CSV keeps the cell empty."""
from __future__ import annotations

import re

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from reports import views
from tests.app.test_pages import PAGES, demo, open_page  # noqa: F401  (demo is a fixture)
from tests.app.test_partner_isolation import _arrow_tables, _protos

NONE = re.compile(r"\bNone\b")


def shown_none(at: AppTest) -> list[str]:
    """Where a page shows None: in a text or widget, a table cell holding the text, or a table
    whose missing cells Streamlit would write as "None"."""
    assert not at.exception, [e.value for e in at.exception]
    found = []
    for proto in _protos(at._tree):
        if proto.DESCRIPTOR.name != "Dataframe":
            found += [f"{proto.DESCRIPTOR.name}: {m.group(0)}" for m in re.finditer(r".{0,60}\bNone\b.{0,20}", str(proto))]
            continue
        tables = list(_arrow_tables(proto))
        if proto.placeholder != views.MISSING and any(t.column(c).null_count for t in tables for c in t.column_names):
            found.append(f"a table with missing cells and placeholder {proto.placeholder!r}")
        for table in tables:
            for column in table.column_names:
                if pa.types.is_string(table.schema.field(column).type) or pa.types.is_large_string(table.schema.field(column).type):
                    found += [f"cell {column}: {v}" for v in table.column(column).to_pylist() if v and NONE.search(v)]
    return found


@pytest.mark.parametrize("page", [*PAGES, "app_pages/access.py"])
def test_no_page_shows_none(demo, page):
    at = open_page(page, partner="FlexiCall", period="2026-W47")
    assert shown_none(at) == []


def test_a_held_meeting_shows_no_none(demo):
    at = open_page("app_pages/meetings.py", partner="FlexiCall")
    held = at.selectbox(key="meeting").options[1:]
    assert held, "the demo holds no meeting for FlexiCall"
    at.selectbox(key="meeting").select_index(1).run()
    assert shown_none(at) == []


def test_the_missing_mark_is_the_no_data_status_mark():
    assert views.display(None, "fraction") == "no data"
    assert views.or_missing(None) == views.or_missing(float("nan")) == views.or_missing(" ") == views.MISSING
    assert views.or_missing(0) == 0 and views.or_missing("Anna") == "Anna"
