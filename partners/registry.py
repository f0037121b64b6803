"""Partners and queues: who exists, and which queue belongs to whom.

A queue belongs to the centre (partner_id NULL) or to exactly one partner. Importers create a queue
the first time they see it; these functions are how a person names partners and moves queues.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from data import audit, i18n, rollups, store
from data.errors import UserError
from data.i18n import N_, _
from data.settings import check_time_zone
from data.store import Connection

DEFAULT_QUEUE_TZ = "Europe/Stockholm"


def partner_id(con: Connection, name: str) -> int | None:
    row = store.execute(con, "SELECT partner_id FROM partners WHERE name = ?", [name]).one()
    return row[0] if row else None


def partner_name(con: Connection, partner_id: int) -> str:
    """A partner by its name, as a reader knows it (log lines, scorecards), not by its row id: from
    every partner's names when this read-only connection read them already (`by_name`), else this
    partner's row alone (a writing connection remembers nothing, and an audit line wants one name)."""
    every = store.answered(con, PARTNERS_BY_NAME)
    if every is not None:
        return dict(every.rows).get(partner_id, f"partner {partner_id}")
    row = store.execute(con, "SELECT name FROM partners WHERE partner_id = ?", [partner_id]).one()
    return row[0] if row else f"partner {partner_id}"


PARTNERS_BY_NAME = "SELECT partner_id, name FROM partners ORDER BY name, partner_id"


def by_name(con: Connection) -> tuple[tuple[int, str], ...]:
    """(partner_id, name) of every partner, ordered by name as DuckDB orders them: read once per
    read-only connection, which is kept between page runs until a write (a page run asks for a name
    per scorecard and for the ordered ids twice, each statement 1-2 ms of DuckDB's planning); a
    writing connection reads again every time."""
    return store.remembered(con, ("partners by name",), lambda: tuple(store.execute(con, PARTNERS_BY_NAME).rows))


def ids_by_name(con: Connection, partner_ids: Collection[int] | None = None) -> list[int]:
    """The partners' ids ordered by name, those of `partner_ids` only when given (None: every one)."""
    scope = None if partner_ids is None else {int(p) for p in partner_ids}
    return [pid for pid, _name in by_name(con) if scope is None or pid in scope]


def known_partner(con: Connection, name: str) -> int:
    """The id of the partner called `name`; an unknown name is a UserError naming the known ones."""
    found = partner_id(con, name.strip())
    if found is None:
        known = ", ".join(known_name for _, known_name, _ in list_partners(con)) or _("none yet")
        raise UserError(_("unknown partner {name} (known partners: {known})").format(name=repr(name.strip()), known=known))
    return found


def add_partner(con: Connection, name: str, *, actor: str | None = None) -> int:
    """Create a partner and return its id; an existing name is a UserError (names are unique).

    The CLI's `partner add` and the Agreements page's form both come here, so the check is one;
    with an actor the change is written to the audit log in the same transaction.
    """
    clean = name.strip()
    if not clean:
        raise UserError(_("a partner needs a name"))
    if partner_id(con, clean) is not None:
        raise UserError(_("partner {name} already exists").format(name=repr(clean)))
    new_id = store.execute(con, "INSERT INTO partners (name) VALUES (?) RETURNING partner_id", [clean],
                           what=f"add the partner {clean!r}").scalar()
    if actor is not None:
        audit.record(con, actor, "partner add", f"partner {clean!r} (id {new_id})")
    return new_id


def list_partners(con: Connection) -> list[tuple[int, str, int]]:
    """(partner_id, name, number of queues) for every partner, by name."""
    return store.execute(
        con,
        """
        SELECT p.partner_id, p.name, count(q.queue_id)
        FROM partners p LEFT JOIN queues q USING (partner_id)
        GROUP BY ALL ORDER BY p.name
        """
    ).rows


