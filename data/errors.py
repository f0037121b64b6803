"""The project's own error: a problem told in one line a user can act on, never a traceback."""
from __future__ import annotations


class UserError(Exception):
    """A mistake a user can fix (a bad file, a bad date, an unknown partner), said in one line."""
