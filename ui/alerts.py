"""The alerting screens: open alerts first on the Overview, the Alerts page (alerts, acknowledging,
rules) and the Subscriptions page (subscriptions, the delivery log), admins only for the last two.

Reads go through notify with the viewer's partner scope, so a partner's user sees only its own
alerts. Every write runs through the same notify function as the CLI, in a button's callback, and
leaves its outcome in the session to be said once (as ui/forms.py does).
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from data import i18n, store
from data.errors import UserError
from data.i18n import N_, _, n_
from data.store import Connection
from metrics.definitions import metric
from notify import deliver, evaluate, rules, subscriptions
from partners import access
from reports import views
from ui import columns, forms, inputs, render
from ui.source import Source, cached, callback

OUTCOME = "alerts_outcome"
SHOWN = ["severity", "partner", "rule", "figure", "value", "threshold", "period", "state", "raised_at", "link"]


def link_columns(frame: pd.DataFrame) -> dict[str, object]:
    """The alert tables' columns: labelled as every table's (ui/columns.py), the view as a link."""
    return {**columns.config(frame),
            "link": st.column_config.LinkColumn(_("View"), display_text=_("open the view")),
            "raised_at": st.column_config.DatetimeColumn(_("Raised"), format="YYYY-MM-DD HH:mm")}


# The rule and subscription choices as the reader reads them (the values stay the stored ones).
SEVERITIES = {"info": N_("info"), "warning": N_("warning"), "critical": N_("critical")}


@cached
def open_alerts(src: Source) -> pd.DataFrame:
    """Open and acknowledged alerts in the viewer's scope, most severe and newest first."""
    with store.reading(src.db) as con:
        return deliver.alerts_table(con, src.tz, partner_ids=src.scope.partner_ids)


def open_alerts_first(src: Source) -> None:
    """The Overview's first block: the alerts still open, or nothing at all when none is."""
    frame = open_alerts(src)
    if frame.empty:
        return
    st.subheader(_("Open alerts ({count})").format(count=i18n.number(len(frame))))
    render.dataframe(columns.shown(frame[SHOWN]), "open_alerts", column_config=link_columns(frame[SHOWN]))
    st.caption(_("Times in {zone}. An alert stays until the data no longer shows it or someone acknowledges it.")
               .format(zone=src.tz) if src.scope.is_partner else
               _("Times in {zone}. An alert stays until the data no longer shows it or someone acknowledges it "
                 "(Alerts page, or python -m cli alerts ack ID).").format(zone=src.tz))


# --- the Alerts page ------------------------------------------------------------------------------


def alerts_section(src: Source) -> None:
    """Every open alert with the acknowledge picker, and a button that judges the rules now."""
    frame = open_alerts(src)
    if frame.empty:
        st.info(_("No alert is open."), icon=":material/check_circle:")
    else:
        shown = frame[["alert_id", *SHOWN, "raised_by", "acknowledged_by"]]
        render.dataframe(columns.shown(shown), "alerts", column_config=link_columns(shown))
        st.caption(_("Times in {zone}.").format(zone=src.tz))
    choices = frame.loc[frame["state"] == "open", "alert_id"].tolist()
    labels = dict(zip(frame["alert_id"], frame["partner"] + ": " + frame["rule"] + " (" + frame["period"] + ")"))
    left, right = st.columns(2)
    left.selectbox(_("Alert"), choices, index=None, key="ack_alert", format_func=lambda a: f"{a}: {labels[a]}",
                   placeholder=_("choose an open alert to acknowledge"))
    left.button(_("Acknowledge"), key="ack_submit", on_click=_acknowledge, args=(src,), disabled=not choices)
    right.button(_("Check the rules now"), key="alerts_check", on_click=_check, args=(src,),
                 help=_("What python -m cli alerts check does: judge every rule and send what is not sent yet."))


@callback
def _acknowledge(src: Source) -> None:
    alert_id = st.session_state.get("ack_alert")
    if alert_id is None:
        st.session_state[OUTCOME] = ("error", _("Choose the alert to acknowledge first."))
        return

    def write(con: Connection) -> str:
        evaluate.acknowledge(con, int(alert_id), actor=src.scope.email, partner_ids=src.scope.partner_ids)
        return _("Acknowledged alert {id}.").format(id=alert_id)

    _change(src, write)


