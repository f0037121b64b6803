"""Retention, erasure and a customer's export (docs/privacy.md): what personal data is kept, for how
long, and what a person may ask to see or have erased.

Personal data here: the customer id (a caller's phone number, stored only as its keyed pseudonym,
data/idkey.py), the agent ids of legs and QA evaluations, a survey answer's link to a call, the raw
text of uploaded files and rejected rows, and the audit log's actors. A purge takes the ids off
what is older than its kind's retention rather than deleting the rows where a figure still reads
them (the legs' journeys, the QA and survey scores): the figures of old periods stay exact, and
nothing left says who called, who answered or who was evaluated.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from data import audit, clock, settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.sqlfiles import sql
from data.store import Connection

UPLOADS = "uploads"
STAMP = "%Y%m%dT%H%M%S"  # how the Data page names a kept upload: UTC time, then '.' microseconds, 'Z-', its name


@dataclass(frozen=True)
class Kind:
    """One kind of personal data under a retention setting: the statements that count and purge it."""
    name: str
    setting: str
    statements: tuple[str, ...]   # (count, purge) pairs' base names in data/sql/privacy.sql


KINDS: tuple[Kind, ...] = (
    Kind("call legs (customer and agent ids)", "retention_legs_months", ("legs", "customer_calls", "pending")),
    Kind("survey answers (link to the call)", "retention_survey_months", ("surveys",)),
    Kind("QA evaluations (agent and call ids)", "retention_qa_months", ("qa",)),
    Kind("rejected rows' raw text", "retention_rejected_days", ("rejected",)),
    Kind("audit log lines", "retention_audit_months", ("audit",)),
)


@dataclass(frozen=True)
class Purged:
    """What a purge touched (or, dry, would touch): per kind, its horizon and rows; the upload files."""
    rows: tuple[tuple[str, dt.datetime, int], ...]
    uploads: tuple[Path, ...]

    def lines(self, dry_run: bool) -> list[str]:
        rows = (_("{kind}: would purge {count} row(s) older than {moment}") if dry_run
                else _("{kind}: purged {count} row(s) older than {moment}"))
        files = (_("uploaded files: would purge {count} file(s)") if dry_run
                 else _("uploaded files: purged {count} file(s)"))
        out = [rows.format(kind=kind, count=count, moment=f"{before:%Y-%m-%d %H:%M %Z}") for kind, before, count in self.rows]
        out.append(files.format(count=len(self.uploads)))
        return out


def months_back(day: dt.date, months: int) -> dt.date:
    """`day` moved back `months` calendar months (the 31st to a shorter month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def horizon(con: Connection, setting: str) -> dt.datetime:
    """The instant before which data under `setting` is purged: midnight of the reporting zone's
    today moved back the setting's months (or days)."""
    tz = settings.get(con, "reporting_tz")
    today = clock.today(tz)
    amount = int(settings.get(con, setting))
    day = today - dt.timedelta(days=amount) if setting.endswith("_days") else months_back(today, amount)
    return dt.datetime.combine(day, dt.time(), ZoneInfo(tz)).astimezone(dt.timezone.utc)


def purge(con: Connection, db: Path, *, dry_run: bool, actor: str) -> Purged:
    """Count (dry run) or purge every kind older than its retention, inside the caller's transaction,
    with one audit line; the uploads older than theirs are listed, and removed by `remove_uploads`
    once the transaction has committed."""
    rows = []
    for kind in KINDS:
        before = horizon(con, kind.setting)
        count = 0
        for name in kind.statements:
            count += store.execute(con, sql("privacy", f"count_{name}"), {"before": before}).scalar()
            if not dry_run:
                store.execute(con, sql("privacy", f"purge_{name}"), {"before": before}, what=f"purge {kind.name}")
        rows.append((kind.name, before, count))
    uploads = old_uploads(db, horizon(con, "retention_uploads_days"))
    result = Purged(tuple(rows), uploads)
    if not dry_run:
        audit.record(con, actor, "privacy.purge", "; ".join(result.lines(False)))
    return result


def uploads_folder(db: Path) -> Path:
    return db.parent / UPLOADS


def old_uploads(db: Path, before: dt.datetime) -> tuple[Path, ...]:
    """The kept uploads whose name's UTC time is before `before` (a name without one counts as old)."""
    folder = uploads_folder(db)
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.iterdir()):
        try:
            kept_at = dt.datetime.strptime(path.name[:15], STAMP).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            kept_at = None
        if path.is_file() and (kept_at is None or kept_at < before):
            found.append(path)
    return tuple(found)


