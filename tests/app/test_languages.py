"""Every page in the pseudo-language `qps` (data/i18n: every translated message inside ⟦…⟧, numbers and
dates the Swedish way): any text a person reads with an English word or an English-formatted number
("19,170", "12.1") outside ⟦…⟧ skipped the catalogs or the one formatter. Only the data values of the
demo (partner, queue, agent and evaluator names, ids, the zone) may stand outside, from the explicit
list below. Then the pages in Swedish, checked against Swedish worked by hand, and English still English.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from data import i18n, settings, store
from ingest.importing import PROFILES
from partners import access
from tests.app.test_signin import AUTH
from tests.pseudo_language import outside_marks
from ui import source
from tests.app.test_pages import APP, PAGES, demo, demo_copy, said  # noqa: F401  (demo, demo_copy are fixtures)
from tests.app.test_partner_isolation import _arrow_tables, _protos

ADMIN_PAGES = ["app_pages/access.py", "app_pages/alerts.py", "app_pages/subscriptions.py"]
EVERY_PAGE = [*PAGES, *ADMIN_PAGES]

# The demo's data values, shown as they are in every language (sv.md: data values are not translated).
DATA_VALUES = (
    "Nordic Reliable Overflow", "FlexiCall Overflow", "QuickServe Overflow", "Nordic Reliable", "FlexiCall",
    "QuickServe", "Customer Service", "Billing", "Ahmed Nouri", "Maria Berg", "Sara Lind", "Mehmet Kaya",
    "Jonas Ek", "Dana Pop", "Lars Nyberg", "Agreed score", "Europe/Stockholm", "demo (seed 42, end 2026-11-23)",
    "local admin", "English", "Svenska", "qps", "Overflow SLA", *PROFILES,
)
# What people typed into the demo (minutes, action items, notes, reasons, the forms' names): shown as typed.
TYPED = {"meetings": ("attendees", "notes", "decisions"), "action_items": ("title", "owner"),
         "action_item_events": ("note",), "activities": ("participants", "notes"),
         "disputes": ("reason", "decision_note"), "agreements": ("note", "created_by"), "hours_versions": ("note",),
         "import_batches": ("imported_by", "notes"), "qa_items": ("section", "item"), "qa_evaluations": ("form",)}
# Tables of stored text, known by their columns (the audit log's lines are stored as they were written,
# docs/languages.md): their headers are checked, not their cells.
STORED = ({"when", "who", "what", "detail"},)
# What the formatter writes in Swedish (qps formats numbers and dates as sv does): month and weekday names.
with i18n.language("sv"):
    SWEDISH_NAMES = frozenset(
        word.strip(".").lower() for kind in ("wide", "abbreviated")
        for names in (i18n.locale().months["format"][kind], i18n.locale().days["format"][kind])
        for word in names.values())
WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+")
ENGLISH_NUMBER = re.compile(r"\d,\d{3}(?!\d)|\d\.\d")
# Ids (agents FLX-051, evaluations QA-D000014387, calibration sessions CAL-FLX-2026-11), ISO weeks/months/days.
ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b|\b\d{4}-(?:W\d{2}|\d{2})(?:-\d{2})?\b")


# Opening hours in the syntax a person types them (partners/hours: `mon-fri 08:00-20:00`), the same in
# every language like a formula (docs/languages.md).
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
HOURS_SYNTAX = re.compile(rf"\b{_DAY}(?:-{_DAY})? \d{{2}}:\d{{2}}-\d{{2}}:\d{{2}}")


class _Text(HTMLParser):
    """The text of an HTML block and its hover titles (what a person reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts += [value for name, value in attrs if name in ("title", "aria-label") and value]


def _html_text(body: str) -> list[str]:
    if body.lstrip().startswith("<style"):
        return []
    reader = _Text()
    reader.feed(body)
    return [part for part in reader.parts if part.strip()]


TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "delta", "content", "caption", "default_text"}


def _repeated(field: object) -> bool:
    return field.is_repeated


def _strings(message: object) -> list[str]:
    """The texts of a proto message a person reads, its nested messages (tabs, segmented options) included."""
    found = []
    for field, value in message.ListFields():
        if field.message_type is not None:
            for item in (value if _repeated(field) else [value]):
                found += _strings(item)
        elif field.name in TEXT_FIELDS:
            found += [v for v in (value if _repeated(field) else [value]) if isinstance(v, str)]
    return found


