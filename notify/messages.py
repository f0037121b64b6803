"""What a message says: alerts, clearings, the daily digest and the scorecard mail, in words, with
the link to the view that shows the figure. Pure text: the channels turn it into mail or JSON."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from data import i18n
from data.i18n import N_, _, n_
from partners import periods
from reports import views

APP_URL_ENV = "OVERFLOW_APP_URL"
DEFAULT_APP_URL = "http://localhost:8501"


@dataclass(frozen=True)
class Attachment:
    partner_id: int
    filename: str
    content: bytes


@dataclass(frozen=True)
class Message:
    """One message for one recipient. partner_ids: every partner whose data it carries (a partner's
    own recipient may only ever get a message whose partner_ids are its partner alone)."""
    kind: str                          # alert | clearing | digest | scorecard
    subject: str
    body: str
    partner_ids: frozenset[int]
    link: str | None = None
    attachments: tuple[Attachment, ...] = ()
    alert_id: int | None = None
    severity: str | None = None
    language: str = field(default_factory=i18n.current)   # what it was written in (a webhook's own words follow)

    @property
    def files(self) -> str:
        return ", ".join(a.filename for a in self.attachments)


def app_url() -> str:
    """Where people open the app: OVERFLOW_APP_URL, else the address `make run` serves."""
    return (os.environ.get(APP_URL_ENV) or DEFAULT_APP_URL).rstrip("/")


def view_link(page: str, partner: str, period_label: str) -> str:
    """The page's address with the partner and period a copied link reopens (ui/filters.py reads them)."""
    return f"{app_url()}/{page}?{urlencode({'partner': partner, 'period': period_label})}"


def alert(row: dict[str, Any], kind: str, tz: str) -> Message:
    """The raise (kind 'alert') or the clearing of one alert; `row` is one of deliver.alert_rows. A
    clearing says the figure as it was when raised: the data no longer shows the breach. In the
    reader's language; the figure, value, threshold and period are the alert's stored text (written in
    the installation's language when it was raised, notify/evaluate.py)."""
    cleared = kind == "clearing"
    headline = _("Cleared") if cleared else _(SEVERITIES.get(row["severity"], row["severity"])).upper()
    severity = _(SEVERITIES.get(row["severity"], row["severity"]))
    subject = f"[{headline}] {row['partner']}: {row['rule']} ({row['period']})"
    lines = [
        (_("The alert has cleared: {rule} (severity {severity})") if cleared
         else _("Alert raised: {rule} (severity {severity})")).format(rule=row["rule"], severity=severity),
        _("Partner: {partner}").format(partner=row["partner"]),
        (_("Figure when raised: {figure}: {value}") if cleared
         else _("Figure: {figure}: {value}")).format(figure=row["figure"], value=row["value"]),
        _("Threshold: {threshold}").format(threshold=row["threshold"]),
        _("Period: {period}").format(period=row["period"]),
        _("View: {link}").format(link=row["link"]),
        "",
        _("Raised {moment} by {actor}; alert {id}. Times in {zone}.").format(
            moment=_when(row["raised_at"]), actor=row["raised_by"], id=row["alert_id"], zone=tz),
    ]
    if cleared and row["cleared_at"] is not None:
        lines.append(_("Cleared {moment} by {actor}.").format(moment=_when(row["cleared_at"]), actor=row["cleared_by"]))
    elif not cleared:
        lines.append(_("It stays open until it clears or someone acknowledges it (python -m cli alerts ack {id}, or "
                       "the Alerts page).").format(id=row["alert_id"]))
    return Message(kind, subject, "\n".join(lines), frozenset({int(row["partner_id"])}), row["link"],
                   alert_id=int(row["alert_id"]), severity=row["severity"])


# The severities of alert rules (notify/rules.py), as a reader reads them.
SEVERITIES = {"info": N_("info"), "warning": N_("warning"), "critical": N_("critical")}


def _when(moment: Any) -> str:
    return f"{periods.day_text(moment.date())} {i18n.clock(moment)}" if moment is not None else views.MISSING


def digest(rows: list[dict[str, Any]], day_label: str, tz: str) -> Message:
    """One message with every alert still open or acknowledged, most severe first."""
    subject = n_("Overflow SLA: {count} open alert on {day}", "Overflow SLA: {count} open alerts on {day}",
                 len(rows)).format(count=i18n.number(len(rows)), day=day_label)
    if not rows:
        body = _("No alert is open on {day}.").format(day=day_label)
    else:
        states = {"open": _("open"), "acknowledged": _("acknowledged"), "cleared": _("cleared")}
        body = "\n".join(
            [_("Open alerts on {day} (times in {zone}):").format(day=day_label, zone=tz), ""]
            + [f"- [{_(SEVERITIES.get(r['severity'], r['severity']))}] {r['partner']}: {r['rule']}: {r['figure']} "
               f"{r['value']}; {r['threshold']}; {r['period']}; {states.get(r['state'], r['state'])}; {r['link']}"
               for r in rows])
    return Message("digest", subject, body, frozenset(int(r["partner_id"]) for r in rows))


def scorecards(period: periods.Period, names: dict[int, str], attachments: tuple[Attachment, ...]) -> Message:
    """The weekly (or monthly) scorecard mail: one file per partner and format asked for."""
    partners = sorted({names[a.partner_id] for a in attachments})
    subject = _("Overflow SLA scorecard {period}: {partners}").format(period=period.label, partners=", ".join(partners))
    body = "\n".join([
        n_("The scorecard for {period} is attached:", "The scorecards for {period} are attached:",
           len(partners)).format(period=period.named),
        "", *(f"- {a.filename}" for a in attachments), "",
        *(f"{name}: {view_link('scorecard', name, period.label)}" for name in partners),
    ])
    return Message("scorecard", subject, body, frozenset(a.partner_id for a in attachments), attachments=attachments)
