"""Figures for people: values, targets, changes and samples in words. Pure formatting over metrics'
results: no SQL here, and no pandas or meeting reads, so that wording a figure (an alert raised after
an import, a command's line) loads neither; the tables the pages, the PDF and the Excel show, and a
meeting's record, are built with these words in reports/frames.py."""
from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from data import i18n
from data.i18n import N_, _, n_
from metrics import statuses
from metrics.definitions import BAND, BY_NAME, HIGHER, LOWER, metric
from metrics.misses import When
from metrics.scorecard import FAMILIES, Figure, Scorecard
from partners import periods

if TYPE_CHECKING:
    import pandas as pd

# What a person sees where there is nothing to show (a table cell, a line of the minutes, a sample):
# never Python's None. The mark of the no-data status ("– no data"); a CSV keeps the cell empty.
MISSING = "–"


# Characters that start a link, an image, emphasis, code, a directive (:red[...]) or HTML; '-', '.'
# and '+' only matter at the start of a line, which a value inside a sentence never is.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~$:])")


# Streamlit turns a bare URL, www. name or e-mail address into a link after the Markdown is parsed,
# escapes or not: an invisible WORD JOINER (U+2060) inside each keeps it text (it is not copied as
# a space, and a person reads the same characters).
WORD_JOINER = "\u2060"
AUTOLINKED = re.compile(r"(?<=:)(?=//)|(?=@)|(?<=www)(?=\.)", re.IGNORECASE)


def plain(text: str) -> str:
    """Text from data or a URL made safe for a place Streamlit reads as Markdown (st.info, st.caption,
    st.error): every Markdown character escaped, so a '[Sign in again](https://evil.example)' in a
    link stays those characters and never becomes a link, an image or styled text; bare URLs and
    e-mail addresses are kept from being linked (WORD_JOINER)."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return AUTOLINKED.sub(WORD_JOINER, escaped)


def is_missing(value: Any) -> bool:
    """None, NaN, pd.NA, NaT or empty text: nothing to show."""
    if isinstance(value, str):
        return not value.strip()
    if value is None or (isinstance(value, (float, Decimal)) and value != value):   # NaN: unequal to itself
        return True
    # pd.NA and NaT exist only once pandas is loaded, and only pandas tells them: asked only then, so
    # wording a figure never loads it
    pandas = sys.modules.get("pandas")
    return pandas is not None and bool(pandas.api.types.is_scalar(value) and pandas.isna(value))


def or_missing(value: Any) -> Any:
    """The value itself, or MISSING when there is none."""
    return MISSING if is_missing(value) else value


def sample_text(name: str, size: float | None, left_out: int | None = None) -> str:
    """A sample size with what it counts, so 19,170 is not read as calls: 597 forecast legs,
    19,170 contracted agent-minutes, 1,204 legs (the ratios over legs say no more); FCR's with the
    answered legs it left out (`left_out_text`)."""
    if is_missing(size):
        return MISSING
    sample = _(metric(name).sample or N_("legs"))
    counted = _("{count} {sample}").format(count=i18n.number(size), sample=sample)
    return f"{counted}; {left_out_text(left_out)}" if left_out else counted


def left_out_text(left_out: int | None) -> str:
    """The answered legs FCR could not judge, said beside its sample: without a usable customer id
    they would all look like one customer calling again."""
    return _("{count} left out (no usable customer id)").format(count=i18n.number(left_out)) if left_out else ""


def label(name: str) -> str:
    """A metric's label in the reader's language."""
    return _(metric(name).label)


def description(name: str) -> str:
    """What a metric is, in the reader's language (a column's or tile's help)."""
    return _(metric(name).description)


SL_LABEL = "Service level ("
# The agreement's service-level variants (their ids stay as the agreement stores them), in words.
SL_VARIANT_NAMES = {"abandons-count": N_("abandons-count"), "answered-only": N_("answered-only"),
                    "abandons-within-met": N_("abandons-within-met"), "with-overflow": N_("with-overflow")}


