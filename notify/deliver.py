"""Delivering: the alert outbox, the scorecard run, the daily digest, and the delivery log.

Messages are built from reads, claimed in `deliveries` as `sending` in one short transaction, sent
with no connection open (a slow or absent mail server never holds the database), and their outcomes
written over the claims in one short transaction afterwards. The alert outbox is every raise and clearing an alerts subscriber has
not been sent yet: a message that failed is tried again by the next evaluation (after the next
import, or `python -m cli alerts check`), up to MAX_RUNS evaluations, each of them with the
channel's own retries; every failed run is a row of the log saying why.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from data import clock, i18n, settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from notify import channels, evaluate, messages
from notify.channels import Recipient, Sent
from notify.messages import Message
from notify.sqlfiles import sql
from notify.subscriptions import Subscription, all_subscriptions, recipients
from partners import periods
from partners.access import scope_sql

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("overflow.notify")

MAX_RUNS = 5   # evaluations that try a failed alert message again
ALL_STATES = ("open", "acknowledged", "cleared")
OPEN_STATES = ("open", "acknowledged")


@dataclass(frozen=True)
class Delivery:
    recipient: Recipient
    message: Message
    sent: Sent


@dataclass(frozen=True)
class Report:
    deliveries: tuple[Delivery, ...] = ()

    @property
    def sent(self) -> int:
        return sum(d.sent.ok for d in self.deliveries)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if not d.sent.ok)

    def lines(self) -> list[str]:
        """One line per message: to whom, what, and whether the server took it."""
        sent, failed = _("sent"), _("FAILED")
        return [f"{sent if d.sent.ok else failed}\t{d.message.kind}\t{d.recipient.address}\t{d.message.subject}"
                + ("" if d.sent.ok else f"\t{d.sent.detail}") for d in self.deliveries]


# --- reading alerts -------------------------------------------------------------------------------


def alert_rows(con: Connection, tz: str, states: tuple[str, ...] = OPEN_STATES,
               partner_ids: tuple[int, ...] | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Alerts in `states`, most severe and newest first, in the partner scope (a partner user's own only)."""
    params: dict[str, Any] = {"tz": tz, "limit": limit}
    names = []
    for i, state in enumerate(states):
        params[f"state_{i}"] = state
        names.append(f"$state_{i}")
    text = sql("alert_rows").replace("{states}", ", ".join(names)).replace(
        "{scope}", scope_sql("a.partner_id", partner_ids, params))
    return store.execute(con, text, params, what=N_("read the alerts")).dicts()


