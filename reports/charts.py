"""Chart builders: pure functions from a tidy DataFrame to an Altair chart.

They live beside the metrics, not in the app, because the service-meeting exports render the same
charts to PDF: one builder per picture, so the screen and the paper cannot drift apart. None of them
reads the database or imports streamlit; each documents the columns it needs, and a status is
always drawn with a word or a shape beside its colour (the words are metrics.statuses.ICONS).
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
from altair.utils import schemapi
from altair.vegalite.v6.api import _dataset_name

from data import i18n
from data.i18n import N_, _
from metrics import statuses
from partners import periods

Chart = alt.TopLevelMixin

# Altair's debug mode validates every schema object against the Vega-Lite schema as it is made: 40-50
# validations a chart, a third of building one. tests/test_charts.py validates each builder's whole
# spec instead (`to_dict()`), so a page or a PDF builds its charts without it.
schemapi.disable_debug_mode()

# Shape and word per status, so a reader who cannot tell red from green still can read the chart.
STATUS_COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828", "no data": "#9e9e9e",
                  "no target": "#616161", "excused": "#1565c0", "provisional": "#6a1b9a",
                  "unsure": "#455a64"}
STATUS_SHAPES = {"green": "circle", "amber": "triangle-up", "red": "cross", "no data": "square",
                 "no target": "triangle-right", "excused": "diamond", "provisional": "triangle-down",
                 "unsure": "triangle-left"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # the English short names (weekdays() gives the reader's)
# A heatmap cell judged on fewer legs than this is drawn pale and writes its n: 0 % of one call is
# not the same fact as 0 % of fifty.
SMALL_CELL = 10
# What an interval can be (frames.interval_points); every partner's chart has the same legend, so
# their plots have the same width and line up.
INTERVAL_STATUSES = ("green", "red", "no data", "no target")
# A weekly chart's width where no page gives one (the PDF pack): ordinal weeks otherwise get 20 px each
# and their labels run together. On a page, Streamlit replaces it with the column's width.
WEEKLY_WIDTH = 400
_UNIT_WORDS = {"fraction": "%", "seconds": "s", "hours": "h", "points": N_("points")}


def weekdays() -> list[str]:
    """The short weekday names, Monday first, in the reader's language: Mon / mån."""
    return [i18n.weekday(index, short=True) for index in range(1, 8)]


def locale() -> dict:
    """Vega's number and time locale for the reader (data/i18n), with the percent sign the app writes
    in that language: '12,1 %' in Swedish; English charts keep d3's '12%'."""
    found = json.loads(json.dumps(i18n.chart_locale()))
    sign = i18n.percent_sign()
    found["number"]["percent"] = sign if sign.startswith("\u00a0") else "%"
    return found


def localised(chart: Chart) -> Chart:
    """The chart with the reader's number and time locale in its config (Vega-Lite `config.locale`):
    axes, legends and tooltips format 0,121 as '12,1 %' and November as 'nov.' in Swedish."""
    return chart.configure(locale=alt.Locale(**locale()))


def _percent_text(fraction: float) -> str:
    """A share as a chart cell writes it, the way its axis does: 90% / 90 %."""
    return i18n.number(fraction * 100, 0) + locale()["number"]["percent"]


def _axis_format(unit: str) -> str:
    return {"fraction": ".0%", "seconds": ",.0f", "count": ",.0f", "points": ".1f", "hours": ",.0f"}.get(unit, ".2f")


def _axis_title(label: str, unit: str) -> str:
    """An axis title with its unit, 'ASA (s)', so a number on the axis is never unitless."""
    word = _UNIT_WORDS.get(unit)
    return f"{label} ({_(word)})" if word else label


