"""Who is looking: the Scope of this run, derived on the server, or a page that says why not.

With an [auth] section in .streamlit/secrets.toml the app signs users in through OpenID Connect
(st.login) and looks their verified email up in the access table; nothing a browser sends (a
widget, a URL parameter) takes part. Without one it runs in local mode as a single local admin,
and only on a server bound to localhost, because an unauthenticated admin on a network address
would show every partner's data to anyone who can reach the port.
"""
from __future__ import annotations

import streamlit as st
from streamlit import config

from data import store
from data.i18n import N_, _
from partners import access
from partners.access import Scope
from reports import views

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
LOCAL_MODE_CAPTION = N_("Local mode: no sign-in, one local admin; served on localhost only.")


def auth_configured() -> bool:
    """Is sign-in on? True when the secrets hold an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def bound_to_localhost() -> bool:
    """Does the server listen on the loopback interface only? (Unset means every interface.)"""
    return (config.get_option("server.address") or "") in LOCAL_ADDRESSES


def _scope_for(email: str) -> Scope | None:
    path = store.db_path()
    if not path.exists():
        return None
    with store.reading(path) as con:
        if store.schema_version(con) == store.migrations()[-1][0]:
            return access.scope_for(con, email)
    store.create(path)  # a file from before the newest migration (the grant's language): bring it forward
    with store.reading(path) as con:
        return access.scope_for(con, email)


def current_scope() -> Scope:
    """The Scope of this run's user. Stops the run with a sign-in, no-access or refusal page otherwise.

    Called by app.py before navigation and by every page, so a page opened directly by its URL is
    guarded too. Read afresh each run: a revoked grant takes effect on the next interaction.
    """
    if not auth_configured():
        if bound_to_localhost():
            return access.LOCAL_ADMIN
        _refuse_unprotected_network()
    if not st.user.get("is_logged_in", False):
        _sign_in_page()
    email = access.signed_in_email(st.user)
    scope = _scope_for(email) if email else None
    if scope is None:
        claimed = st.user.get("email")
        _no_access_page(claimed if isinstance(claimed, str) else None)  # as the provider wrote it
    return scope


def sidebar_identity(scope: Scope) -> None:
    """Say in the sidebar who is signed in (or that this is local mode), with a sign-out button."""
    with st.sidebar:
        if scope == access.LOCAL_ADMIN and not auth_configured():
            st.caption(_(LOCAL_MODE_CAPTION))
            return
        st.caption(_("Signed in as {who} · {role}").format(who=views.plain(scope.email), role=views.plain(role_text(scope))))
        st.button(_("Sign out"), key="sign_out", on_click=st.logout)


def role_text(scope: Scope) -> str:
    """A role in the reader's words: "manager", or "partner user of Acme"."""
    if scope.is_partner:
        return _("partner user of {partner}").format(partner=scope.partner_name)
    return _(ROLES[scope.role])


# The roles as a person reads them (the stored value stays the key).
ROLES = {"admin": N_("admin"), "manager": N_("manager"), "partner": N_("partner")}


def _sign_in_page() -> None:
    st.title("Overflow SLA")
    st.write(_("Sign in with your organisation's account to see the scorecards you have access to."))
    st.button(_("Sign in"), key="sign_in", type="primary", on_click=st.login)
    st.stop()


def _no_access_page(email: str | None) -> None:
    st.title(_("No access"))
    st.error(
        _("{who} is signed in but has no access to Overflow SLA. Ask an administrator to grant you a role.").format(
            who=views.plain(email)) if email else
        _("This account is signed in but has no access to Overflow SLA. Ask an administrator to grant you a role.")
    )
    st.button(_("Sign out"), key="sign_out", on_click=st.logout)
    st.stop()


def _refuse_unprotected_network() -> None:
    st.title(_("Sign-in is not configured"))
    st.error(_(
        "This server listens on a network address, and without sign-in anyone who can reach it "
        "would see every partner's data. Either configure sign-in (an [auth] section in "
        ".streamlit/secrets.toml, see the README) or run on localhost only: "
        "`streamlit run app.py --server.address localhost`."
    ))
    st.stop()
