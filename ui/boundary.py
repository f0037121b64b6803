"""The error boundary around every page run: what still goes wrong becomes one short line.

A UserError (a damaged database, a value out of range) is the user's to act on and is said as it
is. Anything else is a bug: the page says so with a short id and the traceback goes to the server
log under the same id, never to the browser (it may hold SQL, paths or another partner's values).
Streamlit's own stop and rerun are BaseExceptions and pass through untouched.
"""
from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator

import streamlit as st

from data.errors import UserError
from data.i18n import _
from reports import views

LOG = logging.getLogger("overflow.pages")  # with no handler set, Python writes errors to stderr: the server log


def failure_message(error_id: str) -> str:
    return _("Something went wrong on this page (error {id}). It is written in the server log under that id; "
             "reload the page, and if it happens again tell your administrator the id.").format(id=error_id)


@contextlib.contextmanager
def boundary() -> Iterator[None]:
    """Run a page: a UserError is one line; any other exception a short message with an id."""
    try:
        yield
    except UserError as error:
        first = (str(error).strip().splitlines() or [_("the page could not be shown")])[0]
        st.error(views.plain(first), icon=":material/error:")
    except Exception:  # the boundary: whatever a page raises, the browser gets one line and an id
        error_id = secrets.token_hex(4)
        LOG.exception("page failed, error %s", error_id)
        st.error(failure_message(error_id), icon=":material/error:")