def set_queue(
    con: Connection, name: str, partner: str | None = None, time_zone: str | None = None
) -> int:
    """Create or update a queue: owner (None = in-house) and time zone. Returns the queue id.

    Moving a queue to another owner keeps its legs: they refer to the queue, so the history follows;
    its interval rollups are rebuilt, as the new owner's agreement may set another T and S.
    """
    clean = name.strip()
    if not clean:
        raise UserError(_("a queue needs a name"))
    owner = None
    if partner is not None:
        owner = known_partner(con, partner)
    row = store.execute(con, "SELECT queue_id, time_zone FROM queues WHERE name = ?", [clean]).one()
    zone = check_time_zone(time_zone) if time_zone else (row[1] if row else DEFAULT_QUEUE_TZ)
    if row:
        moved = store.execute(con, "SELECT partner_id IS DISTINCT FROM ? FROM queues WHERE queue_id = ?",
                              [owner, row[0]]).scalar()
        store.execute(con, "UPDATE queues SET partner_id = ?, time_zone = ? WHERE queue_id = ?", [owner, zone, row[0]],
                      what=f"change the queue {clean!r}")
        if moved:
            rollups.refresh_queue(con, row[0])
        return row[0]
    return store.execute(
        con,
        "INSERT INTO queues (name, partner_id, time_zone) VALUES (?, ?, ?) RETURNING queue_id", [clean, owner, zone],
        what=f"add the queue {clean!r}",
    ).scalar()


def list_queues(con: Connection) -> list[tuple[str, str | None, str]]:
    """(queue name, partner name or None for in-house, time zone), by name."""
    return store.execute(
        con, "SELECT q.name, p.name, q.time_zone FROM queues q LEFT JOIN partners p USING (partner_id) ORDER BY q.name"
    ).rows


def _queue(con: Connection, name: str) -> tuple[int, int | None, str]:
    """(queue_id, partner_id, name) of the queue called `name`; an unknown name is a UserError."""
    row = store.execute(con, "SELECT queue_id, partner_id, name FROM queues WHERE name = ?", [name.strip()]).one()
    if row is None:
        known = ", ".join(q for q, _, _ in list_queues(con)) or _("none yet")
        raise UserError(_("unknown queue {name} (known queues: {known})").format(name=repr(name.strip()), known=known))
    return row


def rename_queue(con: Connection, old: str, new: str, actor: str) -> None:
    """Give a queue another name (inside the caller's transaction), audited. Its legs, rollups and
    aggregates refer to the queue's id and keep their figures; the name is also changed where legs
    and waiting queue_log lines write it (transferred_to, queue_log_pending). A name another queue
    has is refused: joining two queues is `merge_queues`."""
    queue_id, _owner_id, was = _queue(con, old)
    clean = new.strip()
    if not clean:
        raise UserError(_("a queue needs a name"))
    if clean == was:
        raise UserError(_("the queue is already called {name}").format(name=repr(was)))
    if store.execute(con, "SELECT 1 FROM queues WHERE name = ?", [clean]).one():
        raise UserError(_("a queue called {name} already exists; merge {was} into it instead").format(
            name=repr(clean), was=repr(was)))
    store.execute(con, "UPDATE queues SET name = ? WHERE queue_id = ?", [clean, queue_id], what=f"rename the queue {was!r}")
    _renamed_in_legs(con, was, clean)
    audit.record(con, actor, "queue rename", f"queue {was!r} is now {clean!r}")


def _renamed_in_legs(con: Connection, was: str, now: str) -> None:
    """Where legs name a queue by text: a transfer's target and the queue_log lines waiting for their other file."""
    store.execute(con, "UPDATE call_legs SET transferred_to = ? WHERE transferred_to = ?", [now, was],
                  what=N_("rename the queue in transfers"))
    store.execute(con, "UPDATE queue_log_pending SET queue = ? WHERE queue = ?", [now, was],
                  what=N_("rename the queue in waiting queue_log lines"))


