"""Who may see what: grants in the access table and the Scope every read is filtered by.

A Scope is derived on the server from the signed-in email (never from a widget or a URL), and
every function that reads partner data takes `scope.partner_ids`, so a partner user's view is
narrowed where the data is read rather than where it is drawn.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from data import audit, i18n, store
from data.errors import UserError
from data.store import Connection
from partners import registry

ROLES = ("admin", "manager", "partner")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

# Every refusal of a partner outside the viewer's scope says this, wherever it is caught.
OUT_OF_SCOPE = "that partner is outside what you may see"


def scope_sql(column: str, partner_ids: Sequence[int] | None, params: dict[str, Any]) -> str:
    """The one partner-scope filter: `AND column IN ($pid_0, ...)` with the ids bound into `params`;
    None (everything) adds nothing, an empty scope keeps no row. `column` is the caller's SQL,
    never user input. A NULL column (in-house) is outside any list, as a partner user's scope has it."""
    if partner_ids is None:
        return ""
    if not partner_ids:
        return " AND FALSE"
    names = []
    for i, partner_id in enumerate(partner_ids):
        params[f"pid_{i}"] = int(partner_id)
        names.append(f"$pid_{i}")
    return f" AND {column} IN ({', '.join(names)})"


@dataclass(frozen=True)
class Scope:
    """What one signed-in user may see. Hashable, so cached loaders can be keyed by it."""

    email: str
    role: str
    partner_id: int | None = None
    partner_name: str | None = None
    language: str | None = None  # the user's own language (data/i18n); None: the installation's setting

    @property
    def partner_ids(self) -> tuple[int, ...] | None:
        """The partners this user may read: a one-element tuple for a partner user, None for all."""
        return (self.partner_id,) if self.role == "partner" else None

    @property
    def can_admin(self) -> bool:
        """Access administration, agreement editing and data import."""
        return self.role == "admin"

    @property
    def sees_agents(self) -> bool:
        """In-house agent-level data (agent ids of the centre's own queues) is for the centre only."""
        return self.role != "partner"

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    @property
    def takes_minutes(self) -> bool:
        """Saving and editing meeting minutes is the centre's; partner users read them once saved."""
        return not self.is_partner

    def allows(self, partner_id: int | None) -> bool:
        """May this user see the partner? (None, the in-house aggregate, is open to everyone.)"""
        return partner_id is None or self.partner_ids is None or partner_id in self.partner_ids

    def describe(self) -> str:
        """One line for the sidebar: who is signed in and as what."""
        return f"{self.email} · {describe_role(self.role, self.partner_name)}"


# The single user of local mode: no sign-in, the app bound to localhost, everything visible.
LOCAL_ADMIN = Scope(email="local admin", role="admin")


@dataclass(frozen=True)
class Grant:
    email: str
    role: str
    partner_id: int | None
    partner_name: str | None
    granted_at: datetime  # in the zone list_grants was asked for (UTC unless told)
    granted_by: str | None
    language: str | None = None  # None: the installation's `language` setting


SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def _scripts(text: str) -> set[str]:
    """The scripts of the letters in `text` (by their Unicode names), to tell look-alikes."""
    return {name.split()[0] for name in (unicodedata.name(c, "") for c in text if c.isalpha())
            if name.split()[0] in SCRIPTS}


def normalise_email(email: str) -> str:
    """The one form an email is granted and looked up in: Unicode NFKC, then case-folded, so
    identity providers that case or compose it differently still match one grant.

    A text that NFKC would change (a KELVIN SIGN for K, full-width letters) or that mixes scripts
    (a Cyrillic 'а' among Latin letters) is refused rather than mapped: it looks like another
    person's address, and mapping it would hand that person's grant over."""
    raw = email.strip() if isinstance(email, str) else ""
    if unicodedata.normalize("NFKC", raw) != raw or len(_scripts(raw)) > 1:
        raise UserError(f"'{raw}' is not a plain email address (it has look-alike characters)")
    cleaned = raw.casefold()
    if not _EMAIL.match(cleaned):
        raise UserError(f"'{email}' is not an email address (expected name@domain.tld)")
    return cleaned


def signed_in_email(claims: Mapping[str, Any]) -> str | None:
    """The email an ID token vouches for, normalised, or None when it vouches for none.

    The email must be a string; email_verified, when the provider sends it, must be the boolean
    true or the string "true" (some providers send strings; "false" must not pass as a non-empty
    string would). A claim of another type, or an email refused by normalise_email, is no email.
    """
    email, verified = claims.get("email"), claims.get("email_verified", True)
    if not isinstance(email, str) or not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
        return None
    try:
        return normalise_email(email)
    except UserError:
        return None


def describe_role(role: str, partner: str | None) -> str:
    """A grant in words: "manager", or "partner user of Acme"."""
    return f"partner user of {partner}" if role == "partner" else role