def figure_label(figure: Any) -> str:
    """A figure's label in the reader's language, by its metric key (a live Figure or a meeting's
    FrozenFigure, whose stored label is English): the service level names its agreed variant."""
    if figure.metric == "service_level" and figure.label.startswith(SL_LABEL):
        variant = figure.label[len(SL_LABEL):].removesuffix(")")
        return _("Service level ({variant})").format(variant=_(SL_VARIANT_NAMES.get(variant, variant)))
    return label(figure.metric) if figure.metric in BY_NAME else figure.label


def display(value: float | None, unit: str) -> str:
    """A figure as a person reads it: 81.3 %, 24 s, 1,204; 'no data' rather than 0 or blank."""
    if is_missing(value):
        return _("no data")
    if unit == "fraction":
        return i18n.percent(value, 1)
    if unit == "seconds":
        return _("{seconds} s").format(seconds=i18n.number(value))
    if unit == "count":
        return i18n.number(value)
    if unit == "hours":
        return _("{hours} h").format(hours=i18n.number(value, 1))
    return i18n.number(value, 1)


# The word the Agreements page gives each kind of target: a service level or QA score is a
# minimum, an abandon rate or ASA a maximum, volume share a band (a whole message each: '{amount}').
TARGET_WORDS = {HIGHER: N_("min {amount}"), LOWER: N_("max {amount}"), BAND: N_("band {amount}")}


def display_target(target: Any, unit: str, direction: str | None = None) -> str:
    """A target with the word for its kind ('min 80.0 %', 'max 30 s', 'band 10.0 %–16.0 %'), so a
    maximum is never read as a value to reach; 'none agreed' when there is none."""
    if target is None:
        return _("none agreed")
    if isinstance(target, (tuple, list)):
        low, high = target
        amount = f"{display(low, unit) if low is not None else '…'}–{display(high, unit) if high is not None else '…'}"
    else:
        amount = display(target, unit)
    word = TARGET_WORDS.get(direction or "")
    return _(word).format(amount=amount) if word else amount


def target_text(figure: Figure) -> str | None:
    """The target(s) a figure was judged against, in words; None when no part had one.

    A period judged in several agreement parts names each differing target with its days
    ('max 30 s to 23 Nov 2025, 40 s from 24 Nov 2025'), since its status is the worst part's and
    the later version alone would misstate what the first days were held to.
    """
    direction = metric(figure.definition).direction
    pieces: list[list[Any]] = []  # [first day, last day, target], consecutive parts with one target merged
    for part in figure.parts:
        if pieces and pieces[-1][2] == part.target:
            pieces[-1][1] = part.end - dt.timedelta(days=1)
        else:
            pieces.append([part.start, part.end - dt.timedelta(days=1), part.target])
    if all(target is None for *_, target in pieces):
        return None
    if len(pieces) <= 1:
        return display_target(figure.target, figure.unit, direction)
    words, said = [], False  # the kind ('max') is said once, until a part without a target breaks the run
    for i, (first, last, target) in enumerate(pieces):
        amount = _("no target") if target is None else display_target(target, figure.unit, None if said else direction)
        said = target is not None
        if i == 0:
            words.append(_("{amount} to {day}").format(amount=amount, day=periods.day_text(last)))
        elif i == len(pieces) - 1:
            words.append(_("{amount} from {day}").format(amount=amount, day=periods.day_text(first)))
        elif first == last:
            words.append(_("{amount} on {day}").format(amount=amount, day=periods.day_text(first)))
        else:
            words.append(_("{amount} {days}").format(amount=amount, days=periods.days_text(first, last)))
    return ", ".join(words)


def change_text(delta: float | None, unit: str) -> str | None:
    """A change as a person reads it: percentage points for fractions ('+11.4 pts'), otherwise
    signed and written as `display` writes the value ('+3 s', '+1,204'); None when a side has no data.
    The tiles, the screen's and the PDF's differences table all come here; Excel keeps the number."""
    if is_missing(delta):
        return None
    if unit == "fraction":
        return _("{change} pts").format(change=signed(delta * 100, 1))
    return sign(delta) + display(abs(delta), unit)


def sign(delta: float) -> str:
    """The sign a change is written with: '+', or the reader's minus ('-'; U+2212 in Swedish)."""
    return i18n.number(-1)[0] if delta < 0 else "+"


def signed(value: float, decimals: int) -> str:
    """A number with its sign always written, as Python's '+' format does: +11.4, -0.3 (+11,4, −0,3)."""
    return sign(value) + i18n.number(abs(value), decimals)