def _table_texts(proto: object) -> list[str]:
    """A table's headers as shown (the column_config label, else the column's name) and its text cells
    (not those of a table of stored text, nor the raw values of a choice column, which a person reads
    through its labels)."""
    config = json.loads(proto.columns) if getattr(proto, "columns", "") else {}
    found, choices = [], set()
    for key, column in config.items():
        if isinstance(column, dict):
            found += [column[k] for k in ("label", "help") if column.get(k)]
            options = (column.get("type_config") or {}).get("options") or []
            found += [o["label"] for o in options if isinstance(o, dict) and o.get("label")]
            if options:
                choices.add(key.removeprefix("name:"))
    stored = any(columns <= set(config) for columns in STORED)
    for table in _arrow_tables(proto):
        labelled = {key.removeprefix("name:") for key, column in config.items()
                    if isinstance(column, dict) and column.get("label")}
        found += [name for name in table.column_names if name not in labelled and not name.startswith("__")
                  and name != "_index"]
        for name in [] if stored else [n for n in table.column_names if n not in choices]:
            kind = table.schema.field(name).type
            if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                found += [v for v in table.column(name).to_pylist() if isinstance(v, str)]
    return found


def shown_texts(at: AppTest) -> list[str]:
    """Every text a person reads on the page, one entry per element text."""
    found = []
    for proto in _protos(at._tree):
        kind = proto.DESCRIPTOR.name
        if kind in ("Html",):
            found += _html_text(proto.body)
        elif kind in ("Dataframe", "ArrowTable"):
            found += _table_texts(proto)
        elif kind not in ("VegaLiteChart", "ArrowVegaLiteChart", "ForwardMsg", "Delta"):
            found += _strings(proto)
    return found


def unmarked(text: str) -> str:
    """What is left of a text outside ⟦…⟧ (nested too), Markdown escapes and word joiners taken out."""
    return outside_marks(re.sub(r"\\(.)", r"\1", text).replace("\u2060", ""))


def typed_texts(db: object) -> tuple[str, ...]:
    """What people typed into the fixture database (TYPED), longest first."""
    found: set[str] = set()
    with store.reading(db) as con:
        for table, names in TYPED.items():
            for name in names:
                found.update(v for (v,) in store.execute(con, f"SELECT DISTINCT {name} FROM {table}").rows if v)
        # A saved meeting's figure notes (why a miss was or was not excused) are stored in the words of
        # whoever saved it (docs/languages.md): the demo's were saved in English.
        for (frozen,) in store.execute(con, "SELECT frozen_figures FROM meetings WHERE frozen_figures IS NOT NULL").rows:
            found.update(_notes(json.loads(frozen)))
    return tuple(sorted(found, key=len, reverse=True))


def _notes(stored: object) -> set[str]:
    """Every stored note text in a meeting's frozen figures (keys naming a note)."""
    if isinstance(stored, dict):
        return {v for k, v in stored.items() if "note" in str(k) and isinstance(v, str) and v} | {
            note for v in stored.values() for note in _notes(v)}
    if isinstance(stored, list):
        return {note for v in stored for note in _notes(v)}
    return set()