def _weekly(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with `week`, the label of each trend step: its `period` column when it has one
    ('2026-W47' or, for a monthly trend, '2026-11', as the period picker says them), else the ISO
    week of the Monday in `column` (a meeting frozen before months were kept). The x axis shows
    'W47' or 'Nov' under each point instead of a date-scale tick that falls between two points."""
    if "period" in frame:
        return frame.assign(week=frame["period"].astype(str))
    mondays = pd.to_datetime(frame[column]).dt.date
    return frame.assign(week=[periods.week(day).label for day in mondays])


# 'W52' for an ISO week label (2025-W52), the month's short name for a month label (2026-11: 'Nov').
STEP_LABEL = ("length(datum.label) == 7 ? utcFormat(toDate(datum.label + '-01T00:00:00Z'), '%b') "
              ": substring(datum.label, 5)")


def step_label() -> str:
    """STEP_LABEL in the reader's language: a week 'W52' in English, 'v. 52' in Swedish (the message
    'W{number}'), a month by its short name from the chart's time locale ('Nov' / 'nov.')."""
    before, _middle, after = _("W{number}").partition("{number}")
    if (before, after) == ("W", ""):
        return STEP_LABEL
    week = f"{json.dumps(before)} + parseInt(substring(datum.label, 6)) + {json.dumps(after)}"
    return STEP_LABEL.replace("substring(datum.label, 5)", week)


def _week_axis(title: str | None = None) -> alt.X:
    """Ordinal weeks or months in time order ('2025-W52' sorts before '2026-W01'), labelled 'W52' or 'Nov'."""
    return alt.X("week:O", title=title, sort="ascending", axis=alt.Axis(labelExpr=step_label(), labelAngle=0))


def trend_with_target(frame: pd.DataFrame, *, label: str, unit: str, title: str | None = None) -> Chart:
    """A metric over periods with the agreed target as a dashed step line.

    Columns: period_start (date), value (float or None = no data), target (float or None),
    sample_size (int: the calls, evaluations or answers behind the value). The target is a column,
    not a constant, because an agreement version can change it inside the 13 weeks.
    """
    fmt = _axis_format(unit)
    base = alt.Chart().encode(x=_week_axis())
    tooltip = [
        alt.Tooltip("week:N", title=_("period")),
        alt.Tooltip("value:Q", title=label, format=fmt),
        alt.Tooltip("target:Q", title=_("target"), format=fmt),
        alt.Tooltip("sample_size:Q", title=_("sample"), format=",.0f"),
    ]
    line = base.mark_line(point=True).encode(
        y=alt.Y("value:Q", title=_axis_title(label, unit), axis=alt.Axis(format=fmt)), tooltip=tooltip
    )
    target = base.mark_line(strokeDash=[6, 4], color="#555", interpolate="step-after").encode(
        y="target:Q", tooltip=tooltip
    )
    return localised(alt.layer(line, target, data=_weekly(frame, "period_start")).properties(
        title=title or _("{label} (dashed: target)").format(label=label), height=220, width=WEEKLY_WIDTH))


def volume_share_band(frame: pd.DataFrame) -> Chart:
    """The partner's share of the calls routed against the agreed band (min..max) and target.

    Columns: period_start, value (the share), share_min, share_target, share_max, calls_routed (the
    calls routed to the partner).
    """
    base = alt.Chart().encode(x=_week_axis())
    band = base.mark_area(opacity=0.2, color="#2e7d32", interpolate="step-after").encode(
        y=alt.Y("share_min:Q", title=_("share of calls routed (%)"), axis=alt.Axis(format=".0%")), y2="share_max:Q"
    )
    target = base.mark_line(strokeDash=[6, 4], color="#555", interpolate="step-after").encode(y="share_target:Q")
    share = base.mark_line(point=True).encode(
        y="value:Q",
        tooltip=[
            alt.Tooltip("week:N", title=_("period")),
            alt.Tooltip("value:Q", title=_("share"), format=".1%"),
            alt.Tooltip("share_min:Q", title=_("band min"), format=".1%"),
            alt.Tooltip("share_max:Q", title=_("band max"), format=".1%"),
            alt.Tooltip("calls_routed:Q", title=_("calls routed"), format=",.0f"),
        ],
    )
    return localised(alt.layer(band, target, share, data=_weekly(frame, "period_start")).properties(
        title=_("Volume share (band: agreed min-max)"), height=220, width=WEEKLY_WIDTH))