def interval_text(interval: Any, unit: str) -> str:
    """A 95 % interval in the figure's unit without repeating it: '78.1–86.0' for 78.1 %..86.0 %."""
    low, high = interval
    scale = 100 if unit == "fraction" else 1
    return f"{i18n.number(low * scale, 1)}–{i18n.number(high * scale, 1)}"


def evidence(figure: Any) -> str:
    """What a quality figure's status rests on: the value, its 95 % interval and n, and when n is below
    the agreement's minimum, that minimum ('82.3 % (78.1–86.0) · n = 412'; 'n = 9, fewer than 10').
    '' for a figure judged on its point value alone (a live Figure or a meeting's FrozenFigure)."""
    if getattr(figure, "interval", None) is None and getattr(figure, "min_n", None) is None:
        return ""
    if figure.value is None:
        return ""
    shown = display(figure.value, figure.unit)
    if figure.interval is not None:
        shown += f" ({interval_text(figure.interval, figure.unit)})"
    n = figure.sample_size
    if n is None:
        return shown
    few = figure.min_n is not None and n < figure.min_n and figure.status == statuses.UNSURE
    if few:
        return _("{value} · n = {n}, fewer than {least}").format(value=shown, n=i18n.number(n),
                                                                  least=i18n.number(figure.min_n))
    return _("{value} · n = {n}").format(value=shown, n=i18n.number(n))


def judged(status_text: str, figure: Any) -> str:
    """The status as icon and word with its evidence: '✔ met · 82.3 % (78.1–86.0) · n = 412'."""
    found = evidence(figure)
    return f"{status_text} · {found}" if found else status_text


def quality_change(figure: Any) -> str:
    """A quality figure's change from the period before with the test's verdict ('-6.3 pts, real change',
    '+1.2 pts, within noise', '+4.0 pts, too few to tell'); '–' without both values. For a live Figure or
    a meeting's FrozenFigure (one frozen before this was kept has no previous value: '–')."""
    previous = getattr(figure, "previous_value", None)
    if figure.value is None or previous is None:
        return MISSING
    said = change_text(figure.value - previous, figure.unit)
    verdict = {True: _("real change"), False: _("within noise")}.get(figure.change_real, _("too few to tell"))
    return f"{said}, {verdict}"


def change(figure: Figure) -> str | None:
    """The change of a tile's figure against the previous period (None when either has no data)."""
    if figure.value is None or figure.previous_value is None:
        return None
    return change_text(figure.value - figure.previous_value, figure.unit)


def change_chip(figure: Figure) -> tuple[str, str] | None:
    """A tile's change in words and its kind: an arrow, the change and better/worse by the metric's
    direction ('↓ -1.3 pts worse', kind 'worse'); a change that rounds to nothing ('-0 s',
    '+0.0 pts') is 'no change', neutral; a band or a neutral metric says no better/worse. None
    when either side has no data."""
    shown = change(figure)
    if shown is None:
        return None
    if not re.sub(r"\D", "", shown).strip("0"):
        return _("→ no change"), "neutral"
    up = not shown.startswith(("-", "\u2212"))
    arrow = "↑" if up else "↓"
    if figure.change_real is False:  # a quality figure whose change is within its sampling noise
        return _("{arrow} {change} within noise").format(arrow=arrow, change=shown), "neutral"
    if figure.change_real is None and figure.min_n is not None:  # either period below the figure's minimum
        return _("{arrow} {change} too few to tell").format(arrow=arrow, change=shown), "neutral"
    direction = metric(figure.definition).direction
    if direction not in (HIGHER, LOWER):
        return f"{arrow} {shown}", "neutral"
    better = up == (direction == HIGHER)
    if better:
        said = _("{arrow} {change} better (real change)") if figure.change_real else _("{arrow} {change} better")
    else:
        said = _("{arrow} {change} worse (real change)") if figure.change_real else _("{arrow} {change} worse")
    return said.format(arrow=arrow, change=shown), "better" if better else "worse"


def counted(count: int, noun: str) -> str:
    """'1 call leg', '2 call legs', '1,204 queues': a count with an English noun (regular plurals only).
    Words in the reader's language: `count_text(n_("{count} day", "{count} days", n), n)`."""
    return f"{i18n.number(count)} {noun}{'' if count == 1 else 's'}"


