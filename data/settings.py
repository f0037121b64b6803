"""Settings: one table of (name, default, help). Stored values override the defaults.

A test checks that every setting here is documented in README.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data import i18n, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    limits: tuple[int, int] | None = None  # (least, most) for a whole number; None for a time zone or a word
    in_rollups: bool = True                 # the interval rollups are built with it: a change rebuilds them


SETTINGS: tuple[Setting, ...] = (
    Setting("reporting_tz", "Europe/Stockholm", N_("Time zone in which days, weeks and intervals are cut.")),
    Setting("language", i18n.DEFAULT, N_("The installation's language (en or sv) for anyone who has not chosen their own, "
            "and for files and messages to recipients who have none."), in_rollups=False),
    Setting("sl_threshold_s", "20", N_("Service-level threshold T in seconds when no agreement sets one."), (0, 3600)),
    Setting("short_abandon_s", "5", N_("Abandons shorter than S seconds are short abandons when no agreement sets S."),
            (0, 3600)),
    Setting("fcr_days", "7", N_("A repeat call within this many days makes the first call unresolved (FCR)."), (1, 90),
            in_rollups=False),
    # Retention (docs/privacy.md, `python -m cli privacy purge`): how long each kind of personal data is kept.
    Setting("retention_legs_months", "24", N_("Call legs older than this many months lose their customer and agent ids "
            "(the figures stay: they are read from the rollups and detail aggregates)."), (1, 1200), in_rollups=False),
    Setting("retention_survey_months", "24", N_("Survey answers older than this many months lose their link to the call "
            "and the survey tool's answer id (the scores stay for CSAT and NPS)."), (1, 1200), in_rollups=False),
    Setting("retention_qa_months", "24", N_("QA evaluations older than this many months lose their agent and call ids "
            "(the scores stay for the QA figures)."), (1, 1200), in_rollups=False),
    Setting("retention_uploads_days", "0", N_("Uploaded files are kept this many days in uploads/ (0: removed as soon as "
            "they are imported)."), (0, 3650), in_rollups=False),
    Setting("retention_rejected_days", "90", N_("Rejected rows (their raw text, kept so a person can fix the file) older "
            "than this many days are deleted."), (0, 3650), in_rollups=False),
    Setting("retention_audit_months", "36", N_("Audit log lines older than this many months are deleted."), (1, 1200),
            in_rollups=False),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(con: Connection | None, name: str) -> str:
    """The stored value of a setting, else its default."""
    return get_all(con, name)[0]


def get_all(con: Connection | None, *names: str) -> tuple[str, ...]:
    """The stored values of several settings (else their defaults), read in one statement also on a
    writing connection (an import's rollups ask for three)."""
    unknown = [name for name in names if name not in _BY_NAME]
    if unknown:
        raise KeyError(f"unknown setting {unknown[0]!r}")
    stored = {} if con is None else store.remembered(con, ("settings",), lambda: stored_values(con))
    return tuple(stored.get(name, _BY_NAME[name].default) for name in names)


def stored_values(con: Connection) -> dict[str, str]:
    """Every stored setting by name, in one statement: a page run asks for three or four of them, and
    each statement costs DuckDB milliseconds of planning. The read-only connection keeps the answer
    (`store.remembered`: nothing can write its file while it is open), and it is kept between page
    runs, so a run reads the settings only after a write; a writing connection reads again on
    every `get`, so a `put` is seen by the next read."""
    return dict(store.execute(con, "SELECT name, value FROM settings").rows)


def put(con: Connection, name: str, value: str) -> None:
    if name not in _BY_NAME:
        raise KeyError(f"unknown setting {name!r}")
    store.execute(con, "INSERT OR REPLACE INTO settings VALUES (?, ?)", [name, value], what=f"save the setting {name}")


def checked(name: str, text: str) -> str:
    """The value to store for `name`, or a UserError saying what is wrong with `text`."""
    setting = _BY_NAME.get(name)
    if setting is None:
        raise UserError(_("unknown setting {name}; choose one of: {choices}").format(name=repr(name),
                                                                                    choices=", ".join(_BY_NAME)))
    value = text.strip()
    if name == "language":
        return i18n.checked(value)
    if setting.limits is None:
        return check_time_zone(value)
    least, most = setting.limits
    if not value.isdigit() or not least <= int(value) <= most:
        raise UserError(_("{setting}: {value} is not a whole number from {least} to {most}").format(
            setting=name, value=repr(value), least=least, most=most))
    return str(int(value))


def limits(name: str) -> tuple[int, int] | None:
    """(least, most) a whole-number setting may take (an agreement's FCR days are held to the same)."""
    return _BY_NAME[name].limits


@dataclass(frozen=True)
class InputLimit:
    """A bound on what an input may hold: what goes over it is refused or rejected in one line, in
    bounded time and memory, never dropped. Fixed in code (not stored): a hostile file must not be
    able to raise them."""

    name: str
    value: int
    help: str


MiB = 1024 * 1024
INPUT_LIMITS: tuple[InputLimit, ...] = (
    InputLimit("max_file_bytes", 4096 * MiB, "An import file larger than this is refused."),
    InputLimit("max_line_bytes", 2 * MiB, "A record (line) longer than this is rejected with its line number."),
    InputLimit("max_field_bytes", 64 * 1024, "A text field longer than this rejects its record."),
    InputLimit("max_columns", 1000, "A header naming more columns than this refuses the file."),
    InputLimit("max_xlsx_unzipped_bytes", 512 * MiB,
               "An .xlsx whose parts unzip to more than this (a zip bomb) is refused before it is read."),
    InputLimit("max_xlsx_shared_strings_bytes", 64 * MiB,
               "An .xlsx whose shared-strings part unzips to more than this is refused before it is read."),
    InputLimit("max_xlsx_ratio", 200, "An .xlsx part that unzips to more than this many times its packed size is "
                                      "refused (a bomb; real sheets pack 5 to 30 times)."),
    InputLimit("max_call_events", 10_000,
               "A queue_log call (one call id in one queue) with more events than this is rejected whole."),
    InputLimit("max_file_name_bytes", 100, "A file name the app writes (an upload it keeps, a scorecard) is cut to "
                                           "this many bytes before its extension (systems allow 255)."),
    InputLimit("max_note_items", 10, "Lists in an import's notes and audit line name this many items, then a count."),
)
_LIMITS = {limit.name: limit.value for limit in INPUT_LIMITS}


def input_limit(name: str) -> int:
    """The value of one input limit (INPUT_LIMITS): the one place every reader takes its bound from."""
    return _LIMITS[name]


def in_rollups(name: str) -> bool:
    return _BY_NAME[name].in_rollups


def check_time_zone(name: str) -> str:
    """The zone name if the IANA database knows it, else a UserError naming it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise UserError(_("unknown time zone {zone}; use an IANA name such as Europe/Stockholm").format(
            zone=repr(name))) from None
    return name


def reporting_tz(con, tz: str | None = None) -> str:
    """The zone a read is cut in: the one asked for, else the reporting_tz setting."""
    return tz or get(con, "reporting_tz")
