"""Partners and queues: who exists, and which queue belongs to whom.

A queue belongs to the centre (partner_id NULL) or to exactly one partner. Importers create a queue
the first time they see it; these functions are how a person names partners and moves queues.
"""
from __future__ import annotations

from data import audit, rollups, store
from data.errors import UserError
from data.settings import check_time_zone
from data.store import Connection

DEFAULT_QUEUE_TZ = "Europe/Stockholm"


def partner_id(con: Connection, name: str) -> int | None:
    row = store.execute(con, "SELECT partner_id FROM partners WHERE name = ?", [name]).one()
    return row[0] if row else None


def partner_name(con: Connection, partner_id: int) -> str:
    """A partner by its name, as a reader knows it (log lines, scorecards), not by its row id."""
    row = store.execute(con, "SELECT name FROM partners WHERE partner_id = ?", [partner_id]).one()
    return row[0] if row else f"partner {partner_id}"


def known_partner(con: Connection, name: str) -> int:
    """The id of the partner called `name`; an unknown name is a UserError naming the known ones."""
    found = partner_id(con, name.strip())
    if found is None:
        known = ", ".join(known_name for _, known_name, _ in list_partners(con)) or "none yet"
        raise UserError(f"unknown partner {name.strip()!r} (known partners: {known})")
    return found


def add_partner(con: Connection, name: str, *, actor: str | None = None) -> int:
    """Create a partner and return its id; an existing name is a UserError (names are unique).

    The CLI's `partner add` and the Agreements page's form both come here, so the check is one;
    with an actor the change is written to the audit log in the same transaction.
    """
    clean = name.strip()
    if not clean:
        raise UserError("a partner needs a name")
    if partner_id(con, clean) is not None:
        raise UserError(f"partner {clean!r} already exists")
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
        raise UserError("a queue needs a name")
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
