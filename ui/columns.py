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

from data import i18n
from data.i18n import N_, _
from metrics.definitions import metric
from reports import views


@dataclass(frozen=True)
class Column:
    """A column as shown: its label and help marked for translation (translated when drawn, in the
    reader's language); `figure`, a metric's key, names that metric in them ({metric}, {sample})."""

    label: str
    kind: str = "text"   # text | percent | count | seconds | number | hours | time | date | flag
    help: str | None = None
    figure: str | None = None
    choices: dict[str, str] | None = None  # a stored value -> its words (marked), for a column of choices

    def said(self) -> tuple[str, str | None]:
        """The label and help in the reader's language."""
        if self.figure is None:
            return _(self.label), _(self.help) if self.help else None
        about = metric(self.figure)
        names = {"metric": _(about.label), "description": _(about.description),
                 "sample": _(about.sample) if about.sample else _("the sample")}
        return (_(self.label).format(**names) if self.label else names["metric"],
                _(self.help).format(**names) if self.help else names["description"])


# (field, label, kind): the agreement form and the versions table say a target the same way;
# kind "%" is entered in percent and stored as a fraction.
AGREEMENT_FIELDS = (
    ("sl_target", N_("Service-level target"), "%"),
    ("sl_threshold_s", N_("Threshold T (s)"), "int"),
    ("short_abandon_s", N_("Short abandon S (s)"), "int"),
    ("abandon_rate_max", N_("Abandon rate max"), "%"),
    ("asa_max_s", N_("ASA max (s)"), "float"),
    ("share_min", N_("Volume share min"), "%"),
    ("share_target", N_("Volume share target"), "%"),
    ("share_max", N_("Volume share max"), "%"),
    ("qa_min", N_("QA score min"), "%"),
    ("fcr_min", N_("FCR min"), "%"),
    ("fcr_days", N_("FCR repeat window (days)"), "int"),
    ("transfer_back_max", N_("Transfer-back max"), "%"),
    ("csat_min", N_("CSAT min (top two boxes)"), "%"),
    ("nps_min", N_("NPS min"), "float"),
    ("forecast_tolerance", N_("Forecast tolerance"), "%"),
    ("amber_tolerance", N_("Amber tolerance"), "%"),
    ("staffed_floor", N_("Staffed floor for an excused miss"), "%"),
    ("turned_away_max", N_("Turned-away rate max"), "%"),
    ("overflow_after_s", N_("In-house wait before overflow (s)"), "int"),
    ("calls_week_min", N_("Minimum calls a week"), "int"),
    ("calls_month_min", N_("Minimum calls a month"), "int"),
    ("agent_hours_week_min", N_("Minimum agent-hours a week"), "float"),
    ("agent_hours_month_min", N_("Minimum agent-hours a month"), "float"),
    ("credit_month_cap", N_("Credits: month cap"), "float"),
    ("critical_error_max", N_("Critical-error rate max"), "%"),
    ("qa_min_n", N_("Fewest evaluations to judge QA"), "int"),
    ("critical_error_min_n", N_("Fewest evaluations to judge critical errors"), "int"),
    ("fcr_min_n", N_("Fewest answered legs to judge FCR"), "int"),
    ("transfer_back_min_n", N_("Fewest answered legs to judge transfer-back"), "int"),
    ("csat_min_n", N_("Fewest CSAT answers to judge CSAT"), "int"),
    ("nps_min_n", N_("Fewest NPS answers to judge NPS"), "int"),
)
_FORM_KINDS = {"%": "percent", "int": "count", "float": "number"}

# The agreement's choices in words (the stored values stay these keys; the form offers them the same way).
SL_VARIANTS = {"abandons-count": N_("abandons count"), "answered-only": N_("answered only"),
               "abandons-within-met": N_("abandons within the threshold count as met"),
               "with-overflow": N_("with overflow")}
JUDGEMENTS = {"interval": N_("interval"), "point": N_("point value")}
# What an import held, and the scorecard's families of figures, in words.
DATA_KINDS = {"call_legs": N_("call legs"), "surveys": N_("survey answers"), "staffing": N_("staffing"),
              "forecasts": N_("forecasts"), "invoice_lines": N_("invoice lines"), "qa": N_("QA evaluations")}
FAMILIES = {"volume": N_("volume"), "availability": N_("availability"), "customer": N_("the customer's call"),
            "quality": N_("quality"), "centre": N_("the centre's side")}

