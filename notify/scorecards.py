"""The scorecard run: each scorecard subscriber mailed its files for a period.

Apart from notify/deliver.py because it builds documents (reports.exports: pandas, Altair, fpdf2,
openpyxl): an import's alert evaluation loads deliver, and none of those. The messages go out as
every delivery does (deliver.send_all: claimed, sent, logged).
"""
from __future__ import annotations

from collections.abc import Callable

from data import audit, i18n, settings, store
from data.errors import UserError
from data.i18n import _
from notify import deliver, messages
from notify.messages import Attachment
from notify.subscriptions import Subscription, all_subscriptions, recipients, scoped
from partners import registry
from partners.periods import Period
from reports import exports


def _partner_audience(subs: list[Subscription]) -> bool:
    """Whether an address gets its files as a partner's own recipient (subscriptions.py: a partner-role
    grant makes every subscription of the address `partner`)."""
    return any(s.audience == "partner" for s in subs)


def deliver_scorecards(db: str | None, period: Period, actor: str,
                       progress: Callable[[str], None] = lambda _: None) -> deliver.Report:
    """Mail each scorecard subscriber its files for `period`: one e-mail per address with every file
    its subscriptions ask for, files, subject and body in the address's language. Each partner's
    document is built once per scope and language; the files are named as `python -m cli scorecards`
    names them."""
    with store.reading(db) as con:
        tz = settings.get(con, "reporting_tz")
        installation = settings.get(con, "language")
        names = {pid: name for pid, name, _ in registry.list_partners(con)}
        by_address = recipients([s for s in all_subscriptions(con) if s.what == "scorecard"])
        if not by_address:
            raise UserError(_("nobody subscribes to scorecards: python -m cli subscriptions add EMAIL --partner P "
                              "--format pdf"))
        wanted = {address: scoped(subs, list(names)) for address, subs in by_address.items()}
        # A partner's own recipients get the document read in their scope (partners/access.py,
        # in_house_visible: the in-house figures only where the partner lets its users see them).
        # Its reader: (own scope, language).
        reader = {address: (_partner_audience(subs), deliver.language_of(subs, installation))
                  for address, subs in by_address.items()}
        needed = sorted({(pid, *reader[address]) for address, pairs in wanted.items() for pid, _ in pairs})
        documents = {}
        for pid, own, language in needed:
            with i18n.language(language):
                progress(_("building {partner}'s scorecard").format(partner=names[pid]))
                documents[(pid, own, language)] = exports.scorecard_for(con, pid, names[pid], period, tz,
                                                                        (pid,) if own else None)
    ids = sorted({pid for pid, _, _ in needed})
    stems = [exports.file_stem(names[pid]) for pid in ids]
    stem = {pid: f"{s}-{pid}" if stems.count(s) > 1 else s for pid, s in zip(ids, stems)}
    files: dict[tuple[int, str, bool, str], Attachment] = {}
    planned = []
    for address, pairs in wanted.items():
        own, language = reader[address]
        with i18n.language(language):
            for pid, suffix in pairs:
                key = (pid, suffix, own, language)
                if key not in files:
                    files[key] = Attachment(pid, f"{stem[pid]}_{period.label}{suffix}",
                                            exports.WRITERS[suffix](documents[(pid, own, language)]))
            attached = tuple(files[(pid, suffix, own, language)] for pid, suffix in pairs)
            planned.append((deliver.recipient_of(address, by_address[address]), messages.scorecards(period, names, attached)))
    report = deliver.send_all(db, planned)
    with store.writing(db) as con:
        audit.record(con, actor, "scorecards.send",
                     f"{period.label}: {report.sent} sent, {len(report.failed)} failed")
    return report