def forecast_vs_sent(frame: pd.DataFrame) -> Chart:
    """Legs sent to the partner per week against the forecast, with excused weeks marked by a word.

    Columns: week_start, forecast (None = no forecast), sent, excused (bool: the week's service level
    missed and is excused by days above forecast plus tolerance on which the partner was staffed as
    contracted, metrics.excusal).
    """
    long, excused = _forecast_rows(frame)
    names = _forecast_series()
    base = alt.Chart(long).encode(x=_week_axis())
    bars = base.mark_bar(opacity=0.8).encode(
        xOffset="series:N",
        y=alt.Y("legs:Q", title=_("legs"), stack=None),
        color=alt.Color("series:N", scale=alt.Scale(domain=names, range=["#90a4ae", "#1565c0"]),
                        legend=alt.Legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("week:N", title=_("week")), alt.Tooltip("series:N", title=_("series")),
                 alt.Tooltip("legs:Q", title=_("legs"), format=",.0f"), alt.Tooltip("excused:N", title=_("excused"))],
    )
    marks = (
        alt.Chart(excused)
        .mark_text(dy=-8, fontWeight="bold", color=STATUS_COLOURS["excused"])
        .encode(x="week:O", y="sent:Q", text=alt.value(_("excused")))
    )
    title = alt.TitleParams(_("Legs sent against forecast"),
                            subtitle=_("excused: met without the days above forecast + tolerance staffed as contracted"))
    return localised(alt.layer(bars, marks).properties(title=title, height=180))  # + subtitle and legend: level with its neighbour


def _forecast_series() -> list[str]:
    """The forecast chart's two series as its legend names them, in the reader's language."""
    return [_("forecast"), _("sent")]


def _forecast_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forecast chart's two datasets: a row per week and series (the bars), and the excused weeks
    (the words above them)."""
    weekly = _weekly(frame, "week_start")
    names = _forecast_series()
    long = (weekly.rename(columns=dict(zip(["forecast", "sent"], names)))
            .melt(id_vars=["week", "excused"], value_vars=names, var_name="series", value_name="legs"))
    return long, weekly[weekly["excused"].fillna(False).astype(bool)]


def sl_heatmap(frame: pd.DataFrame) -> Chart:
    """Service level by weekday and hour, with the percentage written in each cell.

    Columns: weekday (1 = Monday), hour (0-23), service_level (None = no data), offered, numerator
    (answered within T), denominator (the legs judged: the cell's n). A cell with fewer than
    SMALL_CELL legs judged is pale and writes its n beside the percentage.
    """
    days = weekdays()
    many, few_legs = _heatmap_samples()
    base = alt.Chart().encode(
        x=alt.X("hour:O", title=_("hour (reporting time zone)"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:N", sort=days, title=None, axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("service_level:Q", title=_("service level"),
                        scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1]), legend=alt.Legend(format=".0%")),
        opacity=alt.Opacity("sample:N", legend=None,  # the subtitle says it; a second legend is cut off below the first
                            scale=alt.Scale(domain=[many, few_legs], range=[1.0, 0.35])),
        tooltip=[
            alt.Tooltip("day:N", title=_("day")), alt.Tooltip("hour:O", title=_("hour")),
            alt.Tooltip("service_level:Q", title=_("service level"), format=".0%"),
            alt.Tooltip("numerator:Q", title=_("answered within T"), format=",.0f"),
            alt.Tooltip("denominator:Q", title=_("n (legs judged)"), format=",.0f"),
            alt.Tooltip("offered:Q", title=_("offered legs"), format=",.0f"),
        ],
    )
    text = base.mark_text(fontSize=9).encode(text="text:N")
    return localised(alt.layer(cells, text, data=_heatmap_rows(frame)).properties(
        title=alt.TitleParams(_("Service level by weekday and hour"),
                              subtitle=_("pale cells: fewer than {count} legs judged").format(count=SMALL_CELL)),
        height=alt.Step(24),
    ))


def _heatmap_samples() -> tuple[str, str]:
    """The heatmap's two sample classes as its legend and rows name them: many legs, few legs."""
    return _("n ≥ {count} legs").format(count=SMALL_CELL), _("n < {count} legs").format(count=SMALL_CELL)


def _heatmap_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sl_heatmap draws: each cell with its weekday's name, its sample class and its text."""
    small = frame["denominator"] < SMALL_CELL
    days = weekdays()
    many, few_legs = _heatmap_samples()
    return frame.assign(
        day=frame["weekday"].map(lambda d: days[int(d) - 1]),
        sample=small.map({True: few_legs, False: many}),
        text=[("" if pd.isna(level) else _percent_text(level)) + (f" n={i18n.number(n)}" if few else "")
              for level, n, few in zip(frame["service_level"], frame["denominator"], small)],
    )


INTERVAL = pd.Timedelta(minutes=15)


def runs(starts: pd.Series) -> pd.Series:
    """A number per run of consecutive 15-minute intervals: a line drawn per run breaks where the
    partner was closed or had no calls, instead of inventing a straight line across the night."""
    return (pd.to_datetime(starts).diff() != INTERVAL).cumsum()


def staffing(frame: pd.DataFrame) -> Chart:
    """Agents needed by Erlang C against agents logged in, per interval.

    Columns: interval_start (local timestamp), agents_needed, agents_logged_in (None = no staffing data).
    """
    series = _staffing_series()
    return localised(
        alt.Chart(_staffing_rows(frame))
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("interval_start:T", title=None, axis=alt.Axis(format="%a %d %H:%M", labelAngle=0)),
            y=alt.Y("agents:Q", title=_("agents")),
            color=alt.Color("series:N", scale=alt.Scale(domain=series, range=["#c62828", "#1565c0"]),
                            title=_("series")),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=[[6, 4], [1, 0]]),
                                      title=_("series")),
            detail="run:N",  # one line per run of consecutive intervals: none drawn through closed hours
            tooltip=[alt.Tooltip("interval_start:T", title=_("interval")), alt.Tooltip("series:N", title=_("series")),
                     alt.Tooltip("agents:Q", title=_("agents"), format=".1f")],
        )
        .properties(title=_("Agents needed (Erlang C, dashed) against logged in"), height=220)
    )


