"""Names close to a known one (issue 16): the reason a row naming an unknown partner or queue is
rejected says "unknown partner 'Alfa BP0': did you mean 'Alfa BPO'?", and a queue an import creates
next to one of a nearly equal name says so. SQL text, as the import's own statements over the
registry snapshot write the reasons and notes."""
from __future__ import annotations

from data.errors import UserError
from data.i18n import _
from ingest.profiles.fields import quoted, said

# At most this many edits (insert, delete, change, swap; letter case ignored) make a name close, and
# at most one per four letters, so short names ('q1', 'q2') are never each other's typo.
NEAR = 2


def nearest_sql(column: str, snapshot: str) -> str:
    """The known name of `snapshot` (a table with `name`) nearest to `column` within NEAR edits and one
    per four letters, the first by name on a tie; NULL when none is that close."""
    distance = f"damerau_levenshtein(lower(name), lower({column}))"
    return (f"(SELECT arg_min(name, ({distance}, name)) FROM {snapshot} "
            f"WHERE {distance} <= least({NEAR}, length({column}) // 4))")


def unknown_sql(kind: str, column: str, snapshot: str) -> str:
    """The reason for a `column` value not in `snapshot` (`kind` is "queue" or "partner"), in the
    importing reader's language: the value quoted, the nearest known name when one is close, then
    what to do. (A NULL nearest name makes the first sentence NULL, so the second is said.)"""
    value, near = quoted(column), quoted(nearest_sql(column, snapshot))
    if kind == "queue":
        close = _("unknown queue {value}: did you mean {near}?; import its call legs first: that import creates it")
        alone = _("unknown queue {value}; import its call legs first: that import creates it")
    else:
        close = _("unknown partner {value}: did you mean {near}?; an admin adds a new partner with Add a partner "
                  "on the Agreements page")
        alone = _("unknown partner {value}; an admin adds a new partner with Add a partner on the Agreements page")
    return f"coalesce({said(close, value=value, near=near)}, {said(alone, value=value)})"


class NearQueues(UserError):
    """An import would create queues named close to existing ones, and was not told to (issue 16: a
    queue one letter from another was created silently and split a partner's traffic). Nothing was
    written; `pairs` are (new name, the existing name it is close to), for the web upload's choice."""

    def __init__(self, pairs: list[tuple[str, str]], file: str) -> None:
        self.pairs = pairs
        said = "; ".join(_("queue {new} is new; did you mean {close}?").format(new=f"'{new}'", close=f"'{close}'")
                         for new, close in pairs)
        super().__init__(_("{file}: {said} Nothing was imported: correct the file, or import it again with --new-queues "
                           "to create the queue (python -m cli queue merge joins two queues later)").format(
            file=file, said=said))
