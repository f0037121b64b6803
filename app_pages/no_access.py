"""A page the viewer's role does not include, reached by a link: one plain line instead of
Streamlit's "Page not found", and the way to the viewer's own default page. No figures."""
from __future__ import annotations

import streamlit as st

from data.i18n import _

home = st.session_state["_home"]
st.info(_("You don't have access to this page."), icon=":material/lock:")
st.page_link(home, label=_("Open {page}").format(page=home.title), icon=home.icon or None)