@callback
def _check(src: Source) -> None:
    try:
        line = deliver.check(src.db, src.scope.email).line()
        st.session_state[OUTCOME] = ("success", views.plain(line[:1].upper() + line[1:]) + ".")
    except UserError as error:
        st.session_state[OUTCOME] = ("error", str(error))


def _change(src: Source, write: Callable[[Connection], str]) -> None:
    """One change in its own transaction; its outcome kept to be said once."""
    try:
        with store.writing(src.db) as con:
            said = write(con)
    except UserError as error:
        st.session_state[OUTCOME] = ("error", str(error))
        return
    st.session_state[OUTCOME] = ("success", said)


def outcome() -> None:
    forms.outcome(OUTCOME)


def table_or_empty(key: str, frame: pd.DataFrame, empty: str) -> None:
    """An admin's table read afresh, or one line saying why there is none."""
    if frame.empty:
        st.info(empty, icon=":material/info:")  # translated by the page
    else:
        render.plain_table(key, frame)


@cached
def rules_table(src: Source) -> pd.DataFrame:
    """The rules in force (cached by the data version, which every saved rule changes)."""
    with store.reading(src.db) as con:
        found = rules.in_force(con)
    return pd.DataFrame([(r.name, r.whom, r.condition, r.severity) for r in found],
                        columns=["rule", "partner", "condition", "severity"])


def rule_form(src: Source, partners: list[str]) -> None:
    """Add a rule: the same checks and audit line as python -m cli alerts add."""
    with st.form("rule_form", clear_on_submit=True):
        inputs.text(_("Name"), "rule_name", _("Evening service level"))
        st.selectbox(_("Kind"), list(rules.KINDS), key="rule_kind", format_func=lambda k: _(rules.KINDS[k]))
        st.selectbox(_("Partner"), partners, index=None, key="rule_partner", placeholder=_("every partner"))
        inputs.text(_("Threshold"), "rule_threshold", _("80% (a share), or 2 (hours, no legs)"),
                    help=_("A share for service level and abandon rate (80% or 0.8); hours for 'no legs'."))
        inputs.number(_("Consecutive intervals (service level)"), "rule_intervals", "4", min_value=1, max_value=96,
                      value=rules.DEFAULT_INTERVALS)
        st.selectbox(_("Figure (red for the week)"), rules.FIGURES, key="rule_metric",
                     format_func=lambda name: _(metric(name).label))
        st.selectbox(_("Severity"), rules.SEVERITIES, index=1, key="rule_severity",
                     format_func=lambda level: _(SEVERITIES.get(level, level)))
        st.form_submit_button(_("Add rule"), key="rule_submit", on_click=_add_rule, args=(src,))


@callback
def _add_rule(src: Source) -> None:
    state = st.session_state

    def write(con: Connection) -> str:
        rule = rules.add(con, state["rule_name"], state["rule_kind"], partner=state["rule_partner"],
                         threshold=rules.parse_threshold(state["rule_threshold"]), intervals=state["rule_intervals"],
                         figure=state["rule_metric"], severity=state["rule_severity"], actor=src.scope.email)
        return _("Added rule {name}: {condition}, {whom}, {severity}.").format(
            name=repr(rule.name), condition=rule.condition, whom=rule.whom,
            severity=_(SEVERITIES.get(rule.severity, rule.severity)))

    _change(src, write)


def remove_rule_form(src: Source, names: list[str]) -> None:
    st.selectbox(_("Rule"), names, index=None, key="rule_remove", placeholder=_("choose a rule to remove"))
    st.button(_("Remove rule"), key="rule_remove_submit", on_click=_remove_rule, args=(src,), disabled=not names)