def alerts_table(con: Connection, tz: str, states: tuple[str, ...] = OPEN_STATES,
                 partner_ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    rows = alert_rows(con, tz, states, partner_ids)
    columns = ["alert_id", "state", "severity", "partner", "rule", "figure", "value", "threshold", "period", "link",
               "raised_at", "raised_by", "acknowledged_at", "acknowledged_by", "cleared_at", "cleared_by"]
    import pandas as pd  # loaded by a page that shows the table, not by an import's alert evaluation

    return pd.DataFrame(rows, columns=[*columns, "partner_id"])[columns]


def delivery_log(con: Connection, tz: str, limit: int = 500) -> pd.DataFrame:
    return store.frame(con, sql("delivery_rows"), {"tz": tz, "limit": limit})


# --- writing the log ------------------------------------------------------------------------------


def _claim(con: Connection, planned: list[tuple[Recipient, Message]]) -> list[int]:
    """A `sending` row per message, inside the caller's transaction, before anything goes out: the
    claim that keeps a second run from sending it too, and the trace of a run that dies mid-way."""
    return [store.execute(
        con, "INSERT INTO deliveries (sent_at, kind, channel, address, partner_id, alert_id, subject, files, status, "
             "attempts) VALUES (now(), ?, ?, ?, ?, ?, ?, ?, 'sending', 0) RETURNING delivery_id",
        [m.kind, r.channel, r.address, next(iter(m.partner_ids)) if len(m.partner_ids) == 1 else None, m.alert_id,
         m.subject, m.files], what=N_("write the delivery log")).scalar() for r, m in planned]


def _send_claimed(db: str | None, planned: list[tuple[Recipient, Message]], claims: list[int]) -> Report:
    """Send each claimed message, then write every outcome over its claim in one transaction. Once a
    server failed a message through all its attempts, the run's other messages there are not tried
    (logged as failed, 0 attempts, for the next run to send): a mail server that is down or does not
    answer would otherwise hold the run, and the page that started it, for every message's tries."""
    if not planned:   # another run claimed them first
        return Report()
    done = []
    unreachable: dict[str, str] = {}
    for recipient, message in planned:
        where = "the mail server" if recipient.channel == "email" else recipient.address
        if where in unreachable:
            sent = Sent(False, 0, f"not tried: {where} failed an earlier message of this run ({unreachable[where]})")
        else:
            sent = channels.send(recipient, message)
            if not sent.ok and sent.attempts > 1:
                unreachable[where] = sent.reason
        done.append(Delivery(recipient, message, sent))
    with store.writing(db) as con:
        store.execute_many(con, "UPDATE deliveries SET sent_at = now(), status = ?, attempts = ?, detail = ? "
                                "WHERE delivery_id = ?",
                           [("sent" if d.sent.ok else "failed", d.sent.attempts, d.sent.detail, claim)
                            for d, claim in zip(done, claims)], what=N_("write the delivery log"))
    return Report(tuple(done))


def send_all(db: str | None, planned: list[tuple[Recipient, Message]]) -> Report:
    if not planned:
        return Report()
    with store.writing(db) as con:
        claims = _claim(con, planned)
    return _send_claimed(db, planned, claims)


def language_of(subs: list[Subscription], installation: str) -> str:
    """The language an address's messages are written in: the first it chose among its subscriptions,
    else the installation's `language` setting."""
    return next((s.language for s in subs if s.language), installation)


def recipient_of(address: str, subs: list[Subscription]) -> Recipient:
    """A partner recipient when any of its subscriptions says so (then all name that one partner)."""
    own = [s for s in subs if s.audience == "partner"]
    return Recipient(address, "partner", own[0].partner_id) if own else Recipient(address)


# --- alerts ---------------------------------------------------------------------------------------


def send_alerts(db: str | None) -> Report:
    """Send every raise and clearing not yet sent to each alerts subscriber (the outbox). The outbox is
    read again and claimed in one transaction, so two runs at once never send one message twice."""
    with store.reading(db) as con:
        if not store.execute(con, sql("pending_alert_messages"), {"max_runs": MAX_RUNS}).rows:
            return Report()
    with store.writing(db) as con:
        tz, installation = settings.get_all(con, "reporting_tz", "language")
        pending = store.execute(con, sql("pending_alert_messages"), {"max_runs": MAX_RUNS}).dicts()
        rows = {r["alert_id"]: r for r in alert_rows(con, tz, ALL_STATES, limit=1_000_000)}
        by_address = recipients([s for s in all_subscriptions(con) if s.what == "alerts"])
        planned = []
        for p in pending:
            if p["alert_id"] in rows:
                subs = by_address[p["address"]]
                with i18n.language(language_of(subs, installation)):
                    planned.append((recipient_of(p["address"], subs), messages.alert(rows[p["alert_id"]], p["kind"], tz)))
        claims = _claim(con, planned)
    return _send_claimed(db, planned, claims)


@dataclass(frozen=True)
class Checked:
    outcome: evaluate.Outcome
    report: Report

    def line(self) -> str:
        o, r = self.outcome, self.report
        text = _("alerts: {raised} raised, {cleared} cleared").format(raised=len(o.raised), cleared=len(o.cleared))
        if r.deliveries:
            text += "; " + _("{sent} message(s) sent, {failed} failed").format(sent=r.sent, failed=len(r.failed))
            if r.failed:
                text += " " + _("({reason}; see python -m cli deliveries)").format(reason=r.failed[0].sent.reason)
        return text


def check(db: str | None, actor: str, since: date | None = None) -> Checked:
    """Evaluate the rules, then send what the outbox holds. Their reads share one read-only connection
    until a write (opening a large file is a few tens of ms, as much as the evaluation's reads)."""
    with store.one_reader():
        outcome = evaluate.evaluate(db, actor, since)
        return Checked(outcome, send_alerts(db))


def after_import(db: str | None, actor: str) -> str:
    """The evaluation an import's caller runs once the import has committed. It never fails the
    import: whatever goes wrong is one line in the answer (and the log), the import stands."""
    try:
        return check(db, actor).line()
    except UserError as error:
        log.warning("alert evaluation after the import failed: %s", error)
        return _("alerts: not evaluated ({problem}); the import is saved").format(problem=error)
    except Exception as error:  # noqa: BLE001 - the import committed; no alerting fault may undo how it reads
        log.exception("alert evaluation after the import failed")
        return _("alerts: not evaluated ({problem}); the import is saved").format(
            problem=f"{type(error).__name__}: {error}")


# --- the daily digest -----------------------------------------------------------------------------


def send_digest(db: str | None) -> Report:
    """One message per digest subscriber with the alerts open (or acknowledged) now, in its scope."""
    with store.reading(db) as con:
        tz = settings.get(con, "reporting_tz")
        rows = alert_rows(con, tz, OPEN_STATES, limit=1_000_000)
        by_address = recipients([s for s in all_subscriptions(con) if s.what == "digest"])
        installation = settings.get(con, "language")
    planned = []
    for address, subs in by_address.items():
        covered = {s.partner_id for s in subs}
        mine = [r for r in rows if None in covered or r["partner_id"] in covered]
        with i18n.language(language_of(subs, installation)):
            planned.append((recipient_of(address, subs), messages.digest(mine, periods.day_text(clock.today(tz)), tz)))
    return send_all(db, planned)
