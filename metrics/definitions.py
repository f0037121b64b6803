"""Every metric, defined once: name, description, unit, formula, direction and the SQL that computes it.

Two kinds. Rollup metrics are a numerator and a denominator written as SQL over the summed columns
of interval_rollups (per period and group); their value is numerator / denominator, None when the
denominator is 0, so any grain is a ratio of sums and never an average of ratios. The other metrics
(quantiles, quality) need the detail rows: their `statement` names the statement of
metrics/sql/details.sql that metrics/measures.py runs for them, and `scale` what their ratio is
multiplied by (NPS is in points). docs/metrics.md is tested against this list
(tests/test_metrics_definitions.py), and the SQL each metric runs against tests/golden/.
"""
from __future__ import annotations

from dataclasses import dataclass

from data.i18n import N_
from metrics.intervals import T_MEAN, TRINOMIAL, WILSON
from metrics.sqlfiles import sql as named_sql

HIGHER, LOWER, BAND, NEUTRAL = "higher", "lower", "band", "neutral"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    description: str
    unit: str                      # count | fraction | seconds | points | hours
    formula: str
    direction: str                 # higher | lower | band | neutral (is better)
    numerator: str | None = None   # rollup metrics: SQL over the summed rollup columns
    denominator: str | None = None
    statement: str | None = None   # detail metrics: the name of a statement in metrics/sql/details.sql
    scale: float = 1.0             # the ratio times this: 100 for NPS (points), else 1
    target: str | None = None      # the agreement field the status is judged against
    family: str = "availability"   # the scorecard section: volume | availability | customer | quality | centre
    sample: str | None = None      # what the sample size counts, with its unit; None: legs
    # label, description and sample are English, marked for the catalogs: translate them where shown, _(m.label).
    # Quality figures (issue 17): how their 95 % interval is computed (metrics.intervals: wilson, t or
    # trinomial), the agreement field of the fewest observations they are judged on, and the range a
    # mean's interval is clamped to.
    interval: str | None = None
    min_n: str | None = None
    bounds: tuple[float, float] = (0.0, 1.0)
    # The agreement fields of which one must be set for the figure to mean something (a shortfall
    # needs a minimum, "overflowed early" an agreed in-house wait): without one the scorecard leaves
    # it out rather than show a tile with nothing to fall short of. Empty: always shown.
    requires: tuple[str, ...] = ()

    @property
    def sql(self) -> str:
        """The SQL: a ratio expression over rollup sums, or the named detail statement."""
        if self.statement:
            return named_sql("details", self.statement)
        if self.denominator is None:
            return self.numerator
        return f"CAST({self.numerator} AS DOUBLE) / NULLIF({self.denominator}, 0)"

    @property
    def from_rollups(self) -> bool:
        return self.statement is None


SL_DENOMINATOR = "answered + abandoned - short_abandoned"
CALLS_MINIMUMS = ("calls_week_min", "calls_month_min")
AGENT_HOURS_MINIMUMS = ("agent_hours_week_min", "agent_hours_month_min")
# Legs turned away inside the queue owner's opening hours: misses in every SL variant but answered-only.
TURNED_AWAY_MISSES = " + turned_away_inside_hours"


def _count(name: str, label: str, description: str, formula: str, family: str = "availability") -> Metric:
    return Metric(name, label, description, "count", formula, NEUTRAL, numerator=name, family=family)