@dataclass(frozen=True)
class Merge:
    """What a merge moved: legs, and the legs dropped as duplicates of legs already in the kept queue
    (the same call id; of each pair the earlier import's leg stays, as an import under the final
    name would have kept it), and the QA evaluations, survey answers and staffing rows moved."""

    legs: int
    duplicates: int
    evaluations: int
    answers: int
    staffing: int

    @property
    def text(self) -> str:
        """What moved, in the reader's language."""
        return _("{legs} legs moved ({duplicates} dropped as duplicates of legs with the same call id), {evaluations} "
                 "QA evaluations, {answers} survey answers, {staffing} staffing rows").format(
            legs=i18n.number(self.legs), duplicates=i18n.number(self.duplicates),
            evaluations=i18n.number(self.evaluations), answers=i18n.number(self.answers),
            staffing=i18n.number(self.staffing))


# Statements of a merge of queue $gone into queue $kept, in order. Of two legs (or staffing rows) with
# one identity, the one of the earlier import stays (on a tie, the kept queue's): the importer's
# first-wins rule, so the figures are those of an import of every file under the kept name.
_MERGE_DUPLICATES = """
DELETE FROM {table} AS t
WHERE t.queue_id IN ($gone, $kept) AND EXISTS (
    SELECT 1 FROM {table} o WHERE o.queue_id IN ($gone, $kept) AND o.queue_id <> t.queue_id AND o.{key} = t.{key}
      AND (o.batch_id < t.batch_id OR o.batch_id = t.batch_id AND o.queue_id = $kept))
"""
_MOVE = "UPDATE {table} SET queue_id = $kept WHERE queue_id = $gone"


def merge_queues(con: Connection, gone: str, kept: str, actor: str) -> Merge:
    """Move every leg, QA evaluation, survey answer and staffing row of queue `gone` to queue `kept`
    and delete `gone` (inside the caller's transaction: all or nothing), audited. The rollups of both
    and the detail aggregates are rebuilt, so every figure is what an import under the kept name gives.
    Both queues must have one owner: a queue changes owner with `set_queue` first."""
    gone_id, gone_owner, gone_name = _queue(con, gone)
    kept_id, kept_owner, kept_name = _queue(con, kept)
    if gone_id == kept_id:
        raise UserError(_("a queue cannot be merged into itself ({name})").format(name=repr(gone_name)))
    if gone_owner != kept_owner:
        raise UserError(_("{gone} and {kept} belong to different owners ({gone_owner} and {kept_owner}); move {gone} to "
                          "{kept_owner} first").format(gone=repr(gone_name), kept=repr(kept_name),
                                                       gone_owner=_owner(con, gone_owner),
                                                       kept_owner=_owner(con, kept_owner)))
    ids, gone_only = {"gone": gone_id, "kept": kept_id}, {"gone": gone_id}
    before = store.execute(con, "SELECT count(*) FROM call_legs WHERE queue_id = $gone", gone_only).scalar()
    counts = []
    for table, key in (("call_legs", "call_id"), ("staffing", "interval_start")):
        store.execute(con, _MERGE_DUPLICATES.format(table=table, key=key), ids, what=f"drop duplicate {table}")
    duplicates = before - store.execute(con, "SELECT count(*) FROM call_legs WHERE queue_id = $gone", gone_only).scalar()
    for table in ("call_legs", "qa_evaluations", "survey_answers", "staffing"):
        counts.append(store.execute(con, _MOVE.format(table=table), ids, what=f"move the {table}").scalar())
    store.execute(con, "DELETE FROM interval_rollups WHERE queue_id = $gone", gone_only,
                  what=N_("drop the merged queue's rollups"))
    store.execute(con, "DELETE FROM queues WHERE queue_id = $gone", gone_only, what=f"delete the queue {gone_name!r}")
    _renamed_in_legs(con, gone_name, kept_name)
    rollups.refresh_queue(con, kept_id)
    rollups.merged_queue(con, gone_id, kept_id)
    merge = Merge(counts[0], duplicates, *counts[1:])
    with i18n.language(i18n.DEFAULT):  # the audit log is stored in English
        audit.record(con, actor, "queue merge", f"queue {gone_name!r} merged into {kept_name!r}: {merge.text}")
    return merge


def _owner(con: Connection, partner: int | None) -> str:
    return _("in-house") if partner is None else partner_name(con, partner)