def remove_uploads(paths: tuple[Path, ...]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def tidy_uploads(db: Path, imported: Path) -> None:
    """After an upload's import: remove it at once when uploads are kept 0 days (the default: the
    copy holds raw phone numbers), and any kept upload past its retention."""
    with store.reading(db) as con:
        days = int(settings.get(con, "retention_uploads_days"))
        before = horizon(con, "retention_uploads_days")
    remove_uploads(((imported,) if days == 0 else ()) + old_uploads(db, before))


# --- one customer -----------------------------------------------------------------------------------


def _pseudonym(con: Connection, number: str) -> str:
    """The stored form of the customer id `number`; a UserError when it could name no one."""
    text = (number or "").strip()
    found = store.execute(con, "SELECT customer_pseudonym(?)", [text], what=N_("hash the customer id")).scalar()
    if found is None:
        raise UserError(_("{text} is not a customer id that tells a customer apart (empty, 0, withheld, ...): nothing "
                          "is stored under it").format(text=repr(text)))
    return found


def held(con: Connection, number: str) -> dict[str, list[dict]]:
    """What the store holds about the customer with id `number`: their legs, survey answers, kept
    queue_log lines and rejected rows holding the number (written as the request gives it)."""
    params = {"customer": _pseudonym(con, number), "number": number.strip()}
    return {name: _run(con, f"customer_{name}", params).dicts() for name in ("legs", "surveys", "pending", "rejected")}


def counts(found: dict[str, list[dict]]) -> str:
    return ", ".join(f"{len(rows)} {name}" for name, rows in found.items())


def export(con: Connection, number: str, actor: str, reference: str = "") -> str:
    """What is held about the customer as JSON, with an audit line that names no number."""
    found = held(con, number)
    audit.record(con, actor, "privacy.export", f"a customer's data exported ({counts(found)})" + _ref(reference))
    return json.dumps(found, default=str, indent=2, ensure_ascii=False)


def erase(con: Connection, db: Path, number: str, actor: str, reference: str = "") -> tuple[dict[str, list[dict]], tuple[Path, ...]]:
    """Erase the customer inside the caller's transaction: their survey answers deleted, their id
    taken off their legs and kept queue_log lines, their customer_calls rows deleted, the number
    blanked in rejected rows; returns what was found and the kept uploads holding the number (the
    caller removes them after the commit, then rewrites the file: `store.rewrite`)."""
    found = held(con, number)
    params = {"customer": _pseudonym(con, number), "number": number.strip()}
    for name in ("surveys", "legs", "customer_calls", "pending", "rejected"):
        _run(con, f"erase_{name}", params, what=N_("erase the customer"))
    files = tuple(p for p in (old_uploads(db, dt.datetime.max.replace(tzinfo=dt.timezone.utc)))
                  if number.strip().encode() in p.read_bytes())
    audit.record(con, actor, "privacy.erase",
                 f"a customer erased ({counts(found)}, {len(files)} upload(s))" + _ref(reference))
    return found, files


def _run(con: Connection, name: str, params: dict, what: str | None = None) -> store.Result:
    """One statement of data/sql/privacy.sql with the values it binds (DuckDB refuses the others)."""
    text = sql("privacy", name)
    return store.execute(con, text, {k: v for k, v in params.items() if f"${k}" in text}, what=what)


def _ref(reference: str) -> str:
    return f"; request {reference.strip()}" if reference.strip() else ""