_UNITS = {"fraction": "percent", "seconds": "seconds", "count": "count", "hours": "hours"}
_FIGURES = dict.fromkeys((*views.OVERVIEW_METRICS, *views.CENTRE_METRICS, *views.AVAILABILITY_SUMMARY,
                          *views.QUEUE_COLUMNS[1:]))  # in order, once each
_INTERVALS = N_("15-minute intervals inside opening hours; – where there is no interval target (in-house).")
_REPLACED = N_("The first day of the next version; – while this version is in force (until the next version).")

COLUMNS: dict[str, Column] = {
    # import history, rejected rows, freshness, queue-log waiting
    "batch_id": Column(N_("Import"), "id"),
    "finished": Column(N_("Finished"), "time"),
    "kind": Column(N_("Data"), choices=DATA_KINDS),
    "profile": Column(N_("Profile")),
    "file_name": Column(N_("File")),
    "imported_by": Column(N_("Imported by")),
    "read": Column(N_("Rows read"), "count", N_("read = imported + duplicates + filtered + rejected")),
    "imported": Column(N_("Imported"), "count"),
    "duplicates": Column(N_("Duplicates"), "count"),
    "filtered": Column(N_("Filtered"), "count"),
    "rejected": Column(N_("Rejected"), "count"),
    "filtered_by": Column(N_("Filtered by rule")),
    "notes": Column(N_("Notes")),
    "line_no": Column(N_("Line"), "id"),
    "reason": Column(N_("Reason")),
    "raw": Column(N_("Row as read")),
    "queue": Column(N_("Queue")),
    "owner": Column(N_("Owner"), choices={"in-house": N_("in-house")}),
    "legs": Column(N_("Call legs"), "count"),
    "first_interval": Column(N_("First interval"), "time"),
    "last_interval": Column(N_("Last interval"), "time"),
    "call_id": Column(N_("Call id")),
    "file": Column(N_("File")),
    "line": Column(N_("Line"), "id"),
    "first_event": Column(N_("First event"), "time"),
    "kept_at": Column(N_("Kept since"), "time"),
    "waited_s": Column(N_("Waited (s)"), "count"),
    "missing": Column(N_("Missing half")),
    "waited": Column(N_("Waited")),
    # agreement and opening-hours versions
    "agreement_id": Column(N_("Version"), "id"),
    "version_id": Column(N_("Version"), "id"),
    "valid_from": Column(N_("Valid from"), "date"),
    "version": Column(N_("Version"), "id"),
    "rule": Column(N_("Rule")),
    "valid_to": Column(N_("Replaced on"), "date", _REPLACED),
    "sl_variant": Column(N_("Service-level variant"), choices=SL_VARIANTS),
    "quality_judgement": Column(N_("Quality judged on"), choices=JUDGEMENTS),
    **{name: Column(label, _FORM_KINDS[kind]) for name, label, kind in AGREEMENT_FIELDS},
    "hours": Column(N_("Open")),
    "created_at": Column(N_("Recorded"), "time"),
    # access grants and the audit log
    "granted": Column(N_("Granted"), "time"),
    "when": Column(N_("When"), "time"),
    "created_by": Column(N_("Recorded by")),
    "email": Column(N_("Email")),
    "role": Column(N_("Role")),
    "language": Column(N_("Language")),
    "granted by": Column(N_("Granted by")),
    "who": Column(N_("Who")),
    "what": Column(N_("What")),
    "detail": Column(N_("Detail")),
    "note": Column(N_("Note")),
    # QA evaluations
    "evaluation_id": Column(N_("Evaluation")),
    "evaluated_local": Column(N_("Evaluated"), "time"),
    "agent_id": Column(N_("Agent")),
    "evaluator": Column(N_("Evaluator")),
    "is_calibration": Column(N_("Calibration"), "flag", N_("Calibration evaluations are left out of the averages.")),
    "calibration_session": Column(N_("Calibration session")),
    "items_applicable": Column(N_("Items scored"), "count"),
    "items_na": Column(N_("Items N/A"), "count"),
    "critical_failed": Column(N_("Critical items failed"), "count", N_("Critical or fatal items missed: the critical-error rate.")),
    "fatal_failed": Column(N_("Fatal items failed"), "count", N_("Failing a fatal item sets the score to 0.")),
    "score": Column(N_("Score"), "percent"),
    "raw_score": Column(N_("Score without the fatal zero"), "percent"),
    # who sampled what (metrics.sampling)
    "evaluations": Column(N_("Evaluations"), "count"),
    "answered": Column(N_("Answered calls"), "count"),
    "evaluation_share": Column(N_("Share of evaluations"), "percent"),
    "answered_share": Column(N_("Share of answered calls"), "percent"),
    "week": Column(N_("Week")),
    "weekday": Column(N_("Weekday")),
    "hour of day": Column(N_("Hour of day")),
    # a scorecard's figures
    "family": Column(N_("Family"), choices=FAMILIES),
    "figure": Column(N_("Figure")),
    "value": Column(N_("Value"), "number", N_("In the figure's unit: fractions as 0.8 for 80 %.")),
    "shown": Column(N_("Shown")),
    "target": Column(N_("Target")),
    "status": Column(N_("Status")),
    "previous": Column(N_("Previous period"), "number"),
    "numerator": Column(N_("Numerator"), "number"),
    "denominator": Column(N_("Denominator"), "number"),
    "sample_size": Column(N_("Sample (n)"), "count"),
    "partner": Column(N_("Partner")),
    # the overview and the availability summary: a value, its status and (quality) its sample per metric
    **{name: Column("", _UNITS.get(metric(name).unit, "number"), figure=name) for name in _FIGURES},
    **{f"{name}_status": Column(N_("status"), help=N_("{metric} against the agreement in force"), figure=name)
       for name in _FIGURES},
    **{f"{name}_n": Column(N_("n"), "count", N_("{metric}: {sample}"), figure=name) for name in _FIGURES},
    "interval_low": Column(N_("Interval low"), "number", N_("The low end of the 95 % interval.")),
    "interval_high": Column(N_("Interval high"), "number", N_("The high end of the 95 % interval.")),
    "intervals_met": Column(N_("Intervals met"), "count", _INTERVALS),
    "intervals_missed": Column(N_("Intervals missed"), "count", _INTERVALS),
}

