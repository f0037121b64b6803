"""The reader's language for a page run, and the sidebar's picker that changes it.

A signed-in user's language is kept with their grant (access.language, migration 0017; NULL: the
installation's `language` setting) and read afresh on every run with their scope, so a change in the
sidebar, or `python -m cli access grant ... --lang sv`, applies on the next run. In local mode (no
sign-in) the choice lives in the session, and the installation's setting is the default. app.py sets
the language first thing in every run, before anything is drawn; the sign-in page, drawn before
anyone is known, is in the installation's language.
"""
from __future__ import annotations

import streamlit as st

from data import i18n, store
from data.errors import UserError
from data.i18n import N_, _  # app.py marks its page titles through here (it imports only the ui)
from partners import access
from partners.access import Scope
from ui import signin, source

WIDGET = "language"           # the sidebar's selectbox
CHOSEN = "_language"          # local mode: the session's choice
OUTCOME = "_language_outcome"  # a choice that could not be saved, said once under the picker


def start() -> str:
    """Set the reader's language for this run (before anything is drawn) and return it."""
    installed = source.installation_language()
    i18n.use(installed)
    scope = signin.current_scope()  # may stop with the sign-in page, in the installation's language
    return i18n.use(of(scope, installed))


def of(scope: Scope, installed: str) -> str:
    """A signed-in user's own language, else (local mode) the session's choice, else the installation's."""
    if signin.auth_configured():
        return scope.language or installed
    return st.session_state.get(CHOSEN) or installed


def picker(src: source.Source) -> None:
    """The sidebar's language picker: each language named in its own language; a change applies at once."""
    shown = i18n.current()
    options = [*i18n.LANGUAGES, *([] if shown in i18n.LANGUAGES else [shown])]  # the test-only pseudo-language
    st.session_state[WIDGET] = shown
    st.selectbox(_("Language"), options, key=WIDGET, format_func=lambda code: i18n.LANGUAGES.get(code, code),
                 on_change=_chosen, args=(src,))
    failed = st.session_state.pop(OUTCOME, None)
    if failed:
        st.error(failed, icon=":material/error:")


def _chosen(src: source.Source) -> None:
    """Keep the choice: with the grant of a signed-in user (audited), else in the session."""
    code = st.session_state[WIDGET]
    if not signin.auth_configured():
        st.session_state[CHOSEN] = code
        return
    try:
        with store.writing(src.db) as con:
            access.set_language(con, src.scope.email, code, actor=src.scope.email)
    except UserError as error:
        st.session_state[OUTCOME] = str(error)