def _staffing_series() -> list[str]:
    """The staffing chart's two series as its legend and rows name them."""
    return [_("needed"), _("logged in")]


def _staffing_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows the staffing chart draws: one per interval and series, with its run of intervals."""
    series = _staffing_series()
    named = frame.rename(columns=dict(zip(["agents_needed", "agents_logged_in"], series)))
    named["run"] = runs(named["interval_start"])
    return named.melt(id_vars=["interval_start", "run"], value_vars=series, var_name="series", value_name="agents")


def interval_attainment(frame: pd.DataFrame, *, title: str, start: str, end: str) -> Chart:
    """One partner's service level per 15-minute interval, each point shaped and coloured by met /
    missed, over the whole period (`start`..`end`, local ISO days) so partners' charts line up.

    Columns: interval_start, service_level, offered, status ('green'|'red'|'no data'|'no target').
    One chart per partner rather than a facet: a facet cannot take the page's width.
    """
    shown = list(INTERVAL_STATUSES)
    days = [alt.DateTime(year=int(d[:4]), month=int(d[5:7]), date=int(d[8:10])) for d in (start, end)]
    words = json.dumps({status: statuses.text(status) for status in shown}, ensure_ascii=False)
    legend = alt.Legend(title=_("status"), labelExpr=f"{words}[datum.label]")
    return localised(
        alt.Chart(frame)
        .mark_point(filled=True, size=30)
        .encode(
            x=alt.X("interval_start:T", title=None, scale=alt.Scale(domain=days),
                    axis=alt.Axis(format="%a %d %H:%M", labelAngle=0)),
            y=alt.Y("service_level:Q", title=_("service level (%)"), axis=alt.Axis(format=".0%")),
            color=alt.Color("status:N", scale=alt.Scale(domain=shown, range=[STATUS_COLOURS[s] for s in shown]),
                            legend=legend),
            shape=alt.Shape("status:N", scale=alt.Scale(domain=shown, range=[STATUS_SHAPES[s] for s in shown]),
                            legend=legend),
            tooltip=[alt.Tooltip("interval_start:T", title=_("interval"), format="%a %d %b %H:%M"),
                     alt.Tooltip("service_level:Q", title=_("service level"), format=".0%"),
                     alt.Tooltip("offered:Q", title=_("offered legs")), alt.Tooltip("status:N", title=_("status"))],
        )
        .properties(title=title, height=140)
    )


def qa_by_section(frame: pd.DataFrame) -> Chart:
    """QA score per form section, the partner beside in-house, with the number of evaluations.

    Columns: section, who ('partner name' or 'in-house'), score (0..1), evaluations.
    """
    base = alt.Chart().encode(y=alt.Y("section:N", title=None, sort=None), yOffset="who:N")  # the form's order
    bars = base.mark_bar().encode(
        x=alt.X("score:Q", title=_("QA score (%)"), axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("who:N", title=None),
        tooltip=[alt.Tooltip("section:N", title=_("section")), alt.Tooltip("who:N", title=_("who")),
                 alt.Tooltip("score:Q", title=_("score"), format=".1%"),
                 alt.Tooltip("evaluations:Q", title=_("evaluations"))],
    )
    labels = (
        base.transform_calculate(n="'n=' + datum.evaluations")
        .mark_text(align="left", dx=3)
        .encode(x="score:Q", text="n:N")
    )
    return localised(alt.layer(bars, labels, data=frame).properties(title=_("QA score by section (n = evaluations)")))


def calibration_spread(frame: pd.DataFrame) -> Chart:
    """Each evaluator's mean distance from the agreed (or median) score in calibration sessions.

    Columns: evaluator, spread (0..1, absolute distance), evaluations (calibration evaluations).
    """
    return localised(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("spread:Q", title=_("mean distance from agreed score (% points)"), axis=alt.Axis(format=".0%")),
            y=alt.Y("evaluator:N", sort="-x", title=None),
            tooltip=[alt.Tooltip("evaluator:N", title=_("evaluator")),
                     alt.Tooltip("spread:Q", title=_("spread"), format=".1%"),
                     alt.Tooltip("evaluations:Q", title=_("evaluations"))],
        )
        .properties(title=_("Calibration spread per evaluator"))
    )


# Builders whose Vega-Lite spec has the same shape for every frame, only its rows differing, with the
# datasets each puts in the spec, in the spec's order (the frame as the builder transforms it before
# Altair sees it).
_SAME_SHAPE: dict[str, Callable[[pd.DataFrame], tuple[pd.DataFrame, ...]]] = {
    "trend_with_target": lambda frame: (_weekly(frame, "period_start"),),
    "volume_share_band": lambda frame: (_weekly(frame, "period_start"),),
    "forecast_vs_sent": _forecast_rows,
    "interval_attainment": lambda frame: (frame,),
    "qa_by_section": lambda frame: (frame,),
    "calibration_spread": lambda frame: (frame,),
    "sl_heatmap": lambda frame: (_heatmap_rows(frame),),
    "staffing": lambda frame: (_staffing_rows(frame),),
}


def _interval_patch(spec: dict, *, title: str, start: str, end: str) -> None:
    """Put an interval chart's title and days into a shape built for other ones, where Altair writes them."""
    spec["title"] = title
    domain = spec["encoding"]["x"]["scale"]["domain"]
    spec["encoding"]["x"]["scale"]["domain"] = [
        {key: {"year": int(day[:4]), "month": int(day[5:7]), "date": int(day[8:10])}[key] for key in shown}
        for day, shown in zip((start, end), domain, strict=True)]


