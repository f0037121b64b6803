"""How the tables' columns read on screen: one mapping from a machine name to a label and a unit.

The frames and their CSV downloads keep stable machine names and plain numbers (fractions stay
0.8, not "80 %"), so an analyst's spreadsheet does not break when a label is reworded. Only the
display changes, through st.column_config: a label a manager reads, percent for stored fractions,
thousands separators, seconds with their unit, and times in the reporting zone (said once, under
the table, by `render.table`).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from metrics.definitions import metric
from reports import views


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"   # text | percent | count | seconds | number | hours | time | date | flag
    help: str | None = None


# (field, label, kind): the agreement form and the versions table say a target the same way;
# kind "%" is entered in percent and stored as a fraction.
AGREEMENT_FIELDS = (
    ("sl_target", "Service-level target", "%"),
    ("sl_threshold_s", "Threshold T (s)", "int"),
    ("short_abandon_s", "Short abandon S (s)", "int"),
    ("abandon_rate_max", "Abandon rate max", "%"),
    ("asa_max_s", "ASA max (s)", "float"),
    ("share_min", "Volume share min", "%"),
    ("share_target", "Volume share target", "%"),
    ("share_max", "Volume share max", "%"),
    ("qa_min", "QA score min", "%"),
    ("fcr_min", "FCR min", "%"),
    ("fcr_days", "FCR repeat window (days)", "int"),
    ("transfer_back_max", "Transfer-back max", "%"),
    ("csat_min", "CSAT min (top two boxes)", "%"),
    ("nps_min", "NPS min", "float"),
    ("forecast_tolerance", "Forecast tolerance", "%"),
    ("amber_tolerance", "Amber tolerance", "%"),
    ("staffed_floor", "Staffed floor for an excused miss", "%"),
    ("turned_away_max", "Turned-away rate max", "%"),
    ("overflow_after_s", "In-house wait before overflow (s)", "int"),
    ("calls_week_min", "Minimum calls a week", "int"),
    ("calls_month_min", "Minimum calls a month", "int"),
    ("agent_hours_week_min", "Minimum agent-hours a week", "float"),
    ("agent_hours_month_min", "Minimum agent-hours a month", "float"),
    ("credit_month_cap", "Credits: month cap", "float"),
    ("critical_error_max", "Critical-error rate max", "%"),
    ("qa_min_n", "Fewest evaluations to judge QA", "int"),
    ("critical_error_min_n", "Fewest evaluations to judge critical errors", "int"),
    ("fcr_min_n", "Fewest answered legs to judge FCR", "int"),
    ("transfer_back_min_n", "Fewest answered legs to judge transfer-back", "int"),
    ("csat_min_n", "Fewest CSAT answers to judge CSAT", "int"),
    ("nps_min_n", "Fewest NPS answers to judge NPS", "int"),
)
_FORM_KINDS = {"%": "percent", "int": "count", "float": "number"}

_UNITS = {"fraction": "percent", "seconds": "seconds", "count": "count", "hours": "hours"}
_FIGURES = dict.fromkeys((*views.OVERVIEW_METRICS, *views.CENTRE_METRICS, *views.AVAILABILITY_SUMMARY,
                          *views.QUEUE_COLUMNS[1:]))  # in order, once each
_INTERVALS = "15-minute intervals inside opening hours; – where there is no interval target (in-house)."
_REPLACED = "The first day of the next version; – while this version is in force (until the next version)."

COLUMNS: dict[str, Column] = {
    # import history, rejected rows, freshness, queue-log waiting
    "batch_id": Column("Import", "id"),
    "finished": Column("Finished", "time"),
    "kind": Column("Data"),
    "profile": Column("Profile"),
    "file_name": Column("File"),
    "imported_by": Column("Imported by"),
    "read": Column("Rows read", "count", "read = imported + duplicates + filtered + rejected"),
    "imported": Column("Imported", "count"),
    "duplicates": Column("Duplicates", "count"),
    "filtered": Column("Filtered", "count"),
    "rejected": Column("Rejected", "count"),
    "filtered_by": Column("Filtered by rule"),
    "notes": Column("Notes"),
    "line_no": Column("Line", "id"),
    "reason": Column("Reason"),
    "raw": Column("Row as read"),
    "queue": Column("Queue"),
    "owner": Column("Owner"),
    "legs": Column("Call legs", "count"),
    "first_interval": Column("First interval", "time"),
    "last_interval": Column("Last interval", "time"),
    "call_id": Column("Call id"),
    "file": Column("File"),
    "line": Column("Line", "id"),
    "first_event": Column("First event", "time"),
    "kept_at": Column("Kept since", "time"),
    "waited_s": Column("Waited (s)", "count"),
    "missing": Column("Missing half"),
    "waited": Column("Waited"),
    # agreement and opening-hours versions
    "agreement_id": Column("Version", "id"),
    "version_id": Column("Version", "id"),
    "valid_from": Column("Valid from", "date"),
    "version": Column("Version", "id"),
    "rule": Column("Rule"),
    "valid_to": Column("Replaced on", "date", _REPLACED),
    "sl_variant": Column("Service-level variant"),
    "quality_judgement": Column("Quality judged on"),
    **{name: Column(label, _FORM_KINDS[kind]) for name, label, kind in AGREEMENT_FIELDS},
    "hours": Column("Open"),
    "created_at": Column("Recorded", "time"),
    # access grants and the audit log
    "granted": Column("Granted", "time"),
    "when": Column("When", "time"),
    "created_by": Column("Recorded by"),
    "note": Column("Note"),
    # QA evaluations
    "evaluation_id": Column("Evaluation"),
    "evaluated_local": Column("Evaluated", "time"),
    "agent_id": Column("Agent"),
    "evaluator": Column("Evaluator"),
    "is_calibration": Column("Calibration", "flag", "Calibration evaluations are left out of the averages."),
    "calibration_session": Column("Calibration session"),
    "items_applicable": Column("Items scored", "count"),
    "items_na": Column("Items N/A", "count"),
    "critical_failed": Column("Critical items failed", "count", "Critical or fatal items missed: the critical-error rate."),
    "fatal_failed": Column("Fatal items failed", "count", "Failing a fatal item sets the score to 0."),
    "score": Column("Score", "percent"),
    "raw_score": Column("Score without the fatal zero", "percent"),
    # who sampled what (metrics.sampling)
    "evaluations": Column("Evaluations", "count"),
    "answered": Column("Answered calls", "count"),
    "evaluation_share": Column("Share of evaluations", "percent"),
    "answered_share": Column("Share of answered calls", "percent"),
    "week": Column("Week"),
    "weekday": Column("Weekday"),
    "hour of day": Column("Hour of day"),
    # a scorecard's figures
    "family": Column("Family"),
    "figure": Column("Figure"),
    "value": Column("Value", "number", "In the figure's unit: fractions as 0.8 for 80 %."),
    "shown": Column("Shown"),
    "target": Column("Target"),
    "status": Column("Status"),
    "previous": Column("Previous period", "number"),
    "numerator": Column("Numerator", "number"),
    "denominator": Column("Denominator", "number"),
    "sample_size": Column("Sample (n)", "count"),
    "partner": Column("Partner"),
    # the overview and the availability summary: a value, its status and (quality) its sample per metric
    **{name: Column(metric(name).label, _UNITS.get(metric(name).unit, "number"), metric(name).description)
       for name in _FIGURES},
    **{f"{name}_status": Column("status", help=f"{metric(name).label} against the agreement in force")
       for name in _FIGURES},
    **{f"{name}_n": Column("n", "count", f"{metric(name).label}: {metric(name).sample or 'the sample'}")
       for name in _FIGURES},
    "intervals_met": Column("Intervals met", "count", _INTERVALS),
    "intervals_missed": Column("Intervals missed", "count", _INTERVALS),
}

def _config(column: Column, pinned: bool) -> object:
    kind, options = column.kind, {"label": column.label, "help": column.help, "pinned": pinned or None}
    cc = st.column_config
    if kind == "percent":
        return cc.NumberColumn(format="percent", **options)
    if kind in ("count", "id"):
        return cc.NumberColumn(format="%,d" if kind == "count" else "%d", **options)
    if kind == "seconds":
        return cc.NumberColumn(format="%,.0f s", **options)
    if kind == "hours":
        return cc.NumberColumn(format="%,.1f h", **options)
    if kind == "number":
        return cc.NumberColumn(format="%,.1f", **options)
    if kind == "time":
        return cc.DatetimeColumn(format="YYYY-MM-DD HH:mm", **options)
    if kind == "date":
        return cc.DateColumn(format="YYYY-MM-DD", **options)
    if kind == "flag":
        return cc.CheckboxColumn(**options)
    return cc.TextColumn(**options)


def config(frame: pd.DataFrame) -> dict[str, object]:
    """The column_config for a frame: every known column labelled, the partner column pinned."""
    return {name: _config(COLUMNS[name], name == "partner") for name in frame.columns if name in COLUMNS}


def has_times(frame: pd.DataFrame) -> bool:
    """Whether the table shows a local time, so the zone is said once beneath it."""
    return any(name in COLUMNS and COLUMNS[name].kind == "time" for name in frame.columns)
