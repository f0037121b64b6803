"""Subscriptions: who gets which scorecard files, alerts or the daily digest, by e-mail or webhook.

A subscription's audience is `partner` for the partner's own people (only ever its own partner's
files and alerts; the partner is required) and `centre` for the centre's (one partner, or every
partner when none is named). An address that holds a partner-role grant (partners/access.py) is a
partner recipient of that partner and no other: it cannot be subscribed to another partner, or to
every partner, whatever audience is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data import audit, store
from data.errors import UserError
from data.store import Connection
from notify.channels import channel_of
from notify.sqlfiles import sql
from partners import access, registry

WHATS = ("scorecard", "alerts", "digest")
FORMATS = ("pdf", "xlsx", "both")
AUDIENCES = ("centre", "partner")
SUFFIXES = {"pdf": (".pdf",), "xlsx": (".xlsx",), "both": (".pdf", ".xlsx")}


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    address: str
    what: str
    partner_id: int | None
    partner: str            # '' for every partner
    audience: str
    format: str

    @property
    def describe(self) -> str:
        whose = self.partner or "every partner"
        files = f" as {self.format}" if self.what == "scorecard" else ""
        return f"{self.address}: {self.what}{files} of {whose} ({self.audience} recipient)"


def normal_address(address: str) -> str:
    """An e-mail address in the one form access grants use, or a webhook URL as given."""
    text = (address or "").strip()
    if channel_of(text) == "webhook":
        return text
    return access.normalise_email(text)


def all_subscriptions(con: Connection, tz: str = "UTC") -> list[Subscription]:
    return [Subscription(*row[:7]) for row in store.execute(con, sql("subscription_rows"), {"tz": tz}).rows]


def table(con: Connection, tz: str) -> pd.DataFrame:
    return store.frame(con, sql("subscription_rows"), {"tz": tz}).drop(columns=["partner_id"])


def add(con: Connection, address: str, *, what: str = "scorecard", partner: str | None = None,
        fmt: str = "both", audience: str | None = None, actor: str) -> Subscription:
    """Subscribe an address (inside the caller's transaction) with its audit line."""
    address = normal_address(address)
    if what not in WHATS:
        raise UserError(f"unknown subscription {what!r}; choose one of: {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if what == "scorecard" and channel_of(address) == "webhook":
        raise UserError("scorecard files go by e-mail: a webhook can take alerts or the digest")
    partner_id = registry.known_partner(con, partner) if partner else None
    audience = _audience(con, address, partner_id, audience)
    if audience not in AUDIENCES:
        raise UserError(f"unknown audience {audience!r}; choose centre or partner")
    if audience == "partner" and partner_id is None:
        raise UserError(f"{address} is a partner recipient: name its partner with --partner")
    if any(s.address == address and s.what == what and s.partner_id == partner_id for s in all_subscriptions(con)):
        raise UserError(f"{address} already has that subscription (remove it first to change its format)")
    store.execute(con, "INSERT INTO subscriptions (address, what, partner_id, audience, format, created_by) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [address, what, partner_id, audience, fmt, actor],
                  what="save the subscription")
    added = [s for s in all_subscriptions(con) if s.address == address and s.what == what and s.partner_id == partner_id][0]
    audit.record(con, actor, "subscription.add", added.describe)
    return added


def _audience(con: Connection, address: str, partner_id: int | None, asked: str | None) -> str:
    """The audience to store: a partner user's grant decides it, and pins the partner."""
    scope = access.scope_for(con, address) if channel_of(address) == "email" else None
    if scope is None or not scope.is_partner:
        return asked or "centre"
    if partner_id != scope.partner_id:
        raise UserError(f"{address} is a partner user of {scope.partner_name}: it may only subscribe to "
                        f"{scope.partner_name}'s own files and alerts (--partner {scope.partner_name!r})")
    return "partner"


def remove(con: Connection, address: str, *, what: str | None = None, partner: str | None = None,
           actor: str) -> list[Subscription]:
    """Remove the address's subscriptions (only those of `what` / `partner` when given) and log each."""
    address = normal_address(address)
    partner_id = registry.known_partner(con, partner) if partner else None
    gone = [s for s in all_subscriptions(con) if s.address == address and (what is None or s.what == what)
            and (partner is None or s.partner_id == partner_id)]
    if not gone:
        raise UserError(f"{address} has no such subscription (python -m cli subscriptions list shows them)")
    for s in gone:
        store.execute(con, "DELETE FROM subscriptions WHERE subscription_id = ?", [s.subscription_id],
                      what="remove the subscription")
        audit.record(con, actor, "subscription.remove", s.describe)
    return gone


def recipients(subs: list[Subscription]) -> dict[str, list[Subscription]]:
    """The subscriptions grouped by address, in order: one message per address."""
    found: dict[str, list[Subscription]] = {}
    for s in subs:
        found.setdefault(s.address, []).append(s)
    return found


def scoped(subs: list[Subscription], partner_ids: list[int]) -> list[tuple[int, str]]:
    """(partner, file suffix) pairs an address's scorecard subscriptions ask for, each once, in order."""
    wanted: list[tuple[int, str]] = []
    for s in subs:
        for pid in ([s.partner_id] if s.partner_id is not None else partner_ids):
            wanted += [(pid, suffix) for suffix in SUFFIXES[s.format] if (pid, suffix) not in wanted]
    return wanted