# Options a builder's shape does not depend on but for where they are written: the shape is kept
# without them and they are put in each time (an interval chart's partner and days: every period
# not seen would otherwise build its charts with Altair again).
_PATCHED: dict[str, tuple[tuple[str, ...], Callable[..., None]]] = {
    "interval_attainment": (("title", "start", "end"), _interval_patch),
}
# The shape (a spec as JSON, its rows left out and each dataset's name a placeholder) per builder,
# options and reader's language.
_SHAPES: dict[tuple, str] = {}
_MOST_SHAPES = 512
_PLACE = "@dataset-{}@"


def spec(builder: Callable[..., Chart], frame: pd.DataFrame, **options: object) -> dict:
    """`builder(frame, **options).to_dict(validate=False)`, without building the Altair objects again
    for a builder in _SAME_SHAPE: its shape is built with Altair the first time (per options and
    language) and each later call puts the frame's rows in, sanitised as Altair does (dates as ISO
    text, NaN as null) and named as Altair names them (a hash of the rows), so two charts' datasets
    never share a name. Building and converting the objects cost ~0.1 s a chart (docs/benchmarks.md).
    Datasets with the same rows (two empty ones) are one dataset in Altair's spec: those go through Altair."""
    rows_of = _SAME_SHAPE.get(builder.__name__)
    if rows_of is None:
        return builder(frame, **options).to_dict(validate=False)
    values = [_values(rows) for rows in rows_of(frame)]
    names = [_dataset_name(rows) for rows in values]
    patched, patch = _PATCHED.get(builder.__name__, ((), None))
    kept = tuple(sorted((name, value) for name, value in options.items() if name not in patched))
    key = (builder.__name__, kept, i18n.current())
    shape = _SHAPES.get(key)
    if shape is None or len(set(names)) < len(names):
        made = builder(frame, **options).to_dict(validate=False)
        if shape is None and list(made.get("datasets", {})) == names:
            if len(_SHAPES) >= _MOST_SHAPES:
                _SHAPES.clear()
            _SHAPES[key] = _shape(made, names)
        return made
    for place, name in enumerate(names):
        shape = shape.replace(json.dumps(_PLACE.format(place)), json.dumps(name))
    made = json.loads(shape)
    made["datasets"] = dict(zip(names, values))
    if patch is not None:
        patch(made, **{option: options[option] for option in patched})
    return made


