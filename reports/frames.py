"""The tables the pages, the PDF and the Excel show (DataFrames of metrics' results, in the words of
reports.views), the sampling view, and a meeting's frozen record worded as every page words it.

Apart from reports.views because these need pandas and the meetings' reads, which wording a figure
does not: an import's alert evaluation words its figures with reports.views alone, so that
`python -m cli import` loads neither (docs/benchmarks.md, issue 22)."""
from __future__ import annotations

import pandas as pd

from data import i18n
from data.i18n import _, n_
from data.store import Connection
from meetings import meetings
from metrics import sampling as samplings
from metrics import statuses
from metrics.scorecard import Scorecard
from partners import periods
from reports import views


def figure_rows(cards: list[Scorecard], names: tuple[str, ...]) -> pd.DataFrame:
    """One row per partner with `figure_columns(names)`: each value a plain number (fractions as 0.8),
    each status as icon and word, so a CSV of it is numbers an analyst can use. A figure the card
    leaves out (a shortfall where no minimum was agreed) reads "no target"."""
    rows = []
    for card in cards:
        row: dict[str, object] = {"partner": card.name}
        for name in names:
            figure = card.get(name)
            row |= ({name: figure.value, f"{name}_n": figure.sample_size,
                     f"{name}_status": views.judged(figure.status_text, figure)}
                    if figure else {name: None, f"{name}_n": None, f"{name}_status": statuses.text(statuses.NO_TARGET)})
        rows.append(row)
    columns = views.figure_columns(names)
    frame = pd.DataFrame(rows, columns=["partner", *columns])
    return frame.astype({c: "Int64" for c in columns if c.endswith("_n")} | {n: "Float64" for n in names})


def overview_table(cards: list[Scorecard]) -> pd.DataFrame:
    """One row per partner (in-house last, as the benchmark) with the key figures' `figure_rows`."""
    return figure_rows(cards, views.OVERVIEW_METRICS)


def centre_table(cards: list[Scorecard]) -> pd.DataFrame:
    """One row per partner with the centre's side of its agreement (in-house has no agreement: no row)."""
    return figure_rows([card for card in cards if card.partner_id is not None], views.CENTRE_METRICS)


def figures_table(card: Scorecard) -> pd.DataFrame:
    """Every figure of a scorecard with what it was computed from: the table behind the KPI tiles."""
    return pd.DataFrame(
        [
            {"family": f.family, "figure": views.figure_label(f), "value": f.value, "shown": views.display(f.value, f.unit),
             "target": views.target_text(f) or _("none agreed"), "status": views.judged(f.status_text, f),
             "interval_low": f.interval[0] if f.interval else None,
             "interval_high": f.interval[1] if f.interval else None,
             "previous": f.previous_value, "numerator": f.numerator, "denominator": f.denominator,
             "sample_size": f.sample_size}
            for f in card.figures
        ]
    )