def offences(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """The English words and English-formatted numbers of a text outside ⟦…⟧, the data values and what
    people typed."""
    left = unmarked(text)
    for value in sorted({*typed, *DATA_VALUES}, key=len, reverse=True):
        left = left.replace(value, " ")
    left = ID.sub(" ", left)
    left = HOURS_SYNTAX.sub(" ", left)
    left = re.sub(r"\S+@\S+\.\w+|\S+\.(?:csv|xlsx|pdf|zip|txt)\b|https?://\S+", " ", left)  # emails, files, links
    words = [w for w in WORD.findall(left) if w.strip(".").lower() not in SWEDISH_NAMES]
    return words + ENGLISH_NUMBER.findall(left)


def page_offenders(at: AppTest, where: str, typed: tuple[str, ...] = ()) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [f"{where}: {text!r}" for text in dict.fromkeys(shown_texts(at)) if offences(text, typed)]


def open_in(code: str, page: str, **query: str) -> AppTest:
    """The app in language `code` (local mode: the session's choice), then `page`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_language"] = code
    at.query_params.update(query)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    return at


# --- the check itself can fail -----------------------------------------------------------------


def test_the_check_finds_english_words_and_numbers_but_not_marked_text_or_data():
    assert offences("⟦Service level⟧ 12,1\u00a0% ⟦of {n}⟧ FlexiCall FLX-051 2026-W47 16–22 nov. 2026") == []
    assert offences("⟦Open ⟦Overview⟧⟧ · Europe/Stockholm") == []
    assert offences("⟦Service level⟧ of 19,170 calls") == ["of", "calls", "9,170"]
    assert offences("12.1 %") == ["2.1"]
    assert offences("Download as CSV") == ["Download", "as", "CSV"]


# --- every page in the pseudo-language ---------------------------------------------------------


def _every_page_in(code: str, typed: tuple[str, ...]) -> list[str]:
    found = []
    for page in EVERY_PAGE:
        at = open_in(code, page, partner="FlexiCall", period="2026-W47")
        found += page_offenders(at, page, typed)
        if page == "app_pages/meetings.py":  # a held meeting too
            at.selectbox(key="meeting").select_index(1).run()
            found += page_offenders(at, f"{page} (a held meeting)", typed)
        if page == "app_pages/overview.py":  # the month and its sidebar
            at.segmented_control(key="grain").set_value("month").run()
            found += page_offenders(at, f"{page} (a month)", typed)
    return found


def test_every_page_in_the_pseudo_language_has_no_english_left(demo):
    found = _every_page_in(i18n.PSEUDO, typed_texts(demo))
    assert not found, f"{len(found)} texts with English outside the catalogs:\n" + "\n".join(found)


def test_every_page_on_an_empty_database_in_the_pseudo_language(db):
    found = []
    for page in EVERY_PAGE:
        found += page_offenders(open_in(i18n.PSEUDO, page), f"{page} (empty database)")
    assert not found, f"{len(found)} texts with English outside the catalogs:\n" + "\n".join(found)


# --- Swedish, worked by hand -------------------------------------------------------------------

NBSP = "\u00a0"


def _agreement_cells(at: AppTest) -> dict[str, object]:
    """The first row of the agreement versions table as shown (the newest version)."""
    table = next(t for t in at.dataframe if "sl_target" in t.value.columns)
    return table.value.iloc[0].to_dict()


def test_the_pages_in_swedish_read_swedish_with_swedish_numbers(demo):
    at = open_in("sv", "app_pages/agreements.py", partner="FlexiCall", period="2026-W47")
    assert not at.exception
    assert [t.value for t in at.title] == ["Avtal"]
    assert at.sidebar.selectbox(key="language").label == "Språk"
    assert at.sidebar.selectbox(key="language").value == "sv"
    assert "Öppettider" in [s.value for s in at.subheader]
    # FlexiCall's agreement in the demo (demo/: SL target 80 %, abandon rate max 5 %, ASA max 30 s), written
    # the Swedish way by hand: a decimal comma and a no-break space before the per cent sign.
    cells = _agreement_cells(at)
    assert (cells["sl_target"], cells["abandon_rate_max"], cells["asa_max_s"]) == (f"80,0{NBSP}%", f"5,0{NBSP}%", "30,0")
    assert cells["sl_variant"] in ("tappade räknas", "bara besvarade", "med överflöde",
                                   "tappade inom tröskeln räknas som uppfyllda")
    assert "Ladda ner som CSV" in [b.label for b in at.get("download_button")]


def test_the_data_page_counts_legs_the_swedish_way(demo):
    with store.reading(demo) as con:  # an independent route to the count: SQL over the stored legs
        legs, queues = store.execute(con, "SELECT count(*), count(DISTINCT queue_id) FROM call_legs").one()
    at = open_in("sv", "app_pages/data.py")
    assert not at.exception
    grouped = f"{legs:,}".replace(",", NBSP)  # 19170 -> 19 170, by hand
    line = next(m.value for m in at.markdown if "samtalsben" in m.value)
    assert line.startswith(f"**{grouped} samtalsben** i {queues} köer, till intervallet som börjar ")
    assert [t.value for t in at.title] == ["Data"] and "Importhistorik" in [s.value for s in at.subheader]


@pytest.mark.parametrize(("entries", "message"), [
    # Worked by hand: the form's Swedish labels, a no-break space before %, the true minus sign.
    ({"sl_target": 180.0}, f"Mål för servicenivå måste vara mellan 0 och 100 %, inte 180{NBSP}%."),
    ({"share_min": 30.0, "share_target": 35.0, "share_max": 20.0},
     f"Volymandel mål (35{NBSP}%) får inte vara över Volymandel max (20{NBSP}%)."),
    ({"nps_min": 500.0}, "NPS min måste vara mellan \u2212100 och 100, inte 500."),
    ({"agent_hours_month_min": -1.5}, "Minsta antal agenttimmar per månad får inte vara negativt, inte \u22121,5."),
])
def test_the_agreement_form_refuses_in_swedish(demo_copy, entries, message):
    at = open_in("sv", "app_pages/agreements.py", partner="Nordic Reliable", period="2026-W40")
    for name, value in entries.items():
        at.number_input(key=f"agreement_{name}_1").set_value(value)
    with i18n.language("sv"):  # AppTest runs the pickers' format_func again in the test's own thread
        at.button(key="agreement_add_1").click().run()
    assert not at.exception
    assert [said(e.value) for e in at.error] == [message]


def test_english_still_reads_english(demo):
    at = open_in("en", "app_pages/agreements.py", partner="FlexiCall", period="2026-W47")
    assert [t.value for t in at.title] == ["Agreements"]
    assert at.sidebar.selectbox(key="language").label == "Language"
    cells = _agreement_cells(at)
    assert (cells["sl_target"], cells["abandon_rate_max"]) == (0.8, 0.05)  # numbers, formatted by the table
    assert "Download as CSV" in [b.label for b in at.get("download_button")]


def test_english_then_swedish_in_one_process_shows_swedish(demo):
    """The caches hold what a page read; one made for an English reader is never shown to a Swedish one."""
    english = open_in("en", "app_pages/overview.py", partner="FlexiCall", period="2026-W47")
    swedish = open_in("sv", "app_pages/overview.py", partner="FlexiCall", period="2026-W47")
    assert [t.value for t in english.title] == ["Overview"] and [t.value for t in swedish.title] == ["Översikt"]
    assert any("Partnerns sida" in h.proto.body for h in swedish.get("html"))
    again = open_in("en", "app_pages/overview.py", partner="FlexiCall", period="2026-W47")
    assert [t.value for t in again.title] == ["Overview"]


def test_a_cached_read_is_keyed_by_the_readers_language(db):
    """source.cached keys a read by its Source, which carries the reader's language."""
    calls = []

    @source.cached
    def said(src: source.Source) -> str:
        calls.append(src.language)
        return i18n._("Overview")

    english = source.Source(str(db), 1, "Europe/Stockholm", access.LOCAL_ADMIN, "en")
    swedish = source.Source(str(db), 1, "Europe/Stockholm", access.LOCAL_ADMIN, "sv")
    with i18n.language("en"):
        assert said(english) == "Overview"
    with i18n.language("sv"):
        assert said(swedish) == "Översikt"
    with i18n.language("en"):
        assert said(english) == "Overview"
    assert calls == ["en", "sv"]  # the second English read came from the cache


# --- choosing the language -----------------------------------------------------------------------


def test_local_mode_starts_in_the_installation_language_and_the_sidebar_changes_it(db):
    with store.writing(db) as con:
        settings.put(con, "language", "sv")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.value for t in at.title] == ["Översikt"]
    at.sidebar.selectbox(key="language").set_value("en").run()
    assert [t.value for t in at.title] == ["Overview"]  # at once, on the next run
    at.switch_page("app_pages/data.py").run()
    assert [t.value for t in at.title] == ["Data"] and at.sidebar.selectbox(key="language").value == "en"


