"""The cached loaders the pages read through: one per table, chart or figure set a page shows.

Each takes the `Source` plus plain hashable values (ui/source.py), reads through the store's
reading connection and calls partners/, metrics/, ingest/ and reports/ functions: no SQL here. A
loader of one partner's data is `per_partner`, so it refuses a partner outside the viewer's scope.
The Access page's lists are read again whenever the file changed (an audit line does not bump
the data version).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data import audit, i18n, store
from data.i18n import _
from ingest import reads as import_reads
from metrics import misses, reads, series, tables
from metrics import sampling as sampled
from metrics import scorecard as scorecards
from metrics.scorecard import Scorecard
from partners import access, periods, registry
from reports import exports, finance, frames, views
from ui import signin, source
from ui.source import Source, cached, per_partner


@cached
def partner_names(src: Source) -> dict[str, int]:
    with store.reading(src.db) as con:
        frame = reads.partners(con, src.scope.partner_ids)
    return dict(zip(frame["name"], frame["partner_id"].astype(int)))


@cached
def period_choices(src: Source, grain: str, today: dt.date) -> list[str]:
    """Every period holding data, newest first (metrics.reads.period_choices)."""
    with store.reading(src.db) as con:
        days = reads.held_days(con, src.tz)
    return [p.label for p in reads.period_choices(days, today, grain)]


@cached
def import_history(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.import_history(con, src.tz)


@cached
def rejected_rows(src: Source, batch_id: int | None) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.rejected_rows(con, batch_id)


@cached
def freshness(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.freshness(con, src.tz, src.scope.partner_ids)


@cached
def queue_list(src: Source) -> list[tuple[str, str | None, str]]:
    """Every queue (name, owner or None for in-house, zone), by name: the admin's rename and merge form."""
    with store.reading(src.db) as con:
        return registry.list_queues(con)


@cached
def queue_log_waiting(src: Source) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return import_reads.queue_log_waiting(con, src.tz)


@cached
def has_calls(src: Source) -> bool:
    with store.reading(src.db) as con:
        return reads.leg_days(con, src.tz) is not None


@per_partner
def scorecard(src: Source, partner_id: int, period: periods.Period) -> Scorecard:
    with store.reading(src.db) as con:
        return scorecards.scorecard(con, partner_id, period, src.tz)


@per_partner
def quality_card(src: Source, partner_id: int, period: periods.Period) -> Scorecard:
    """The scorecard's quality section alone (the Quality page): a third of the whole card's statements."""
    with store.reading(src.db) as con:
        return scorecards.scorecard(con, partner_id, period, src.tz, names=scorecards.FAMILIES["quality"])


@cached
def scorecards_zip(src: Source, period: periods.Period) -> bytes:
    """Every scorecard of the viewer's partners for `period`, PDF and Excel, in one zip (the files of
    `python -m cli scorecards`), with NOT-MADE.txt naming a partner whose file could not be made."""
    return exports.zipped(*exports.all_scorecard_files(period, (".pdf", ".xlsx"), db=src.db,
                                                       partner_ids=src.scope.partner_ids))


@per_partner
def scorecard_file(src: Source, partner_id: int, partner: str, period: periods.Period, suffix: str) -> bytes:
    """The partner's scorecard as a PDF or Excel file (suffix .pdf or .xlsx), the same document as
    `python -m cli scorecard`; cached by partner, period and data version, so a second click is instant."""
    with store.reading(src.db) as con:
        document = exports.scorecard_for(con, partner_id, partner, period, src.tz)
    return exports.WRITERS[suffix](document)


@cached
def overview(src: Source, period: periods.Period) -> list[Scorecard]:
    with store.reading(src.db) as con:
        return scorecards.overview(con, period, src.tz, src.scope.partner_ids)


