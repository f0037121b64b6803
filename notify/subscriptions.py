"""Subscriptions: who gets which scorecard files, alerts or the daily digest, by e-mail or webhook.

A subscription's audience is `partner` for the partner's own people (only ever its own partner's
files and alerts; the partner is required) and `centre` for the centre's (one partner, or every
partner when none is named). An address that holds a partner-role grant (partners/access.py) is a
partner recipient of that partner and no other: it cannot be subscribed to another partner, or to
every partner, whatever audience is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from data import audit, i18n, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from notify.channels import channel_of
from notify.sqlfiles import sql
from partners import access, registry

if TYPE_CHECKING:
    import pandas as pd

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
    language: str | None = None   # None: the installation's language setting

    @property
    def describe(self) -> str:
        """The subscription in the reader's words."""
        whose = self.partner or _("every partner")
        what = {"scorecard": _("scorecard as {format}").format(format=self.format), "alerts": _("alerts"),
                "digest": _("digest")}.get(self.what, self.what)
        text = (_("{address}: {what} of {whose} (centre recipient)") if self.audience == "centre"
                else _("{address}: {what} of {whose} (partner recipient)"))
        said = text.format(address=self.address, what=what, whose=whose)
        if self.language:
            said += ", " + _("in {language}").format(language=i18n.LANGUAGES.get(self.language, self.language))
        return said

    @property
    def logged(self) -> str:
        """The audit log's line, stored in English as every audit line is."""
        with i18n.language(i18n.DEFAULT):
            return self.describe

    def language_or(self, installation: str) -> str:
        """The language its messages are written in: its own, else the installation's."""
        return self.language or installation


def normal_address(address: str) -> str:
    """An e-mail address in the one form access grants use, or a webhook URL as given."""
    text = (address or "").strip()
    if channel_of(text) == "webhook":
        return text
    return access.normalise_email(text)


def all_subscriptions(con: Connection, tz: str = "UTC") -> list[Subscription]:
    return [Subscription(*row[:8]) for row in store.execute(con, sql("subscription_rows"), {"tz": tz}).rows]


def table(con: Connection, tz: str) -> pd.DataFrame:
    """Every subscription for a page; an empty language is the installation's."""
    found = store.frame(con, sql("subscription_rows"), {"tz": tz}).drop(columns=["partner_id"])
    return found.assign(language=found["language"].fillna(""))


def add(con: Connection, address: str, *, what: str = "scorecard", partner: str | None = None,
        fmt: str = "both", audience: str | None = None, language: str | None = None,
        actor: str) -> Subscription:
    """Subscribe an address (inside the caller's transaction) with its audit line. `language`: the
    recipient's (en, sv), or None for the installation's setting at each sending."""
    address = normal_address(address)
    if what not in WHATS:
        raise UserError(_("unknown subscription {what}; choose one of: {choices}").format(
            what=repr(what), choices=", ".join(WHATS)))
    if fmt not in FORMATS:
        raise UserError(_("unknown format {format}; choose one of: {choices}").format(
            format=repr(fmt), choices=", ".join(FORMATS)))
    if what == "scorecard" and channel_of(address) == "webhook":
        raise UserError(_("scorecard files go by e-mail: a webhook can take alerts or the digest"))
    language = i18n.checked(language) if language else None
    partner_id = registry.known_partner(con, partner) if partner else None
    audience = _audience(con, address, partner_id, audience)
    if audience not in AUDIENCES:
        raise UserError(_("unknown audience {audience}; choose centre or partner").format(audience=repr(audience)))
    if audience == "partner" and partner_id is None:
        raise UserError(_("{address} is a partner recipient: name its partner with --partner").format(address=address))
    if any(s.address == address and s.what == what and s.partner_id == partner_id for s in all_subscriptions(con)):
        raise UserError(_("{address} already has that subscription (remove it first to change its format)").format(
            address=address))
    store.execute(con, "INSERT INTO subscriptions (address, what, partner_id, audience, format, language, created_by) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", [address, what, partner_id, audience, fmt, language, actor],
                  what=N_("save the subscription"))
    added = [s for s in all_subscriptions(con) if s.address == address and s.what == what and s.partner_id == partner_id][0]
    audit.record(con, actor, "subscription.add", added.logged)
    return added


def _audience(con: Connection, address: str, partner_id: int | None, asked: str | None) -> str:
    """The audience to store: a partner user's grant decides it, and pins the partner."""
    scope = access.scope_for(con, address) if channel_of(address) == "email" else None
    if scope is None or not scope.is_partner:
        return asked or "centre"
    if partner_id != scope.partner_id:
        raise UserError(_("{address} is a partner user of {partner}: it may only subscribe to {partner}'s own files "
                          "and alerts (--partner {quoted})").format(address=address, partner=scope.partner_name,
                                                                    quoted=repr(scope.partner_name)))
    return "partner"


def remove(con: Connection, address: str, *, what: str | None = None, partner: str | None = None,
           actor: str) -> list[Subscription]:
    """Remove the address's subscriptions (only those of `what` / `partner` when given) and log each."""
    address = normal_address(address)
    partner_id = registry.known_partner(con, partner) if partner else None
    gone = [s for s in all_subscriptions(con) if s.address == address and (what is None or s.what == what)
            and (partner is None or s.partner_id == partner_id)]
    if not gone:
        raise UserError(_("{address} has no such subscription (python -m cli subscriptions list shows them)").format(
            address=address))
    for s in gone:
        store.execute(con, "DELETE FROM subscriptions WHERE subscription_id = ?", [s.subscription_id],
                      what=N_("remove the subscription"))
        audit.record(con, actor, "subscription.remove", s.logged)
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

