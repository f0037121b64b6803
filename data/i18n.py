"""The reader's language: every word a person reads goes through gettext catalogs (managed with
Babel: `make i18n-extract`, `make i18n-update`, `make i18n-compile`), and every number, date and
week through the one formatter here, which takes its symbols and names from Babel's locale data.

The language is the reader's, not the process's: a page run, a CLI command or one delivery sets it
with `use` or `language(...)`, and it is held in a context variable, so two people signed in to the
same server in different languages never see each other's.

Marking text:
- `_("Service level")` translates now, in the reader's language;
- `n_("{n} call", "{n} calls", n)` picks the plural form the language has for n;
- `N_("Service level")` only marks a constant for extraction (a module-level table); translate it
  where it is shown, with `_(CONSTANT)`.

Numbers keep the one rounding the app has always had (Python's, on the value), and only their
symbols change with the language: 19,170.5 in English is 19 170,5 in Swedish, the same digits.

The pseudo-language `qps` (tests only) writes every translated message inside ⟦…⟧ and numbers and
dates the Swedish way, so any English word or English-formatted number left outside the catalogs
shows on a rendered page.
"""
from __future__ import annotations

import datetime as dt
import gettext
import io
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from data.errors import UserError

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

# The languages a person can choose, by code, each named in its own language.
LANGUAGES: dict[str, str] = {"en": "English", "sv": "Svenska"}
DEFAULT = "en"
PSEUDO = "qps"
# Whose conventions each language writes numbers and dates with (Babel locale identifiers).
FORMATS = {"en": "en", "sv": "sv_SE", PSEUDO: "sv_SE"}  # en: "Sep", as the app always wrote it (en_GB writes "Sept")
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def _N(message: str) -> str:
    return message


N_ = _N


def checked(code: str | None) -> str:
    """A language code a person gave (`--lang sv`, a setting, a grant); None is the default."""
    if code is None or code == "":
        return DEFAULT
    code = str(code).strip().lower()
    if code in LANGUAGES or code == PSEUDO:
        return code
    raise UserError(_("unknown language {code}; choose one of {choices}").format(code=repr(code),
                                                                                choices=", ".join(LANGUAGES)))


def use(code: str | None) -> str:
    """Set the reader's language for the rest of this run (a page run, a command); returns it."""
    code = checked(code)
    _language.set(code)
    return code


def current() -> str:
    return _language.get()


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """The reader's language for a block (one recipient's delivery), restored after it."""
    token = _language.set(checked(code))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


class _Pseudo(gettext.NullTranslations):
    """Every message marked, so text that skipped the catalogs stands out."""

    def gettext(self, message: str) -> str:
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def _catalog_files(code: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@lru_cache(maxsize=None)
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalog of a language. A .mo older than its .po (a checkout before
    `make i18n-compile`) is compiled again in memory, so the words are never the stale ones."""
    if code == PSEUDO:
        return _Pseudo()
    po, mo = _catalog_files(code)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """`message` in the reader's language."""
    return translations(current()).gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, in the reader's language (format n in yourself)."""
    return translations(current()).ngettext(singular, plural, n)


# ---- numbers, dates and weeks -------------------------------------------------------------------

def locale(code: str | None = None) -> Locale:
    return _locale(code or current())


@lru_cache(maxsize=None)
def _locale(code: str) -> Locale:
    return Locale.parse(FORMATS.get(code, code))


@lru_cache(maxsize=None)
def _symbols(code: str) -> dict[str, str]:
    loc = _locale(code)
    numbers = loc.number_symbols["latn"]
    percent = loc.percent_formats[None].pattern
    return {",": numbers.get("group", ","), ".": numbers.get("decimal", "."), "-": numbers.get("minusSign", "-"),
            "%": "\u00a0%" if "\u00a0%" in percent or " %" in percent else " %"}


def number(value: float | int, decimals: int = 0, grouped: bool = True) -> str:
    """A number in the reader's language: 19,170.5 / 19 170,5. Rounded once, the way Python rounds
    the value, so every language shows the same digits."""
    english = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    if english.lstrip("-").strip("0.,") == "":  # -0.0 is 0.0
        english = english.lstrip("-")
    symbols = _symbols(current())
    return "".join(symbols.get(char, char) for char in english)


def short(value: float | int) -> str:
    """The shortest form of a number, as Python's `g` writes it (5000, 0.8), in the reader's symbols
    (0,8): for values a person typed, shown back the way they were given."""
    symbols = _symbols(current())
    return "".join(symbols.get(char, char) for char in f"{value:g}" if char != ",")


def percent(fraction: float, decimals: int = 1) -> str:
    """A fraction as a percentage: 12.1 % / 12,1 %."""
    return number(fraction * 100, decimals) + _symbols(current())["%"]


def percent_sign() -> str:
    return _symbols(current())["%"]


def date(day: dt.date, with_year: bool = True) -> str:
    """A day: 24 Nov 2026 / 24 nov. 2026 (without the year: 24 Nov / 24 nov.)."""
    return format_date(day, "d MMM y" if with_year else "d MMM", locale=locale())


def month_name(day: dt.date, with_year: bool = True) -> str:
    """A month by name: November 2026 / november 2026."""
    return format_date(day, "LLLL y" if with_year else "LLLL", locale=locale())


def weekday(index: int, short: bool = False) -> str:
    """A weekday by ISO index 1 (Monday) to 7: Monday / måndag."""
    return locale().days["format"]["abbreviated" if short else "wide"][index - 1]


def clock(moment: dt.datetime) -> str:
    """A time of day, 24-hour: 17:31."""
    return f"{moment:%H:%M}"


def week(year: int, number_: int, with_year: bool = True) -> str:
    """An ISO week as the reader names it: week 47 2026 / v. 47 2026."""
    text = _("week {number}").format(number=number_)
    return f"{text} {year}" if with_year else text


def chart_locale() -> dict[str, dict[str, Any]]:
    """Vega's number and time format locale (d3-format / d3-time-format definitions) for the reader's
    language, from the same Babel data: a chart's axis writes 12,1 % and nov. in Swedish."""
    return _chart_locale(current())


@lru_cache(maxsize=None)
def _chart_locale(code: str) -> dict[str, dict[str, Any]]:
    loc = _locale(code)
    symbols = _symbols(code)
    days = loc.days["format"]
    months = loc.months["format"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "number": {"decimal": symbols["."], "thousands": symbols[","], "grouping": [3], "currency": ["", ""],
                   "minus": symbols["-"], "percent": symbols["%"].lstrip()},
        "time": {"dateTime": "%a %e %b %Y %X", "date": "%Y-%m-%d", "time": "%H:%M:%S",
                 "periods": ["AM", "PM"],
                 "days": [days["wide"][i] for i in sunday_first],
                 "shortDays": [days["abbreviated"][i] for i in sunday_first],
                 "months": [months["wide"][i] for i in range(1, 13)],
                 "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]},
    }


def compile_catalogs(root: Path = LOCALE_DIR) -> list[Path]:
    """Write each language's .mo from its .po (`make i18n-compile`); returns the files written."""
    written = []
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    translations.cache_clear()
    return written
