"""Every text and number box says by example what goes in it (issue 16): made through ui/inputs, and
on every page (and the meeting page's edit form) its placeholder reads "e.g. ..."."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import PAGES, demo, open_page  # noqa: F401  (demo is a fixture)
from tests.app.test_partner_isolation import _protos
from tests.conftest import ROOT

BOXES = ("TextInput", "NumberInput", "TextArea")


def boxes_without_example(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [f"{p.DESCRIPTOR.name} {p.label!r}: placeholder {p.placeholder!r}" for p in _protos(at._tree)
            if p.DESCRIPTOR.name in BOXES and not p.placeholder.startswith("e.g. ")]


def boxes(at: AppTest) -> int:
    return sum(p.DESCRIPTOR.name in BOXES for p in _protos(at._tree))


@pytest.mark.parametrize("page", [*PAGES, "app_pages/access.py"])
def test_every_box_on_a_page_has_an_example(demo, page):
    at = open_page(page, partner="FlexiCall", period="2026-W47")
    assert boxes_without_example(at) == []


def test_the_agreement_form_says_a_target_by_example(demo):
    at = open_page("app_pages/agreements.py", partner="FlexiCall", period="2026-W47")
    found = {p.label: p.placeholder for p in _protos(at._tree) if p.DESCRIPTOR.name == "NumberInput"}
    assert found["Service-level target (%)"] == "e.g. 80"
    assert {p.label: p.placeholder for p in _protos(at._tree) if p.DESCRIPTOR.name == "TextInput"}[
        "Name (as the call-leg files write it)"] == "e.g. FlexiCall"


def test_no_module_makes_a_box_past_the_helper():
    calls = re.compile(r"\.(text_input|number_input|text_area)\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for folder in ("ui", "app_pages") for path in (ROOT / folder).rglob("*.py")
             if path.name != "inputs.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if calls.search(line)]
    assert found == []