def count_text(message: str, count: int) -> str:
    """A counted message (n_ picks its plural form) with the count written the reader's way."""
    return message.format(count=i18n.number(count))


# How many points a trend chart has: weeks, or months for a month (periods.trend_step).
TREND_POINTS = 13


def trend_heading(period: periods.Period) -> str:
    """The heading over a period's trend charts: '13-week trends', or '13-month trends' for a month."""
    if periods.trend_step(period) == "month":
        return _("{count}-month trends").format(count=TREND_POINTS)
    return _("{count}-week trends").format(count=TREND_POINTS)


def trend_span(period: periods.Period) -> str:
    """The trend's span in a sentence: 'these 13 weeks' or 'these 13 months'."""
    if periods.trend_step(period) == "month":
        return _("these {count} months").format(count=TREND_POINTS)
    return _("these {count} weeks").format(count=TREND_POINTS)


def trend_step_of(labels: pd.Series) -> str:
    """The step of a trend from its point labels: 'month' for 2026-11, 'week' for 2026-W47 (or none kept)."""
    return "month" if len(labels) and labels.astype(str).str.fullmatch(r"\d{4}-\d{2}").all() else "week"


def in_sentence(label: str) -> str:
    """A metric's label inside a sentence: 'service level', but 'QA score' and 'NPS' keep their capitals."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


# The scorecard's sections as people read them, in the scorecard's order (metrics.scorecard.FAMILIES).
# English, marked: translate where shown, _(HEADINGS[family]).
HEADINGS = {"volume": N_("Volume"), "availability": N_("Availability"), "customer": N_("The customer's call"),
            "quality": N_("Quality"), "centre": N_("Centre's side")}
SECTIONS = tuple((family, HEADINGS[family]) for family in FAMILIES)
# What each section is about, under its heading.
SECTION_NOTES = {
    "customer": N_("The calls routed to the partner as the caller lived them: every wait, in-house and at the "
                   "partner, up to the answer."),
    "centre": N_("What the centre owes the partner (the volume band, the minimums, a fair forecast) and how it "
                 "routed: these are the centre's misses, not the partner's."),
}

# The Overview: a row per partner with its side of the agreement (in-house last, as the benchmark),
# and a second table with the centre's side of each partner's agreement.
OVERVIEW_METRICS = ("service_level", "abandon_rate", "asa_s", "customer_service_level", "qa_score", "fcr",
                    "transfer_back_rate", "csat_top2", "nps")
CENTRE_METRICS = ("volume_share", "calls_shortfall", "agent_hours_shortfall", "forecast_accuracy",
                  "calls_outside_hours", "calls_overflowed_early", "calls_back_and_forth")


def figure_columns(names: tuple[str, ...]) -> tuple[str, ...]:
    """Per figure its value, its sample (`<metric>_n`) for quality figures and the centre's side figures
    that have one, and its status (`<metric>_status`)."""
    return tuple(f"{name}{suffix}" for name in names
                 for suffix in ("", *(("_n",) if _sampled(name) else ()), "_status"))


def _sampled(name: str) -> bool:
    m = metric(name)
    return m.family == "quality" or (m.family == "centre" and m.sample is not None)


# The Overview's matrix: a short heading per figure, so nine figures fit 1000 px (the full label is
# the heading's hover text).
# English, marked: translate where shown, _(SHORT[name]).
SHORT = {"service_level": N_("SL"), "abandon_rate": N_("Aband."), "asa_s": N_("ASA"),
         "customer_service_level": N_("Cust. SL"), "qa_score": N_("QA"), "critical_error_rate": N_("Crit."),
         "fcr": N_("FCR"), "transfer_back_rate": N_("Back"), "csat_top2": N_("CSAT"), "nps": N_("NPS"),
         "volume_share": N_("Share"), "calls_shortfall": N_("Calls short"), "agent_hours_shortfall": N_("Hours short"),
         "forecast_accuracy": N_("Forecast"), "calls_outside_hours": N_("Closed"),
         "calls_overflowed_early": N_("Early"), "calls_back_and_forth": N_("Back & forth")}
# What each status means, in the order a legend lists them (English, marked: `status_meanings`).
STATUS_MEANINGS = (
    (statuses.GREEN, N_("the target is met")),
    (statuses.AMBER, N_("missed by less than the agreed tolerance")),
    (statuses.RED, N_("missed by more than the tolerance")),
    (statuses.EXCUSED, N_("a service-level miss that is met once the days the centre sent more than forecast, "
                          "with the partner staffed as contracted, are left out")),
    (statuses.PROVISIONAL, N_("FCR whose repeat window reaches past the newest data: judged once it is in")),
    (statuses.UNSURE, N_("a quality figure whose 95 % interval still holds the target, or judged on fewer "
                         "evaluations or answers than the agreement's minimum")),
    (statuses.NO_TARGET, N_("the agreement sets none")),
    (statuses.NO_DATA, N_("nothing to count")),
)


def heading(family: str) -> str:
    """A scorecard section's heading in the reader's language: 'Availability' / 'Tillgänglighet'."""
    return _(HEADINGS[family])


def section_note(family: str) -> str:
    """What a scorecard section is about, in the reader's language ('' for a section without a note)."""
    return _(SECTION_NOTES[family]) if family in SECTION_NOTES else ""


