"""The reader's language: the Swedish catalog has every message the code marks, with the same
placeholders, and numbers, dates and weeks are written the Swedish way with the English digits."""
from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from data import i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app.py", "cli.py", "app_pages", "ui", "notify", "reports", "commercial", "meetings", "lake", "metrics",
           "ingest", "partners", "data")
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}


def marked_messages() -> set[str | tuple[str, ...]]:
    """Every message the code marks, read with Babel's own extractor (the route `make i18n-extract` takes)."""
    found: set[str | tuple[str, ...]] = set()
    method_map = [("**.py", "python")]
    for source in SOURCES:
        path = ROOT / source
        if path.is_dir():
            hits = (hit[2] for hit in extract_from_dir(str(path), method_map, keywords=KEYWORDS))
        else:
            hits = (hit[1] for hit in extract_from_file("python", str(path), keywords=KEYWORDS))
        found.update(hits)
    return found


def swedish_catalog():
    with (ROOT / "locale" / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="sv")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


CATALOGS = sorted((ROOT / "locale").glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po", CATALOGS, ids=[po.parent.parent.name for po in CATALOGS])
def test_every_marked_message_has_a_translation_with_the_same_placeholders_in_every_catalog(po):
    """Every language's catalog (docs/languages.md: a third language is checked once its .po exists)."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name)
    missing, fuzzy, wrong_fields = [], [], []
    for message in marked_messages():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        translated = entry.string if entry is not None else None
        texts = list(translated) if isinstance(translated, (tuple, list)) else [translated]
        if entry is None or not all(texts):
            missing.append(key)
            continue
        if entry.fuzzy:
            fuzzy.append(key)
        originals = list(message) if isinstance(message, tuple) else [message]
        if any(fields(text) != fields(originals[0]) for text in texts if "{" in originals[0] or "{" in text):
            wrong_fields.append(key)
    assert not missing, f"{len(missing)} messages have no translation in {po} (make i18n-update, then translate): {sorted(missing)[:20]}"
    assert not fuzzy, f"fuzzy translations to check in {po}: {sorted(fuzzy)[:20]}"
    assert not wrong_fields, f"translations with other placeholders in {po}: {sorted(wrong_fields)[:20]}"


def test_every_language_has_a_catalog():
    assert {po.parent.parent.name for po in CATALOGS} == set(i18n.LANGUAGES) - {i18n.DEFAULT}


def test_the_catalog_check_finds_a_message_the_catalog_lacks(tmp_path):
    """The check above can fail: a new marked message is not in the Swedish catalog."""
    source = tmp_path / "page.py"
    source.write_text('from data.i18n import _\nprint(_("A message nobody translated"))\n')
    found = {hit[1] for hit in extract_from_file("python", str(source), keywords=KEYWORDS)}
    assert found == {"A message nobody translated"}
    assert swedish_catalog().get("A message nobody translated") is None


@pytest.mark.parametrize("code, expected", [
    # Worked by hand: Swedish groups thousands with a no-break space, writes a decimal comma and the
    # true minus sign; the digits are the English ones.
    ("en", ("19,170", "19,170.5", "12.1 %", "-3.2", "0.0")),
    ("sv", ("19\u00a0170", "19\u00a0170,5", "12,1\u00a0%", "\u22123,2", "0,0")),
])
def test_numbers_are_written_the_readers_way_with_the_same_digits(code, expected):
    with i18n.language(code):
        got = (i18n.number(19170), i18n.number(19170.46, 1), i18n.percent(0.1213), i18n.number(-3.24, 1),
               i18n.number(-0.04, 1))
    assert got == expected


def test_dates_weeks_and_weekdays_in_swedish():
    with i18n.language("sv"):
        assert i18n.date(dt.date(2026, 11, 16)) == "16 nov. 2026"
        assert i18n.month_name(dt.date(2026, 11, 1)) == "november 2026"
        assert i18n.weekday(1) == "måndag"
        assert i18n.week(2026, 47) == "v. 47 2026"
    with i18n.language("en"):
        assert i18n.date(dt.date(2026, 11, 16)) == "16 Nov 2026"
        assert i18n.date(dt.date(2026, 9, 28)) == "28 Sep 2026"  # as the app always wrote it (en_GB: "Sept")
        assert i18n.weekday(7) == "Sunday"


def test_the_language_is_the_readers_and_is_restored_after_a_block():
    i18n.use("en")
    with i18n.language("sv"):
        assert i18n._("week {number}") == "v. {number}"
    assert i18n.current() == "en"
    assert i18n._("week {number}") == "week {number}"


def test_an_unknown_language_is_one_clear_line():
    with pytest.raises(i18n.UserError, match=r"unknown language 'de'; choose one of en, sv"):
        i18n.checked("de")


def test_the_pseudo_language_marks_every_translated_message():
    with i18n.language(i18n.PSEUDO):
        assert i18n._("Service level") == "⟦Service level⟧"
        assert re.fullmatch(r"⟦v?week 47⟧ 2026", i18n.week(2026, 47))


def test_vega_locale_comes_from_the_same_symbols():
    with i18n.language("sv"):
        number = i18n.chart_locale()["number"]
        time = i18n.chart_locale()["time"]
    assert (number["decimal"], number["thousands"]) == (",", "\u00a0")
    assert time["days"][0] == "söndag" and time["shortMonths"][10] == "nov."