@per_partner
def availability_trends(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.availability_trends(con, partner_id, period, src.tz)


@per_partner
def quality_trends(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.quality_trends(con, partner_id, period, src.tz)


@per_partner
def trend(src: Source, partner_id: int, period: periods.Period, name: str) -> pd.DataFrame:
    """One metric's 13 weeks: quality figures from the quality trend, the rest from the rollups."""
    family = quality_trends if name in reads.QUALITY_METRICS else availability_trends
    frame = family(src, partner_id, period)
    return frame[frame["metric"] == name].reset_index(drop=True)


@cached
def overview_table(src: Source, period: periods.Period) -> pd.DataFrame:
    return frames.overview_table(overview(src, period))


@cached
def centre_table(src: Source, period: periods.Period) -> pd.DataFrame:
    return frames.centre_table(overview(src, period))


@cached
def overview_matrix(src: Source, period: periods.Period, names: tuple[str, ...]) -> list[views.MatrixRow]:
    """The Overview's matrix of `names`: the partner-side figures, or the centre's side (no in-house row)."""
    cards = overview(src, period)
    if names == views.CENTRE_METRICS:
        cards = [card for card in cards if card.partner_id is not None]
    return views.matrix(cards, names)


@cached
def overview_misses(src: Source, period: periods.Period) -> list[tuple[str, list[str]]]:
    """Per partner with a missed figure, one line per miss saying where it was lost (metrics.misses)."""
    found = []
    for card in overview(src, period):
        if card.partner_id is None:
            continue
        names = views.OVERVIEW_METRICS + views.CENTRE_METRICS
        missed = [f.metric for f in card.figures if f.status in views.MISSES and f.metric in names]
        with store.reading(src.db) as con:
            whens = misses.when_missed(con, card.partner_id, period, src.tz, missed)
        lines = views.miss_lines(card, whens, names)
        if lines:
            found.append((card.name, lines))
    return found


@per_partner
def figures_table(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    return frames.figures_table(scorecard(src, partner_id, period))


@cached
def availability_summary(src: Source, period: periods.Period) -> pd.DataFrame:
    return frames.attainment_summary(intervals(src, period), availability_cards(src, period))


@cached
def availability_cards(src: Source, period: periods.Period) -> list[Scorecard]:
    """The Overview's scorecards with only the Availability summary's figures (each equal to the
    whole scorecard's): about half the statements of a whole Overview on a period not seen."""
    with store.reading(src.db) as con:
        return scorecards.overview(con, period, src.tz, src.scope.partner_ids, names=views.AVAILABILITY_SUMMARY)


@cached
def in_house_queues(src: Source, period: periods.Period) -> pd.DataFrame:
    """Each in-house queue's figures over the period (`python -m cli metrics --by queue`'s numbers)."""
    with store.reading(src.db) as con:
        frame = tables.table(con, period.grain, "queue", period.start, period.end, src.tz, src.scope.partner_ids)
    return frames.in_house_queues(frame)


@per_partner
def forecast_weeks(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    trends = availability_trends(src, partner_id, period)
    with store.reading(src.db) as con:
        return reads.forecast_weeks(con, partner_id, period, trends, src.tz)


@per_partner
def heatmap(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.heatmap_cells(con, partner_id, period, src.tz)


@per_partner
def staffing(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.staffing_intervals(con, partner_id, period, src.tz)


@cached
def intervals(src: Source, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        frame = series.interval_availability(con, period, src.tz, src.scope.partner_ids)
    names = {v: k for k, v in partner_names(src).items()}
    return frames.interval_points(frame, names)


@cached
def partner_intervals(src: Source, period: periods.Period, partner: str) -> pd.DataFrame:
    frame = intervals(src, period)
    return frame[frame["partner"] == partner].drop(columns=["partner"]).reset_index(drop=True)


@per_partner
def qa_sections(src: Source, partner_id: int, partner: str, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        frame = series.qa_sections(con, period, src.tz, src.scope.partner_ids)
    return frames.qa_against_in_house(frame, partner_id, partner)


@per_partner
def qa_evaluations(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return series.qa_evaluations(con, period, src.tz, (partner_id,)).drop(columns=["partner_id"])


@per_partner
def sampling(src: Source, partner_id: int, period: periods.Period) -> sampled.Sampling:
    with store.reading(src.db) as con:
        return sampled.sampling(con, partner_id, period, src.tz)


@per_partner
def calibration(src: Source, partner_id: int, period: periods.Period) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return series.calibration_spread(con, period, src.tz, (partner_id,)).drop(columns=["partner_id"])


@per_partner
def agreement_history(src: Source, partner_id: int) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.agreement_history(con, partner_id, src.tz)


@per_partner
def credit_rules(src: Source, partner_id: int) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return finance.rules_of_partner(con, partner_id)


@per_partner
def hours_history(src: Source, partner_id: int) -> pd.DataFrame:
    with store.reading(src.db) as con:
        return reads.hours_history(con, partner_id, src.tz)


@dataclass(frozen=True)
class AccessLists:
    """What the Access page lists, read in one go."""

    grants: pd.DataFrame  # one row per grant: email, role, partner, granted, granted by
    partners: list[str]   # every partner's name, for a partner user's grant
    revocable: list[str]  # the grants an admin may revoke on the page: all but their own
    log: pd.DataFrame     # the audit log, newest first: when, who, what, detail


def access_lists(src: Source) -> AccessLists:
    """Who has access and the audit log, times in the reporting zone; read again whenever the file
    changed (an audit line is written without a new data version, so the version is not enough)."""
    grants, partners, log = _access_reads(src, source.stamp(Path(src.db)))
    return AccessLists(grants, partners, [email for email in grants["email"] if email != src.scope.email], log)


@cached
def _access_reads(src: Source, stamp: tuple[tuple[int, int], ...]) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """The grants, the partners' names and the audit log of the file as `stamp` found it (source.stamp:
    every commit changes the file's or its WAL's time or size). Nothing here names the viewer: the
    grants they may revoke are picked out by `access_lists`."""
    with store.reading(src.db) as con:
        grants = access.list_grants(con, src.tz)
        partner_names = access.partner_names(con)
        log = audit.recent(con, tz=src.tz)
    return (
        pd.DataFrame(
            [(g.email, _(signin.ROLES.get(g.role, g.role)), g.partner_name or _("all partners"),
              i18n.LANGUAGES.get(g.language, g.language) if g.language else _("the installation's"), g.granted_at,
              g.granted_by) for g in grants],
            columns=["email", "role", "partner", "language", "granted", "granted by"],
        ),
        partner_names,
        pd.DataFrame(log, columns=["when", "who", "what", "detail"]),
    )