def _config(column: Column, pinned: bool) -> object:
    label, help_text = column.said()
    kind, options = column.kind, {"label": label, "help": help_text, "pinned": pinned or None}
    cc = st.column_config
    if kind in _WRITTEN and i18n.current() != i18n.DEFAULT:
        return cc.TextColumn(**options)  # written by data/i18n in the reader's way (see `shown`)
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


# How each kind of number is written as text for a reader whose language is not English: the table's
# own formats (printf-style, drawn by the browser) write 19,170 and 12.1 whatever the language.
_WRITTEN = {
    "percent": lambda v: i18n.percent(v, 1),
    "count": lambda v: i18n.number(v, 0),
    "seconds": lambda v: f"{i18n.number(v, 0)} s",
    "hours": lambda v: f"{i18n.number(v, 1)} h",
    "number": lambda v: i18n.number(v, 1),
}


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the screen shows it: in English as it is (the table formats its numbers); in
    another language its numbers written by data/i18n as text (a missing one stays missing). The
    CSV download is made from the frame itself, so it keeps plain numbers in every language."""
    if i18n.current() == i18n.DEFAULT:
        return frame
    written = {name: COLUMNS[name].kind for name in frame.columns
               if name in COLUMNS and COLUMNS[name].kind in _WRITTEN and pd.api.types.is_numeric_dtype(frame[name])}
    chosen = {name: COLUMNS[name].choices for name in frame.columns if name in COLUMNS and COLUMNS[name].choices}
    if not written and not chosen:
        return frame
    frame = frame.copy()
    for name, kind in written.items():
        frame[name] = [None if pd.isna(v) else _WRITTEN[kind](v) for v in frame[name]]
    for name, words in chosen.items():
        frame[name] = [_(words[v]) if v in words else v for v in frame[name]]
    return frame


def config(frame: pd.DataFrame) -> dict[str, object]:
    """The column_config for a frame: every known column labelled, the partner column pinned."""
    return {name: _config(COLUMNS[name], name == "partner") for name in frame.columns if name in COLUMNS}


def has_times(frame: pd.DataFrame) -> bool:
    """Whether the table shows a local time, so the zone is said once beneath it."""
    return any(name in COLUMNS and COLUMNS[name].kind == "time" for name in frame.columns)
