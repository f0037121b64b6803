"""Text and number boxes that say by example what goes in them (issue 16).

Every text, text-area and number input of the app is made here, with an example shown as its
placeholder ("e.g. 80" for a service-level target, "e.g. FlexiCall" for a partner's name): an empty
box says what it wants without a real value that a user might save by mistake. A test holds that no
page or widget module calls Streamlit's inputs past these helpers.
"""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.i18n import _

# Examples of agreement targets as the form enters them (a % target in percent), by field.
AGREEMENT_EXAMPLES = {
    "sl_target": "80", "sl_threshold_s": "20", "short_abandon_s": "5", "abandon_rate_max": "5",
    "asa_max_s": "30", "share_min": "10", "share_target": "13", "share_max": "16", "qa_min": "80",
    "fcr_min": "75", "fcr_days": "7", "transfer_back_max": "8", "csat_min": "80", "nps_min": "20",
    "forecast_tolerance": "10", "amber_tolerance": "5", "staffed_floor": "90", "turned_away_max": "2",
    "overflow_after_s": "60", "calls_week_min": "2000", "calls_month_min": "8000",
    "agent_hours_week_min": "300", "agent_hours_month_min": "1200", "credit_month_cap": "5000",
    "critical_error_max": "2", "qa_min_n": "10", "critical_error_min_n": "10", "fcr_min_n": "30",
    "transfer_back_min_n": "30", "csat_min_n": "20", "nps_min_n": "20",  # the min_n defaults (docs/metrics.md)
}


def example(text: str) -> str:
    """The placeholder of a box: its example, said as one."""
    return _("e.g. {example}").format(example=text)


def text(label: str, key: str, for_example: str, *, where: DeltaGenerator | None = None, **options: object) -> str:
    """A one-line text box (st.text_input) showing `for_example` until something is typed."""
    return (where or st).text_input(label, key=key, placeholder=example(for_example), **options)


def area(label: str, key: str, for_example: str, *, where: DeltaGenerator | None = None, **options: object) -> str:
    """A text area (st.text_area) showing `for_example` until something is typed."""
    return (where or st).text_area(label, key=key, placeholder=example(for_example), **options)


def number(label: str, key: str, for_example: str, *, where: DeltaGenerator | None = None,
           **options: object) -> float | int | None:
    """A number box (st.number_input) showing `for_example` while it is empty (value None)."""
    return (where or st).number_input(label, key=key, placeholder=example(for_example), **options)