def grant(con: Connection, email: str, role: str, partner: str | None, *, actor: str,
          language: str | None = None) -> Grant:
    """Give `email` a role (replacing any grant it had) and log it, inside the caller's transaction.
    `language` (en, sv) is the user's own; None keeps the one the grant had (the installation's if none)."""
    email = normalise_email(email)
    language = i18n.checked(language) if language else None
    if role not in ROLES:
        raise UserError(f"unknown role '{role}' (choose one of {', '.join(ROLES)})")
    if role == "partner" and not partner:
        raise UserError("a partner user needs --partner NAME: the partner whose data they may see")
    if role != "partner" and partner:
        raise UserError(f"--partner is only for the partner role; a {role} sees every partner")
    partner_id = registry.known_partner(con, partner) if partner else None
    before = scope_for(con, email)
    kept = language or (before.language if before is not None else None)
    store.execute(con, "DELETE FROM access WHERE email = ?", [email], what=f"grant access to {email}")
    store.execute(
        con, "INSERT INTO access (email, role, partner_id, granted_by, language) VALUES (?, ?, ?, ?, ?)",
        [email, role, partner_id, actor, kept], what=f"grant access to {email}",
    )
    now = describe_role(role, partner)
    detail = f"{email} as {now}" + (f", language {kept}" if kept else "")
    if before is not None:
        detail += f" (was {describe_role(before.role, before.partner_name)})"
    audit.record(con, actor, "access.grant", detail)
    return next(g for g in list_grants(con) if g.email == email)


def set_language(con: Connection, email: str, language: str | None, *, actor: str) -> bool:
    """Keep `email`'s own language with their grant (None: the installation's) and log it, inside the
    caller's transaction; returns whether anything changed."""
    email = normalise_email(email)
    language = i18n.checked(language) if language else None
    before = scope_for(con, email)
    if before is None:
        raise UserError(f"{email} has no access, so no language to set")
    if before.language == language:
        return False
    store.execute(con, "UPDATE access SET language = ? WHERE email = ?", [language, email],
                  what=f"save the language of {email}")
    audit.record(con, actor, "access.language",
                 f"{email}: language {language or 'the installation setting'} (was {before.language or 'the installation setting'})")
    return True


def revoke(con: Connection, email: str, *, actor: str) -> None:
    """Take away the grant of `email` and log it; an email with no grant is a mistake, said as such."""
    email = normalise_email(email)
    before = scope_for(con, email)
    if before is None:
        raise UserError(f"{email} has no access to revoke")
    store.execute(con, "DELETE FROM access WHERE email = ?", [email], what=f"revoke the access of {email}")
    audit.record(con, actor, "access.revoke", f"{email} (was {describe_role(before.role, before.partner_name)})")


def partner_names(con: Connection) -> list[str]:
    """Every partner's name, for an admin choosing whom a partner user belongs to."""
    return [row[0] for row in store.execute(con, "SELECT name FROM partners ORDER BY name").rows]


def list_grants(con: Connection, tz: str = "UTC") -> list[Grant]:
    """Every grant, admins first, then managers, then partner users by partner; grant times as
    wall-clock times in `tz` (the Access page shows the reporting zone, the CLI UTC)."""
    rows = store.execute(
        con,
        """
        -- every grant with its partner's name and grant time (in zone $tz), in role order then partner then email
        SELECT a.email, a.role, a.partner_id, p.name, timezone($tz, a.granted_at), a.granted_by, a.language
        FROM access a LEFT JOIN partners p USING (partner_id)
        ORDER BY CASE a.role WHEN 'admin' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END, p.name, a.email
        """,
        {"tz": tz},
    ).rows
    return [Grant(*row) for row in rows]


# --- the in-house benchmark ------------------------------------------------------------------------
# The centre's in-house figures beside a partner's are the centre's to share: a partner's own users
# see them only where the partner is listed in in_house_shown (migration 0013; default: not). Every
# read that puts in-house beside a partner's figures asks `in_house_visible` with the reader's scope.


def in_house_visible(con: Connection, partner_ids: Sequence[int] | None) -> bool:
    """May a reader of scope `partner_ids` see the in-house figures? The centre (None) always; a
    partner user only when every partner of the scope lets its users see them."""
    if partner_ids is None:
        return True
    if not partner_ids or not store.has_table(con, "in_house_shown"):
        return False
    params: dict[str, Any] = {}
    where = scope_sql("partner_id", partner_ids, params)
    shown = store.execute(con, f"SELECT count(*) FROM in_house_shown WHERE TRUE{where}", params).scalar()
    return shown == len(set(partner_ids))


def show_in_house(con: Connection, partner_id: int, shown: bool, actor: str) -> bool:
    """Let the partner's own users see the in-house figures (or stop), with an audit line; returns
    whether anything changed."""
    name = registry.partner_name(con, partner_id)
    if in_house_visible(con, (partner_id,)) == shown:
        return False
    if shown:
        store.execute(con, "INSERT INTO in_house_shown (partner_id) VALUES (?)", [partner_id], what="save the setting")
    else:
        store.execute(con, "DELETE FROM in_house_shown WHERE partner_id = ?", [partner_id], what="save the setting")
    audit.record(con, actor, "partner.in_house", f"{name}: in-house figures {'shown to' if shown else 'hidden from'} "
                                                 "its own users")
    return True


def scope_for(con: Connection, email: str | None) -> Scope | None:
    """The Scope of a signed-in email, or None when it has no grant (or is not an email at all)."""
    try:
        email = normalise_email(email) if email else None
    except UserError:
        return None
    if email is None:
        return None
    row = store.execute(
        con,
        "SELECT a.role, a.partner_id, p.name, a.language FROM access a LEFT JOIN partners p USING (partner_id) "
        "WHERE a.email = ?",
        [email],
    ).one()
    if row is None:
        return None
    return Scope(email=email, role=row[0], partner_id=row[1], partner_name=row[2], language=row[3])