def short_label(name: str) -> str:
    """A figure's short heading in the Overview's matrix, in the reader's language: 'SL' / 'SN'."""
    return _(SHORT[name])


def status_meanings() -> tuple[tuple[str, str], ...]:
    """Each status with what it means, in the reader's language."""
    return tuple((status, _(meaning)) for status, meaning in STATUS_MEANINGS)


def weekday_name(index: int) -> str:
    """A weekday by ISO index 1 (Monday) to 7, in the reader's language."""
    return i18n.weekday(index)


@dataclass(frozen=True)
class Cell:
    """One figure of one partner in the Overview's matrix: the value, the status and the hover text
    (label, status word, target and sample)."""
    value: str
    status: str
    icon: str
    detail: str


@dataclass(frozen=True)
class MatrixRow:
    partner: str
    partner_id: int | None  # None: in-house, which has no scorecard of its own
    cells: tuple[Cell, ...]


def legend() -> str:
    """Every status's icon and word with what it means, for under a table of statuses."""
    return "; ".join(f"{statuses.text(s)}: {meaning}" for s, meaning in status_meanings()) + "."


def matrix(cards: list[Scorecard], names: tuple[str, ...]) -> list[MatrixRow]:
    """One row per card, one cell per figure of `names` (a figure the card leaves out: no target)."""
    return [MatrixRow(card.name, card.partner_id, tuple(_cell(card.get(name), name) for name in names))
            for card in cards]


def _cell(figure: Figure | None, name: str) -> Cell:
    if figure is None:
        return Cell(MISSING, statuses.NO_TARGET, statuses.ICONS[statuses.NO_TARGET][0],
                    _("{label}: {status} (the agreement sets no minimum)").format(
                        label=label(name), status=statuses.text(statuses.NO_TARGET)))
    shown = MISSING if figure.value is None else display(figure.value, figure.unit)
    said = [f"{figure_label(figure)}: {shown}", judged(figure.status_text, figure), target_text(figure) or "",
            "" if figure.sample_size is None else f"n = {sample_text(figure.metric, figure.sample_size, figure.left_out)}"]
    return Cell(shown, figure.status, statuses.ICONS.get(figure.status, "?")[0], " · ".join(p for p in said if p))


MISSES = (statuses.RED, statuses.AMBER)


def miss_lines(card: Scorecard, whens: dict[str, When], names: tuple[str, ...]) -> list[str]:
    """One line per missed (or near) figure of `names`: its value against its target, and where it
    was lost when metrics.misses could tell ('SL ✖ missed, 62.7 % against min 80.0 %: Monday and
    Thursday, evenings 17-21; staffed 80.6 % of contract on those days')."""
    lines = []
    for name in names:
        figure = card.get(name)
        if figure is None or figure.status not in MISSES:
            continue
        line = f"{figure_label(figure)} {figure.status_text}, {display(figure.value, figure.unit)}"
        target = target_text(figure)
        line += " " + _("against {target}").format(target=target) if target else ""
        if figure.sample_size is not None and metric(name).sample:
            line += f" (n = {sample_text(name, figure.sample_size)})"
        if name in whens:
            line += f": {when_text(whens[name])}"
        lines.append(line)
    return lines