def test_a_signed_in_users_choice_is_kept_with_the_grant_and_audited(db):
    with store.writing(db) as con:
        access.grant(con, "lead@centre.example", "manager", None, actor="setup")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "lead@centre.example"}
    at.run()
    assert [t.value for t in at.title] == ["Overview"]
    at.sidebar.selectbox(key="language").set_value("sv").run()
    assert [t.value for t in at.title] == ["Översikt"]
    with store.reading(db) as con:
        assert access.scope_for(con, "lead@centre.example").language == "sv"
        lines = store.execute(con, "SELECT actor, action, detail FROM audit_log WHERE action = 'access.language'").rows
    assert lines == [("lead@centre.example", "access.language",
                      "lead@centre.example: language sv (was the installation setting)")]
    fresh = AppTest.from_file(APP, default_timeout=60)  # a new session: the grant's language
    fresh.secrets["auth"] = AUTH
    fresh.user = {"is_logged_in": True, "email": "lead@centre.example"}
    assert [t.value for t in fresh.run().title] == ["Översikt"]


def test_the_sign_in_and_no_access_pages_in_the_pseudo_language(db):
    """Drawn before anyone is known: in the installation's language (here the pseudo-language)."""
    with store.writing(db) as con:
        settings.put(con, "language", i18n.PSEUDO)
    found = []
    for who, where in ((None, "sign-in page"), ("stranger@example.com", "no-access page")):
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": who is not None, **({"email": who} if who else {})}
        at.run()
        assert at.title, where
        found += page_offenders(at, where, ("stranger@example.com",))
    assert not found, "\n".join(found)