@callback
def _remove_rule(src: Source) -> None:
    name = st.session_state.get("rule_remove")
    if name is None:
        st.session_state[OUTCOME] = ("error", _("Choose the rule to remove first."))
        return

    def write(con: Connection) -> str:
        rules.remove(con, name, actor=src.scope.email)
        return _("Removed rule {name}; its open alerts are cleared.").format(name=repr(name))

    _change(src, write)
    kind, said = st.session_state[OUTCOME]
    if kind == "success":   # the clearings go out now, as after python -m cli alerts remove
        report = deliver.send_alerts(src.db)
        st.session_state[OUTCOME] = (kind, _("{said} {sent} sent, {failed} failed.").format(
            said=said, sent=n_("{n} message", "{n} messages", report.sent).format(n=i18n.number(report.sent)),
            failed=i18n.number(len(report.failed))))


# --- the Subscriptions page -----------------------------------------------------------------------


@cached
def subscriptions_table(src: Source) -> pd.DataFrame:
    """Every subscription; this and the reads below are cached by the data version (every write
    changes it), so a rerun of the page reads nothing."""
    with store.reading(src.db) as con:
        return subscriptions.table(con, src.tz)


@cached
def delivery_log(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return deliver.delivery_log(con, src.tz)


@cached
def partner_names(src: Source) -> list[str]:
    with store.reading(src.db) as con:
        return access.partner_names(con)


def subscription_form(src: Source, partners: list[str]) -> None:
    """Subscribe an address: the same checks and audit line as python -m cli subscriptions add."""
    with st.form("subscription_form", clear_on_submit=True):
        inputs.text(_("E-mail address, or a Teams/Slack webhook URL (alerts and digest only)"), "sub_address",
                    "lead@centre.example")
        st.selectbox(_("What"), subscriptions.WHATS, key="sub_what", format_func=lambda what: _(WORDS.get(what, what)))
        st.selectbox(_("Partner"), partners, index=None, key="sub_partner", placeholder=_("every partner"))
        st.selectbox(_("Format (scorecards)"), subscriptions.FORMATS, index=2, key="sub_format",
                     format_func=lambda fmt: _(WORDS.get(fmt, fmt)))
        st.selectbox(_("Audience"), subscriptions.AUDIENCES, key="sub_audience",
                     format_func=lambda audience: _(WORDS.get(audience, audience)),
                     help=_("partner: the partner's own people, who only ever get its own files and alerts "
                            "(an address with a partner user's grant always is one)."))
        st.selectbox(_("Language"), list(i18n.LANGUAGES), index=None, key="sub_language",
                     format_func=lambda code: i18n.LANGUAGES[code], placeholder=_("the installation's language"),
                     help=_("The language of the messages and files this address gets."))
        st.form_submit_button(_("Subscribe"), key="sub_submit", on_click=_subscribe, args=(src,))


# A subscription's choices as the reader reads them.
WORDS = {"scorecard": N_("scorecards"), "alerts": N_("alerts"), "digest": N_("digest"), "pdf": N_("PDF"),
         "xlsx": N_("Excel"), "both": N_("PDF and Excel"), "centre": N_("centre"), "partner": N_("partner")}


@callback
def _subscribe(src: Source) -> None:
    state = st.session_state

    def write(con: Connection) -> str:
        added = subscriptions.add(con, state["sub_address"], what=state["sub_what"], partner=state["sub_partner"],
                                  fmt=state["sub_format"], audience=state["sub_audience"],
                                  language=state.get("sub_language"), actor=src.scope.email)
        return _("Subscribed {what}.").format(what=added.describe)

    _change(src, write)


def unsubscribe_form(src: Source, addresses: list[str]) -> None:
    st.selectbox(_("Address"), addresses, index=None, key="unsub_address", placeholder=_("choose an address"))
    st.button(_("Remove its subscriptions"), key="unsub_submit", on_click=_unsubscribe, args=(src,),
              disabled=not addresses)


@callback
def _unsubscribe(src: Source) -> None:
    address = st.session_state.get("unsub_address")
    if address is None:
        st.session_state[OUTCOME] = ("error", _("Choose the address first."))
        return

    def write(con: Connection) -> str:
        gone = subscriptions.remove(con, address, actor=src.scope.email)
        return n_("Removed {n} subscription of {address}.", "Removed {n} subscriptions of {address}.",
                  len(gone)).format(n=i18n.number(len(gone)), address=address)

    _change(src, write)
