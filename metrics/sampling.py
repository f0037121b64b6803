"""Who sampled what: how a partner's QA evaluations of a period were spread, so a QA score is read
with the sample behind it (docs/metrics.md, "Who sampled what").

Per partner and period: how many of the agents who answered its calls were evaluated at all and how
often each; the share scored by the centre's evaluators against the partner's own; and the spread of
the evaluated calls over weeks, weekdays and hours against the calls it answered. Two warnings, with
thresholds written here and in the docs:
- partner-scored: more than PARTNER_SHARE_LIMIT of the evaluations whose scorer is known were scored
  by the partner itself;
- clustered: the fewest hours of the day that hold half of the evaluations hold less than
  CLUSTER_VOLUME_LIMIT of the answered calls (judged from CLUSTER_MIN_EVALUATIONS evaluations up).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from data.store import Connection
from metrics import measures
from partners.periods import Period

PARTNER_SHARE_LIMIT = 0.5
CLUSTER_VOLUME_LIMIT = 0.25
CLUSTER_MIN_EVALUATIONS = 10
GRAINS = ("week_start", "weekday", "hour")


@dataclass(frozen=True)
class Sampling:
    evaluations: int
    agents_evaluated: int
    agents_answering: int                 # distinct agent ids on the partner's answered legs
    per_agent: pd.DataFrame               # agent_id, evaluations (most first)
    scored_by: dict[str, int]             # centre, partner, unknown -> evaluations
    spread: dict[str, pd.DataFrame]       # grain -> slot, evaluations, answered, evaluation_share, answered_share
    partner_scored: bool                  # the partner scored more than PARTNER_SHARE_LIMIT of the known ones
    clustered_hours: tuple[int, ...]      # the hours that hold half the evaluations, when they carry too few calls

    @property
    def partner_share(self) -> float | None:
        known = self.scored_by["centre"] + self.scored_by["partner"]
        return self.scored_by["partner"] / known if known else None


def sampling(con: Connection, partner_id: int, period: Period, tz: str) -> Sampling:
    """The sampling view of one partner over `period` (local days of `tz`)."""
    params = measures.range_params(period, tz)
    evaluations = measures.detail_rows(con, "qa_sampling", params, (partner_id,))
    answered = measures.detail_rows(con, "answered_spread", params, (partner_id,))
    per_agent = Counter(row["agent_id"] for row in evaluations if row["agent_id"] is not None)
    scorers = Counter(row["scored_by"] or "unknown" for row in evaluations)
    scored_by = {side: scorers.get(side, 0) for side in ("centre", "partner", "unknown")}
    known = scored_by["centre"] + scored_by["partner"]
    spread = {grain: _spread(evaluations, answered, grain) for grain in GRAINS}
    return Sampling(
        evaluations=len(evaluations),
        agents_evaluated=len(per_agent),
        agents_answering=len({agent for row in answered for agent in (row["agents"] or [])}),
        per_agent=pd.DataFrame(per_agent.most_common(), columns=["agent_id", "evaluations"]),
        scored_by=scored_by,
        spread=spread,
        partner_scored=bool(known) and scored_by["partner"] / known > PARTNER_SHARE_LIMIT,
        clustered_hours=_clustered(spread["hour"], len(evaluations)),
    )


def _spread(evaluations: list[dict], answered: list[dict], grain: str) -> pd.DataFrame:
    """Evaluations and answered calls per slot of `grain`, each with its share of the period's total."""
    evaluated = Counter(row[grain] for row in evaluations)
    calls: Counter = Counter()
    for row in answered:
        calls[row[grain]] += row["answered"]
    slots = sorted(set(evaluated) | set(calls))
    frame = pd.DataFrame({"slot": slots, "evaluations": [evaluated.get(s, 0) for s in slots],
                          "answered": [calls.get(s, 0) for s in slots]})
    total_evaluations, total_answered = sum(evaluated.values()), sum(calls.values())
    frame["evaluation_share"] = frame["evaluations"] / total_evaluations if total_evaluations else None
    frame["answered_share"] = frame["answered"] / total_answered if total_answered else None
    return frame


def _clustered(hours: pd.DataFrame, evaluations: int) -> tuple[int, ...]:
    """The fewest hours holding half the evaluations (most evaluated first), when they carry less than
    CLUSTER_VOLUME_LIMIT of the answered calls; () otherwise or below CLUSTER_MIN_EVALUATIONS."""
    if evaluations < CLUSTER_MIN_EVALUATIONS or hours["answered"].sum() == 0:
        return ()
    ranked = hours.sort_values(["evaluations", "slot"], ascending=[False, True])
    held, chosen = 0, []
    for row in ranked.itertuples():
        chosen.append(int(row.slot))
        held += row.evaluations
        if 2 * held >= evaluations:
            break
    carried = hours.loc[hours["slot"].isin(chosen), "answered"].sum() / hours["answered"].sum()
    return tuple(sorted(chosen)) if carried < CLUSTER_VOLUME_LIMIT else ()
