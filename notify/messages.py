"""What a message says: alerts, clearings, the daily digest and the scorecard mail, in words, with
the link to the view that shows the figure. Pure text: the channels turn it into mail or JSON."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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
    clearing says the figure as it was when raised: the data no longer shows the breach."""
    cleared = kind == "clearing"
    headline = "Cleared" if cleared else row["severity"].upper()
    subject = f"[{headline}] {row['partner']}: {row['rule']} ({row['period']})"
    lines = [
        f"{'The alert has cleared' if cleared else 'Alert raised'}: {row['rule']} (severity {row['severity']})",
        f"Partner: {row['partner']}",
        f"{'Figure when raised' if cleared else 'Figure'}: {row['figure']}: {row['value']}",
        f"Threshold: {row['threshold']}",
        f"Period: {row['period']}",
        f"View: {row['link']}",
        "",
        f"Raised {_when(row['raised_at'])} by {row['raised_by']}; alert {row['alert_id']}. Times in {tz}.",
    ]
    if cleared and row["cleared_at"] is not None:
        lines.append(f"Cleared {_when(row['cleared_at'])} by {row['cleared_by']}.")
    elif not cleared:
        lines.append("It stays open until it clears or someone acknowledges it "
                     f"(python -m cli alerts ack {row['alert_id']}, or the Alerts page).")
    return Message(kind, subject, "\n".join(lines), frozenset({int(row["partner_id"])}), row["link"],
                   alert_id=int(row["alert_id"]), severity=row["severity"])


def _when(moment: Any) -> str:
    return f"{periods.day_text(moment.date())} {moment:%H:%M}" if moment is not None else views.MISSING


def digest(rows: list[dict[str, Any]], day_label: str, tz: str) -> Message:
    """One message with every alert still open or acknowledged, most severe first."""
    subject = f"Overflow SLA: {views.counted(len(rows), 'open alert')} on {day_label}"
    if not rows:
        body = f"No alert is open on {day_label}."
    else:
        body = "\n".join(
            [f"Open alerts on {day_label} (times in {tz}):", ""]
            + [f"- [{r['severity']}] {r['partner']}: {r['rule']}: {r['figure']} {r['value']}; {r['threshold']}; "
               f"{r['period']}; {r['state']}; {r['link']}" for r in rows])
    return Message("digest", subject, body, frozenset(int(r["partner_id"]) for r in rows))


def scorecards(period: periods.Period, names: dict[int, str], attachments: tuple[Attachment, ...]) -> Message:
    """The weekly (or monthly) scorecard mail: one file per partner and format asked for."""
    partners = sorted({names[a.partner_id] for a in attachments})
    subject = f"Overflow SLA scorecard {period.label}: {', '.join(partners)}"
    body = "\n".join([
        f"The scorecard{'s' if len(partners) > 1 else ''} for {period.named} {'are' if len(partners) > 1 else 'is'} attached:",
        "", *(f"- {a.filename}" for a in attachments), "",
        *(f"{name}: {view_link('scorecard', name, period.label)}" for name in partners),
    ])
    return Message("scorecard", subject, body, frozenset(a.partner_id for a in attachments), attachments=attachments)
