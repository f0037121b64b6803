"""The Overview's matrix as HTML: partners as rows, one cell per figure (value and status icon, the
status word, target and sample on hover), each partner's name a link to its scorecard for the same
period. st.dataframe can neither link a row nor give a cell its own hover text, and its 24 columns
scrolled sideways; this table fits 1000 px. Every text from data is HTML-escaped here.
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st

from data.i18n import _
from metrics.definitions import metric
from partners import periods
from reports import views


def status_class(status: str) -> str:
    """The CSS class of a status (assets/style.css gives each an AA-contrast colour)."""
    return "st-" + status.replace(" ", "-")


def scorecard_link(partner: str, period: periods.Period) -> str:
    """The scorecard page of `partner` for `period`: a link that reopens the same view."""
    return "scorecard?" + urlencode({"partner": partner, "period": period.label})


def show(rows: list[views.MatrixRow], names: tuple[str, ...], period: periods.Period, caption: str) -> None:
    """The matrix of `names` over `rows`, one HTML table."""
    head = "".join(f'<th scope="col" title="{html.escape(_(metric(n).label))}">{html.escape(_(views.SHORT[n]))}</th>'
                   for n in names)
    body = "".join(_row(row, period) for row in rows)
    st.html(f'<table class="ov-matrix"><caption>{html.escape(caption)}</caption>'
            f'<thead><tr><th scope="col">{html.escape(_("Partner"))}</th>{head}</tr></thead><tbody>{body}</tbody></table>')


def _row(row: views.MatrixRow, period: periods.Period) -> str:
    name = html.escape(row.partner)
    if row.partner_id is not None:
        name = f'<a href="{html.escape(scorecard_link(row.partner, period))}" target="_self">{name}</a>'
    cells = "".join(
        f'<td class="{status_class(c.status)}" title="{html.escape(c.detail)}">'
        f'<span class="ov-value">{html.escape(c.value)}</span> <span class="ov-icon" aria-label="'
        f'{html.escape(c.detail)}">{html.escape(c.icon)}</span></td>'
        for c in row.cells)
    return f'<tr><th scope="row">{name}</th>{cells}</tr>'


def misses(found: list[tuple[str, list[str]]]) -> None:
    """Per partner with a miss, one line per miss saying where it was lost."""
    if not found:
        st.success(_("No partner missed a target in this period."), icon=":material/check_circle:")
        return
    items = "".join(f"<li><strong>{html.escape(partner)}</strong>: {html.escape(line)}</li>"
                    for partner, lines in found for line in lines)
    st.html(f'<ul class="ov-misses">{items}</ul>')