def when_text(when: When) -> str:
    """Where a figure was lost in words: 'Mondays and Wednesdays, evenings 17-19; staffed 76.4 % of
    contract on those days'."""
    days = [_(WEEKDAYS_PLURAL[d]) if when.repeated else i18n.weekday(d + 1) for d in when.weekdays]
    said = [_("{days} and {last}").format(days=", ".join(days[:-1]), last=days[-1]) if len(days) > 1
            else "".join(days)]
    if when.hours:
        first, end = when.hours
        hours = f"{first:02d}-{end:02d}"
        said.append(_("evenings {hours}").format(hours=hours) if first >= 17 else
                    _("mornings {hours}").format(hours=hours) if end <= 12 else
                    _("afternoons {hours}").format(hours=hours) if first >= 12 else hours)
    where = ", ".join(s for s in said if s) or _("spread over the week")
    if when.staffed is not None:
        staffed = (_("staffed {share} of contract on those days") if days else _("staffed {share} of contract"))
        where += "; " + staffed.format(share=percent_cut(when.staffed))
    return where


# A weekday that repeats ("Mondays"), by index 0 (Monday) to 6.
WEEKDAYS_PLURAL = (N_("Mondays"), N_("Tuesdays"), N_("Wednesdays"), N_("Thursdays"), N_("Fridays"),
                   N_("Saturdays"), N_("Sundays"))


def percent_cut(value: Decimal) -> str:
    """A fraction as a percentage cut (not rounded) to one decimal, so 79.99 % never reads as 80 %."""
    cut = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    return i18n.number(float(cut), 1) + i18n.percent_sign()


# The Availability page's summary: the figures of a card it shows (frames.attainment_summary).
AVAILABILITY_SUMMARY = ("service_level", "interval_sl_attainment", "p90_wait_s", "staffed_vs_contracted")
# The in-house queues one by one (the Availability page): each queue's legs and availability figures.
QUEUE_COLUMNS = ("queue", "offered", "answered", "service_level", "abandon_rate", "asa_s", "aht_s")


# The grains of the sampling view (metrics.sampling; reports/frames.py words it).
SAMPLING_GRAINS = {"week_start": N_("Week"), "weekday": N_("Weekday"), "hour": N_("Hour of day")}


def short_number(value: float) -> str:
    """A number with the decimals it needs and no more (Python's 'g'), written the reader's way: 2.5 / 2,5."""
    text = f"{value:g}"
    if "e" in text:
        return text
    return i18n.number(value, len(text.partition(".")[2]), grouped=False)


def english_target_text(figure: Figure) -> str | None:
    """`target_text` in English, as a frozen record stores its words (they are translated where shown)."""
    with i18n.language(i18n.DEFAULT):
        return target_text(figure)


# --- the month's commercial record (commercial.record) --------------------------------------------

# English, marked: `line_text` translates them.
REASONS = {
    "no rule": N_("No credit rule for this figure."),
    "met": N_("Met its target: no credit."),
    "met, no bonus": N_("Met its target: no credit (the rule has no bonus)."),
    "not counted": N_("Near its target ({status}): this rule charges only a red miss."),
    "set aside": N_("Set aside by an agreed dispute: no credit or bonus this month."),
    "no invoice": N_("The rule is a share of the invoice and no invoice is imported for the month: not computed yet."),
    statuses.EXCUSED: N_("Excused: an excused miss never costs."),
    statuses.PROVISIONAL: N_("Provisional (can't tell yet): no credit until the figure is final."),
    statuses.UNSURE: N_("Can't tell yet: the sample does not show a miss beyond chance (its 95 % interval holds the "
                        "target, or it is below the agreed minimum): no credit or bonus."),
    statuses.NO_DATA: N_("No data: nothing to judge, nothing costs."),
    statuses.NO_TARGET: N_("No target agreed: nothing to judge."),
}


def money_text(amount: Any) -> str:
    """An amount as an invoice writes it: 1,230.00 / 1 230,00 (the invoice's currency)."""
    return i18n.number(float(amount), 2)