METRICS: tuple[Metric, ...] = (
    _count("offered", N_("Offered legs"), N_("Legs routed to the queue in the period (turned-away legs included)."),
           "answered + abandoned + overflowed + turned_away", family="volume"),
    _count("answered", N_("Answered legs"), N_("Legs answered by an agent of the queue."), "count of outcome = answered",
           family="volume"),
    _count("abandoned", N_("Abandoned legs"), N_("Legs where the caller hung up while waiting."),
           "count of outcome = abandoned"),
    _count("short_abandoned", N_("Short abandons"),
           N_("Abandons shorter than S seconds: left out of service level and abandon rate."),
           "abandoned legs with wait_s < S"),
    _count("overflowed", N_("Overflowed legs"), N_("Legs that left the queue unanswered for another queue."),
           "count of outcome = overflowed", family="volume"),
    _count("answered_within_threshold", N_("Answered within T"), N_("Answered legs that waited T seconds or less."),
           "answered legs with wait_s <= T"),
    _count("abandoned_within_threshold", N_("Abandoned within T"), N_("Abandoned legs that waited T seconds or less."),
           "abandoned legs with wait_s <= T"),
    Metric("service_level", N_("Service level"), N_("Share of answered, (long) abandoned and turned-away (inside opening "
           "hours) legs answered within T: the pinned default variant 'abandons-count'."), "fraction",
           "answered_within_threshold / (answered + abandoned - short_abandoned + turned_away_inside_hours)", HIGHER,
           numerator="answered_within_threshold", denominator=SL_DENOMINATOR + TURNED_AWAY_MISSES, target="sl_target"),
    Metric("sl_answered_only", N_("Service level (answered only)"), N_("Variant 'answered-only' (Asterisk ServiceLevelPerf)."),
           "fraction", "answered_within_threshold / answered", HIGHER,
           numerator="answered_within_threshold", denominator="answered", target="sl_target"),
    Metric("sl_abandons_within_met", N_("Service level (abandons within T met)"),
           N_("Variant 'abandons-within-met' (Asterisk's ServiceLevelPerf2 idea): leaving within T counts as met."),
           "fraction",
           "(answered_within_threshold + abandoned with wait_s <= T) / (answered + abandoned + turned_away_inside_hours)",
           HIGHER, numerator="answered_within_threshold + abandoned_within_threshold",
           denominator="answered + abandoned" + TURNED_AWAY_MISSES,
           target="sl_target"),
    Metric("sl_with_overflow", N_("Service level (overflow counts)"), N_("Variant 'with-overflow': overflowed legs are misses."),
           "fraction",
           "answered_within_threshold / (answered + abandoned - short_abandoned + overflowed + turned_away_inside_hours)",
           HIGHER, numerator="answered_within_threshold",
           denominator=SL_DENOMINATOR + " + overflowed" + TURNED_AWAY_MISSES, target="sl_target"),
    Metric("abandon_rate", N_("Abandon rate"), N_("Share of answered and long-abandoned legs that were abandoned."), "fraction",
           "(abandoned - short_abandoned) / (answered + abandoned - short_abandoned)", LOWER,
           numerator="abandoned - short_abandoned", denominator=SL_DENOMINATOR, target="abandon_rate_max"),
    Metric("asa_s", N_("ASA"), N_("Average speed of answer: mean wait of answered legs."), "seconds",
           "sum(wait_s of answered) / answered", LOWER, numerator="answered_wait_s", denominator="answered",
           target="asa_max_s"),
    Metric("aht_s", N_("AHT"), N_("Average handle time of answered legs (talk + hold + wrap; a missing part counts as 0)."),
           "seconds", "sum(talk_s + hold_s + wrap_s of answered) / answered", NEUTRAL,
           numerator="handle_s", denominator="answered"),
    Metric("p90_wait_s", N_("90th percentile wait"), N_("The wait that 90 % of answered legs did not exceed "
           "(discrete percentile of the legs, not of the rollups: quantiles cannot be summed)."), "seconds",
           "percentile_disc(0.9) of wait_s over answered legs", LOWER, statement="p90_wait"),
    Metric("volume_share", N_("Volume share"), N_("Calls routed to the partner (at least one leg offered to one of its "
           "queues, turned away included) against every call the centre received in the period, each call "
           "once: the share the agreement guarantees."), "fraction",
           "calls routed to the group / calls the centre received", BAND, statement="call_volume",
           target="share_min..share_max", family="centre", sample=N_("calls")),
    Metric("calls_routed", N_("Calls routed"), N_("Calls with at least one leg offered to one of the partner's queues "
           "(any outcome, turned away included); a call is its journey id, else its call id."), "count",
           "calls with a leg offered to the group's queues", NEUTRAL, statement="call_volume", family="volume"),
    Metric("answered_share", N_("Answered share"), N_("Calls the partner answered against calls answered by anyone: "
           "a second figure beside volume share, never the guarantee."), "fraction",
           "calls answered by the group / calls answered by anyone", NEUTRAL, statement="call_volume",
           family="volume", sample=N_("answered calls")),
    Metric("calls_shortfall", N_("Calls short of the minimum"), N_("Calls routed below the agreement's minimum for the "
           "period (a week's minimum for an ISO week, a month's for a month, prorated by days otherwise): "
           "the centre's miss."), "count", "max(0, minimum calls for the period - calls_routed)", LOWER,
           statement="call_volume", family="centre", requires=CALLS_MINIMUMS),
    Metric("calls_shortfall_accumulated", N_("Calls short since the minimum began"), N_("Weekly calls shortfalls summed "
           "from the first agreement version with a calls minimum to the end of the period."), "count",
           "sum of weekly calls_shortfall since the first version with a calls minimum", LOWER,
           statement="call_volume", family="centre", requires=CALLS_MINIMUMS),
    Metric("agent_hours_shortfall", N_("Agent-hours short of the minimum"), N_("Agent-hours logged in below the "
           "agreement's minimum for the period (a week's for an ISO week, a month's for a month, prorated by "
           "days otherwise): the centre's miss."), "hours",
           "max(0, minimum agent-hours for the period - sum(logged_in_min) / 60)", LOWER, statement="staffing",
           family="centre", requires=AGENT_HOURS_MINIMUMS),
    Metric("agent_hours_shortfall_accumulated", N_("Agent-hours short since the minimum began"), N_("Weekly agent-hours "
           "shortfalls summed from the first agreement version with an agent-hours minimum to the end of the "
           "period."), "hours", "sum of weekly agent_hours_shortfall since the first version with an agent-hours "
           "minimum", LOWER, statement="staffing", family="centre", requires=AGENT_HOURS_MINIMUMS),
    Metric("forecast_accuracy", N_("Legs against forecast"), N_("Legs offered to the partner against the weekly forecast "
           "the centre gave it (1.0 = as forecast; days above 1 + tolerance on which the partner was staffed as "
           "contracted excuse a service-level miss)."), "fraction",
           "offered legs / forecast legs (weeks prorated by days inside the period)", NEUTRAL,
           statement="forecast", family="centre", sample=N_("forecast legs")),
    Metric("interval_sl_attainment", N_("Interval SL attainment"), N_("Share of 15-minute intervals with service-level "
           "data inside the partner's opening hours that met the SL target."), "fraction",
           "intervals with SL >= target / intervals with SL data inside opening hours", HIGHER,
           statement="interval_sl", sample=N_("15-minute intervals")),
    Metric("staffed_vs_contracted", N_("Staffed vs contracted hours"), N_("Agent hours logged in against the contracted "
           "agent hours."), "fraction", "sum(logged_in_min) / sum(contracted_min)", HIGHER,
           statement="staffing", sample=N_("contracted agent-minutes")),
    Metric("transfer_back_rate", N_("Transfer-back rate"), N_("Answered legs transferred back to in-house against "
           "answered legs."), "fraction", "transferred_back / answered", LOWER,
           numerator="transferred_back", denominator="answered", target="transfer_back_max", family="quality",
           sample=N_("answered legs"), interval=WILSON, min_n="transfer_back_min_n"),
    Metric("qa_score", N_("QA score"), N_("Mean score of the evaluations (calibration evaluations left out). One "
           "evaluation = sum(points x weight) / sum(max_points x weight) over items not N/A; a failed fatal "
           "item makes it 0."), "fraction", "sum(evaluation scores) / evaluations", HIGHER,
           statement="qa_scores", target="qa_min", family="quality", sample=N_("evaluations"),
           interval=T_MEAN, min_n="qa_min_n"),
    Metric("qa_score_before_fatal", N_("QA score without fatal zeros"), N_("The QA score with each evaluation scored "
           "on its items even when a fatal item failed it: beside the QA score, so one compliance miss does "
           "not read as quality 0 %."), "fraction", "sum(evaluation scores before the fatal zero) / evaluations",
           HIGHER, statement="qa_scores", family="quality", sample=N_("evaluations"), interval=T_MEAN),
    Metric("critical_error_rate", N_("Critical-error rate"), N_("Share of the evaluations with any critical or fatal "
           "item missed (calibration evaluations left out)."), "fraction",
           "evaluations with a critical or fatal item missed / evaluations", LOWER, statement="qa_scores",
           target="critical_error_max", family="quality", sample=N_("evaluations"), interval=WILSON,
           min_n="critical_error_min_n"),
    Metric("calibration_spread", N_("Calibration spread"), N_("Per evaluator: mean distance of their calibration scores "
           "from the session's agreed score, else the session's median."), "fraction",
           "sum(abs(score - reference)) / calibration evaluations", LOWER, statement="calibration",
           family="quality", sample=N_("calibration evaluations")),
    Metric("fcr", N_("First-contact resolution"), N_("Answered legs whose customer did not call again within N days."),
           "fraction", "answered legs with no repeat call within N days / answered legs with a customer id", HIGHER,
           statement="fcr", target="fcr_min", family="quality", sample=N_("answered legs with a customer id"),
           interval=WILSON, min_n="fcr_min_n"),
    Metric("csat_top2", N_("CSAT (top-2-box)"), N_("Share of CSAT answers scoring 4 or 5 on the 1-5 scale."), "fraction",
           "answers scoring 4-5 / CSAT answers", HIGHER, statement="surveys", target="csat_min",
           family="quality", sample=N_("CSAT answers"), interval=WILSON, min_n="csat_min_n"),
    Metric("csat_mean", N_("CSAT (mean)"), N_("Mean CSAT score on the 1-5 scale."), "points",
           "sum(score) / CSAT answers", HIGHER, statement="surveys", family="quality", sample=N_("CSAT answers"),
           interval=T_MEAN, min_n="csat_min_n", bounds=(1.0, 5.0)),
    Metric("nps", N_("NPS"), N_("Net promoter score: % of answers 9-10 minus % of answers 0-6 (-100..100)."), "points",
           "100 * (promoters - detractors) / NPS answers", HIGHER, statement="surveys", target="nps_min",
           family="quality", sample=N_("NPS answers"), scale=100.0, interval=TRINOMIAL, min_n="nps_min_n",
           bounds=(-100.0, 100.0)),
    _count("turned_away", N_("Turned-away legs"), N_("Legs routed to the queue but never let in: no agent logged in, "
           "queue full or closed (queue_log JOINEMPTY, JOINUNAVAIL, FULL, CLOSED)."), "count of outcome = turned_away",
           family="volume"),
    Metric("turned_away_outside_hours", N_("Turned away outside opening hours"), N_("Turned-away legs routed to the "
           "partner outside its opening hours: the centre's misrouting, not the partner's miss."), "count",
           "turned_away - turned_away_inside_hours", NEUTRAL, numerator="turned_away - turned_away_inside_hours",
           family="volume"),
    Metric("turned_away_rate", N_("Turned-away rate"), N_("Legs turned away inside the partner's opening hours against "
           "the legs routed to it that it had to take (offered, less those turned away outside its opening hours)."),
           "fraction", "turned_away_inside_hours / (offered - turned_away + turned_away_inside_hours)", LOWER,
           numerator="turned_away_inside_hours", denominator="offered - turned_away + turned_away_inside_hours",
           target="turned_away_max"),
    # The customer's call (statement `journeys`): per call routed to the partner, across all its legs.
    Metric("in_house_wait_s", N_("Wait in-house first"), N_("Mean time the calls routed to the partner "
           "waited in in-house queues before their first leg at the partner (0 for a call routed straight "
           "to it)."), "seconds", "sum(in-house wait before the partner) / calls routed", LOWER,
           statement="journeys", family="customer", sample=N_("calls")),
    Metric("partner_wait_s", N_("Wait at the partner"), N_("Mean time the calls routed to the partner waited in its "
           "queues (every leg there, answered or not; 0 for a leg turned away)."), "seconds",
           "sum(wait at the partner) / calls routed", LOWER, statement="journeys", family="customer",
           sample=N_("calls")),
    Metric("total_wait_s", N_("Customer's total wait"), N_("Mean time the callers of the calls routed to the partner "
           "waited in all, in-house and at partners: every leg's wait up to and including the first answered "
           "leg (all of them when nobody answered)."), "seconds", "sum(total wait) / calls routed", LOWER,
           statement="journeys", family="customer", sample=N_("calls")),
    Metric("customer_service_level", N_("Customer-side service level"), N_("Calls routed to the partner that were "
           "answered (by anyone) within the partner's T of total wait, against those calls less the ones "
           "whose caller gave up within S: the partner's service level as the customer lived it."), "fraction",
           "calls answered with total wait <= T / (calls routed - calls given up with total wait < S)", HIGHER,
           statement="journeys", family="customer", sample=N_("calls")),
    # The centre's overflow audit (statement `journeys`), against the agreement.
    Metric("calls_overflowed_early", N_("Calls overflowed early"), N_("Calls that waited in-house and moved to the "
           "partner before the agreement's in-house wait (overflow_after_s); calls routed straight to the "
           "partner are not overflowed and not counted."), "count",
           "overflowed calls with in-house wait < overflow_after_s", LOWER, statement="journeys",
           family="centre", sample=N_("overflowed calls"), requires=("overflow_after_s",)),
    Metric("calls_outside_hours", N_("Calls sent while closed"), N_("Calls whose first leg at the partner "
           "came outside its opening hours, whatever became of them: the centre's misrouting."), "count",
           "calls routed whose first partner leg is outside opening hours", LOWER, statement="journeys",
           family="centre", sample=N_("calls")),
    Metric("calls_back_and_forth", N_("Calls sent back and forth"), N_("Calls that crossed between in-house and the "
           "partner twice or more without being answered in between (e.g. overflowed, turned away, back "
           "in-house); a transfer after an answer is not a crossing."), "count",
           "calls with 2 or more unanswered crossings between in-house and the partner", LOWER,
           statement="journeys", family="centre", sample=N_("calls")),
)

BY_NAME = {m.name: m for m in METRICS}
# Metrics judged on what happens after the period (a repeat call within the agreement's fcr_days):
# provisional until the held data covers that window (statuses.provisional_until).
REPEAT_BASED = frozenset({"fcr"})
# Shortfalls against an agreement's absolute minimums (metrics/volume.py): met at 0, missed above it.
SHORTFALLS = ("calls_shortfall", "calls_shortfall_accumulated", "agent_hours_shortfall",
              "agent_hours_shortfall_accumulated")
ROLLUP_METRICS = tuple(m for m in METRICS if m.from_rollups)

# The service-level metric an agreement's sl_variant picks.
SL_VARIANTS = {
    "abandons-count": "service_level",
    "answered-only": "sl_answered_only",
    "abandons-within-met": "sl_abandons_within_met",
    "with-overflow": "sl_with_overflow",
}


def metric(name: str) -> Metric:
    return BY_NAME[name]