def _shape(made: dict, names: list[str]) -> str:
    """A spec as JSON without its rows, each dataset's name (its only mention: `"name": "data-<hash>"`)
    a numbered placeholder."""
    shape = json.dumps({**made, "datasets": None})
    for place, name in enumerate(names):
        shape = shape.replace(json.dumps(name), json.dumps(_PLACE.format(place)))
    return shape


def _values(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as Altair's default data transformer writes them into a spec
    (altair.utils.core.sanitize_pandas_dataframe, then one dict a row): numbers as Python numbers with
    NaN and infinities as None, a timestamp as its ISO text (NaT as ''), dates and text as they are.
    Column by column in plain Python, a few microseconds where pandas' copy-and-replace takes 12 ms;
    a frame holding anything else (another dtype, a long frame Altair refuses) goes through Altair."""
    if (alt.data_transformers.active != "default" or len(frame) > 5000 or isinstance(frame.columns, pd.RangeIndex)
            or isinstance(frame.index, pd.MultiIndex) or not all(isinstance(name, str) for name in frame.columns)):
        return alt.data_transformers.get()(frame)["values"]
    columns = {}
    for name, dtype in frame.dtypes.items():
        column = _column(frame[name], dtype)
        if column is None:
            return alt.data_transformers.get()(frame)["values"]
        columns[name] = column
    return [dict(zip(columns, row)) for row in zip(*columns.values())] if columns else [{} for _ in range(len(frame))]


# pandas' own dtypes Altair writes as objects with the missing values as None.
_MISSING_AS_NONE = frozenset({"category", "string", "str", "boolean", "Int8", "Int16", "Int32", "Int64", "UInt8",
                              "UInt16", "UInt32", "UInt64", "Float32", "Float64"})


def _column(column: pd.Series, dtype: object) -> list | None:
    """One column's values as _values writes them, or None for what only Altair should convert."""
    if str(dtype) in _MISSING_AS_NONE:  # text (pandas 3's default for words), nullable numbers: missing as None
        return [None if missing else value
                for value, missing in zip(column.astype(object).tolist(), column.isna().tolist(), strict=True)]
    if not isinstance(dtype, np.dtype):  # pandas' other own dtypes (time zones, intervals)
        return None
    if dtype.kind in "iub":
        return column.tolist()
    if dtype.kind == "f":
        return [None if math.isnan(value) or math.isinf(value) else value for value in column.tolist()]
    if dtype.kind == "M":
        return ["" if value is pd.NaT else value.isoformat() for value in column]
    if dtype.kind == "O":
        values = column.tolist()
        if all(value is None or isinstance(value, str | dt.date) for value in values):  # a Timestamp is a date
            return [None if value is None or value is pd.NaT else value for value in values]
    return None