def _points(unit: str, shown: str) -> str:
    """A number of points of a figure (written already): percentage points of a share, seconds, points."""
    if unit == "fraction":
        return _("{count} percentage points").format(count=shown)
    if unit == "seconds":
        return _("{count} seconds").format(count=shown)
    return _("{count} points").format(count=shown)


def _rate_text(rate: float, kind: str) -> str:
    if kind == "share_of_invoice":
        return _("{share} of the invoice").format(share=short_number(rate * 100) + i18n.percent_sign())
    return money_text(rate)


def _per_text(rule: Any, unit: str) -> str:
    if rule.per != "point":
        return _("per started band of {points} missed").format(points=_points(unit, short_number(rule.band_points)))
    return {"fraction": _("per percentage point missed"), "seconds": _("per second missed")}.get(
        unit, _("per point missed"))


def rule_text(rule: Any, unit: str) -> str:
    """A credit rule in words: 'per percentage point missed: 100.00; beaten: 40.00; cap 1,000.00 …'."""
    if rule is None:
        return _("no rule")
    words = [f"{_per_text(rule, unit)}: {_rate_text(rule.miss_amount, rule.kind)}"]
    if rule.beat_amount:
        words.append(_("beaten: {amount}").format(amount=_rate_text(rule.beat_amount, rule.kind)))
    if rule.figure_cap is not None:
        words.append(_("cap {amount} a month").format(amount=_rate_text(rule.figure_cap, rule.kind)))
    words.append(_("a red miss only") if rule.counts == "red" else _("an amber or red miss"))
    if rule.earn_back_months:
        words.append(count_text(n_("earned back if met in each of the next {count} month",
                                   "earned back if met in each of the next {count} months",
                                   rule.earn_back_months), rule.earn_back_months))
    return "; ".join(words)


def line_text(line: Any, invoice_total: Any = None) -> str:
    """Why a line of the record costs, earns or does nothing, worked out in words."""
    words = []
    if line.adjusted:
        words.append(_("After agreed exclusions (dispute {disputes}): {value}, was {before} ({status}) as closed.").format(
            disputes=", ".join(map(str, line.disputes)), value=display(line.value, line.unit),
            before=display(line.original_value, line.unit), status=statuses.text(line.original_status)))
    if line.outcome == "none":
        reason = line.reason
        if reason == "met" and not (line.rule is None or line.rule.beat_amount):
            reason = "met, no bonus"
        words.append(_(REASONS[reason]).format(status=statuses.text(line.status)) if reason in REASONS else reason)
        if line.reason == statuses.EXCUSED and line.note:
            words.append(line.note)
        return " ".join(words)
    rule = line.rule
    if rule.per == "point":
        count = _points(line.unit, i18n.number(float(line.units), 2))
    else:
        count = _("{count} started band(s) of {points}").format(
            count=i18n.number(line.units), points=_points(line.unit, short_number(rule.band_points)))
    rate = rule.miss_amount if line.outcome == "credit" else rule.beat_amount
    if rule.kind == "share_of_invoice":
        of = _("{rate} of the invoice ({invoice})").format(rate=short_number(rate * 100) + i18n.percent_sign(),
                                                           invoice=money_text(invoice_total))
    else:
        of = money_text(rate)
    said = (_("Missed by {points} ({value} against {target}): {count} x {rate} = {amount} credit.")
            if line.outcome == "credit" else
            _("Beat by {points} ({value} against {target}): {count} x {rate} = {amount} bonus."))
    words.append(said.format(points=_points(line.unit, i18n.number(float(line.points), 2)), value=display(line.value, line.unit),
                             target=display_target(line.target, line.unit, metric(line.metric).direction),
                             count=count, rate=of, amount=money_text(line.amount)))
    if line.capped:
        words.append(_("Capped at {cap}: {amount}.").format(cap=_rate_text(rule.figure_cap, rule.kind),
                                                           amount=money_text(line.due)))
    if line.outcome == "credit" and rule.earn_back_months:
        words.append(count_text(n_("Earned back if met in each of the next {count} month.",
                                   "Earned back if met in each of the next {count} months.",
                                   rule.earn_back_months), rule.earn_back_months))
    return " ".join(words)