def interval_points(frame: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    """Interval availability with a partner name and a status per interval: met, missed, or why neither.

    Input: series.interval_availability. Only intervals inside opening hours count, as in the
    attainment figure.
    """
    inside = frame[frame["inside_hours"].fillna(False).astype(bool) & frame["partner_id"].notna()].copy()
    inside["partner"] = inside["partner_id"].map(lambda p: names.get(int(p), f"partner {p}"))
    inside["status"] = [
        statuses.NO_DATA if pd.isna(level) else statuses.NO_TARGET if pd.isna(met) else statuses.GREEN if met else statuses.RED
        for level, met in zip(inside["service_level"], inside["met"])
    ]
    return inside[["partner", "interval_start", "offered", "service_level", "sl_target", "status"]].reset_index(drop=True)


def attainment_summary(points: pd.DataFrame, cards: list[Scorecard]) -> pd.DataFrame:
    """Per partner: its intervals in and out of target (`intervals_met`, `intervals_missed`, first, as
    the page's subject; empty where there is no interval target: in-house, a partner without hours),
    then the availability family's period figures (`figure_rows`)."""
    counts = points.assign(
        intervals_met=points["status"] == statuses.GREEN, intervals_missed=points["status"] == statuses.RED,
    ).groupby("partner")[["intervals_met", "intervals_missed"]].sum()
    figures = figure_rows(cards, views.AVAILABILITY_SUMMARY)
    summary = figures[["partner"]].merge(counts, left_on="partner", right_index=True, how="left")
    return pd.concat([summary.astype({"intervals_met": "Int64", "intervals_missed": "Int64"}),
                      figures.drop(columns="partner")], axis=1)


def in_house_queues(frame: pd.DataFrame) -> pd.DataFrame:
    """The in-house queues' rows of a per-queue metrics table (metrics.tables, by queue), by name."""
    house = frame[frame["partner_id"].isna()].rename(columns={"group": "queue"})
    return house[list(views.QUEUE_COLUMNS)].sort_values("queue").reset_index(drop=True).astype(
        {"offered": "Int64", "answered": "Int64", "service_level": "Float64", "abandon_rate": "Float64",
         "asa_s": "Float64", "aht_s": "Float64"})


def qa_against_in_house(frame: pd.DataFrame, partner_id: int, partner: str) -> pd.DataFrame:
    """QA score per form section for the partner and in-house side by side (input: series.qa_sections)."""
    mine = frame[frame["partner_id"] == partner_id].assign(who=partner)
    house = frame[frame["partner_id"].isna()].assign(who=_("in-house"))
    both = pd.concat([mine, house], ignore_index=True)
    return both[["section", "who", "score", "evaluations"]]


# --- who sampled what (metrics.sampling) -----------------------------------------------------------

def sampling_lines(found: samplings.Sampling) -> list[str]:
    """The sampling view in sentences: coverage of agents, evaluations per agent, who scored them."""
    if not found.evaluations:
        return [_("No QA evaluations in this period.")]
    counts = found.per_agent["evaluations"]
    line = _("{evaluations} of {evaluated} of the {agents} who answered calls").format(
        evaluations=views.count_text(n_("{count} evaluation", "{count} evaluations", found.evaluations), found.evaluations),
        evaluated=i18n.number(found.agents_evaluated),
        agents=views.count_text(n_("{count} agent", "{count} agents", found.agents_answering), found.agents_answering))
    if found.agents_answering:
        line += " " + _("({share} evaluated at all)").format(
            share=i18n.percent(found.agents_evaluated / found.agents_answering, 0))
    if len(counts):
        line += "; " + _("per agent evaluated: {least}–{most}, median {median}").format(
            least=i18n.number(counts.min()), most=i18n.number(counts.max()), median=views.short_number(counts.median()))
    lines = [line + "."]
    by = found.scored_by
    scored = _("Scored by the centre's evaluators: {centre}; by the partner's own QA: {partner}").format(
        centre=i18n.number(by["centre"]), partner=i18n.number(by["partner"]))
    if by["unknown"]:
        scored += "; " + _("not said: {count}").format(count=i18n.number(by["unknown"]))
    lines.append(scored + ".")
    return lines


def sampling_warnings(found: samplings.Sampling) -> list[str]:
    """The sampling warnings of docs/metrics.md ("Who sampled what"), in words."""
    warnings = []
    if found.partner_scored:
        warnings.append(_("Most evaluations were scored by the partner itself ({share} of those whose scorer is "
                          "known, above {limit}): the QA score is largely the partner's own view.").format(
            share=i18n.percent(found.partner_share, 0), limit=i18n.percent(samplings.PARTNER_SHARE_LIMIT, 0)))
    if found.clustered_hours:
        hours = ", ".join(f"{h:02d}-{h + 1:02d}" for h in found.clustered_hours)
        many = len(found.clustered_hours)
        warnings.append(n_("Half the evaluations come from {count} hour of the day ({hours}), which carry less "
                           "than {limit} of the answered calls: the sample misses most of the partner's day.",
                           "Half the evaluations come from {count} hours of the day ({hours}), which carry less "
                           "than {limit} of the answered calls: the sample misses most of the partner's day.",
                           many).format(count=i18n.number(many), hours=hours,
                                        limit=i18n.percent(samplings.CLUSTER_VOLUME_LIMIT, 0)))
    return warnings


def sampling_spread(found: samplings.Sampling, grain: str) -> pd.DataFrame:
    """Evaluations against answered calls per week, weekday or hour, slots in words (the column keeps
    its English id: 'week', 'weekday', 'hour of day'; a file translates its headings)."""
    frame = found.spread[grain].copy()
    if grain == "weekday":
        frame["slot"] = [i18n.weekday(int(d)) for d in frame["slot"]]
    elif grain == "hour":
        frame["slot"] = [f"{int(h):02d}-{int(h) + 1:02d}" for h in frame["slot"]]
    else:
        frame["slot"] = [periods.week(d).label for d in frame["slot"]]
    return frame.rename(columns={"slot": views.SAMPLING_GRAINS[grain].lower()})


# --- a meeting's frozen record (meetings.meetings) ------------------------------------------------

def snapshot(con: Connection, partner_id: int, period: periods.Period, tz: str,
             partner_ids: tuple[int, ...] | None = None, with_series: bool = True) -> meetings.Snapshot:
    """A meeting's frozen record of `period` (meetings.take_snapshot), its targets worded as every page
    words them; a month close's without the chart series (`with_series=False`)."""
    return meetings.take_snapshot(con, partner_id, period, tz, partner_ids, word_target=views.english_target_text,
                                  with_series=with_series)
