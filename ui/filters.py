"""The shared sidebar: partner and period pickers synced to the URL, and the choice they make.

app.py draws the sidebar once per run, before the page; the page reads the choice with `chosen()`
and the Source the sidebar used with `source.current()`.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data import clock
from data.errors import UserError
from data.i18n import N_, _
from partners import periods
from partners.access import Scope
from reports import views
from ui import language, loaders, signin
from ui.source import Source


# The grains a period is picked by (the URL and widget keep the value; the reader sees the word).
GRAINS = {"week": N_("week"), "month": N_("month")}


@dataclass(frozen=True)
class Filters:
    """The partner and period the sidebar chose (no partner while there are none yet)."""

    partner_id: int | None
    partner: str | None
    period: periods.Period


def _seed(key: str, wanted: str | None, options: list[str]) -> bool:
    """Give a widget its value from the URL on a session's first run, or when it is no longer valid.

    Returns False when, on the session's first run, the link asked for a value that is not among
    the options and was replaced (later runs replace only what the viewer's own clicks made stale).
    """
    first = key not in st.session_state
    if st.session_state.get(key) in options:
        return True
    st.session_state[key] = wanted if wanted in options else (options[0] if options else None)
    return not first or wanted is None or wanted in options


def _replaced(what: str, wanted: str, shown: str | None, scope: Scope) -> None:
    """One line when a link's partner or period could not be shown, naming what is shown instead.

    A partner's own user is not told the name back: 'not found' for another partner's name would
    still print it on their page.
    """
    if what == "partner" and scope.is_partner:
        said = _("The link's partner not found: showing {shown}.") if shown else _("The link's partner not found.")
    elif what == "partner":
        said = _("Partner '{asked}' not found: showing {shown}.") if shown else _("Partner '{asked}' not found.")
    else:
        said = _("Period '{asked}' not found: showing {shown}.") if shown else _("Period '{asked}' not found.")
    st.info(said.format(asked=views.plain(wanted), shown=views.plain(shown) if shown else ""), icon=":material/link_off:")


def sidebar(src: Source, *, uses_period: bool = True) -> None:
    """The shared sidebar: partner and period pickers and the reporting time zone.

    The URL's query parameters seed the pickers on the first run and mirror them afterwards, so a
    copied link reopens the same partner and period (the page is in the URL path). On a page that
    does not use the period (it picks its own, or shows none) the period picker is drawn disabled,
    with a line saying so, so it keeps its value for the next page and nobody thinks it applies.
    """
    signin.sidebar_identity(src.scope)
    with st.sidebar:
        language.picker(src)
    names = loaders.partner_names(src)
    params = st.query_params
    link_partner, link_period = params.get("partner"), params.get("period")
    with st.sidebar:
        partner_found = _seed("partner", link_partner, list(names))
        partner = st.selectbox(_("Partner"), list(names), key="partner", placeholder=_("no partners yet"))
        wanted = link_period
        grain = periods.parse(wanted).grain if _parses(wanted) else "week"
        if "grain" not in st.session_state:
            st.session_state["grain"] = grain
        grain = st.segmented_control(_("Period"), list(GRAINS), key="grain", disabled=not uses_period,
                                     format_func=lambda g: _(GRAINS[g])) or "week"
        every = loaders.period_choices(src, grain, clock.today(src.tz))
        if _parses(wanted) and wanted not in every and periods.parse(wanted).grain == grain:
            every = [wanted, *every]
        options = _year_of_periods(every, wanted, disabled=not uses_period)
        period_found = _seed("period", wanted, options)
        label = st.selectbox(_("Period"), options, key="period", label_visibility="collapsed", disabled=not uses_period)
        if not uses_period:
            st.caption(_("This page does not use the period above."))
        st.caption(_("Reporting time zone: **{zone}**").format(zone=src.tz))
    if not partner_found:
        _replaced("partner", link_partner, partner, src.scope)
    if not period_found:
        _replaced("period", link_period, label, src.scope)
    params["period"] = label
    if partner is None:
        params.pop("partner", None)
    else:
        params["partner"] = partner
    st.session_state["_source"] = src
    st.session_state["_filters"] = Filters(names.get(partner), partner, periods.parse(label))


def _year_of_periods(every: list[str], wanted: str | None, *, disabled: bool) -> list[str]:
    """A year picker over the periods holding data (a fast way to jump years: a week list of ten
    years is 500 entries) and the periods of the year it picked, newest first. A link's period
    seeds the year; the first run without one shows the newest period's year."""
    years = list(dict.fromkeys(label[:4] for label in every))
    if len(years) < 2:
        return every
    _seed("year", wanted[:4] if wanted in every else None, years)
    year = st.selectbox(_("Year"), years, key="year", disabled=disabled)
    return [label for label in every if label.startswith(year)]


def _parses(label: str | None) -> bool:
    if not label:
        return False
    try:
        periods.parse(label)
    except UserError:
        return False
    return True


def chosen() -> Filters:
    """The partner and period the sidebar chose on this run."""
    return st.session_state["_filters"]
