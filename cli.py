"""The command line: `python -m cli COMMAND --help`. Thin: parses arguments, calls the packages.

Every mistake a user can make ends in one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from data import i18n
from data.errors import UserError
from data.i18n import _, n_

Handler = Callable[[argparse.Namespace], int]


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file (default: $OVERFLOW_DB, else data/overflow.duckdb)")


def _actions(parser: argparse.ArgumentParser, run: Handler,
             **helps: str) -> dict[str, argparse.ArgumentParser]:
    """ACTION subcommands of `parser` (name=help), each with --db; `run` handles all of them."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    made = {name: actions.add_parser(name, help=text) for name, text in helps.items()}
    for sub in made.values():
        _db_option(sub)
    parser.set_defaults(run=run)
    return made


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cli", description="Overflow SLA: follow up overflow partners.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRY:
        register(commands)
    _lang_option(parser)
    for leaf in _leaves(parser):
        if "--lang" not in leaf._option_string_actions:
            _lang_option(leaf, default=argparse.SUPPRESS)
    return parser


LANG_HELP = "the language of what the command says and of the files it writes (en or sv; default: the language setting)"


def _lang_option(parser: argparse.ArgumentParser, default: object = None) -> None:
    """--lang, read before the command or after it (`scorecard ... --lang sv`): every command's own
    parser takes it too, without a default that would hide the one given before the command."""
    parser.add_argument("--lang", default=default, metavar="CODE", help=LANG_HELP)


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser below `parser` that runs a command (a command, or an ACTION of a group)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _leaves(sub) or [sub]
    return found


def command_language(args: argparse.Namespace) -> str:
    """The language a command speaks: --lang, else the installation's `language` setting (when the
    database exists), else English."""
    from data import settings, store

    if args.lang is not None:
        return i18n.checked(args.lang)
    db = store.db_path(getattr(args, "db", None))
    if not db.exists():
        return i18n.DEFAULT
    with store.reading(db) as con:
        return i18n.checked(settings.get(con, "language"))


# Each entry adds one command (or group) to the parser and sets its handler with set_defaults(run=...).
REGISTRY: list[Callable[[argparse._SubParsersAction], None]] = []


def command(register: Callable[[argparse._SubParsersAction], None]) -> Callable[[argparse._SubParsersAction], None]:
    REGISTRY.append(register)
    return register


# --- commands ----------------------------------------------------------------------------------


@command
def _access(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("access", help="who may sign in and what they see (admin, manager, partner)")
    made = _actions(parser, _run_access, grant="give an email a role (replaces any role it had)",
                    revoke="take away an email's access", list="list every grant")
    made["grant"].add_argument("email")
    made["grant"].add_argument("--role", required=True, choices=("admin", "manager", "partner"))
    made["grant"].add_argument("--partner", help="for --role partner: the partner whose data the user may see")
    made["grant"].add_argument("--lang", help="the user's own language (en, sv); without it the grant keeps the one "
                                              "it had, else the installation's `language` setting applies")
    made["revoke"].add_argument("email")


def _run_access(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import access

    if args.action == "list":
        with store.reading(args.db) as con:
            grants = access.list_grants(con)
        for g in grants:
            granted = _("granted {moment} by {actor}").format(moment=f"{g.granted_at:%Y-%m-%d %H:%M}",
                                                               actor=g.granted_by or "?")
            print(f"{g.email}\t{access.describe_role(g.role, g.partner_name)}\t{granted}")
        if not grants:
            print(_("no grants yet: python -m cli access grant EMAIL --role admin"))
        return 0
    with store.writing(args.db) as con:
        if args.action == "grant":
            g = access.grant(con, args.email, args.role, args.partner, actor=audit.cli_actor(), language=args.lang)
            print(_("granted {email}: {role}").format(email=g.email, role=access.describe_role(g.role, g.partner_name)))
        else:
            access.revoke(con, args.email, actor=audit.cli_actor())
            print(_("revoked {email}").format(email=access.normalise_email(args.email)))
    return 0


@command
def _upgrade(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "upgrade", help="bring the database forward to this release's schema before the app is started (the "
                        "app does it on the first page otherwise, and a large database takes minutes)")
    _db_option(parser)
    parser.set_defaults(run=_run_upgrade)


def _run_upgrade(args: argparse.Namespace) -> int:
    import time

    from data import store

    todo = store.pending(args.db)
    if not todo:
        print(_("the database is at the newest schema already ({version})").format(version=store.migrations()[-1][0]))
        return 0
    print(n_("{count} migration to run, in one transaction: {names}", "{count} migrations to run, in one transaction: "
             "{names}", len(todo)).format(count=len(todo), names=", ".join(path.name for _version, path in todo)), flush=True)
    started = time.monotonic()
    store.create(args.db)
    print(_("brought forward to schema {version} in {seconds} s").format(
        version=todo[-1][0], seconds=i18n.number(time.monotonic() - started, 1)))
    return 0


@command
def _metrics(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("metrics", help="counts and ratios per period and queue or partner, from the rollups")
    parser.add_argument("--grain", required=True, choices=("interval", "hour", "day", "week", "month"))
    parser.add_argument("--by", required=True, choices=("queue", "partner"),
                        help="partner: also calls_routed, volume_share (calls routed / calls the centre "
                             "received) and answered_share, counted by calls; queue: those three are empty, since "
                             "a call visits several queues and call-based shares do not apply per queue; "
                             "turned_away counts legs, for both")
    parser.add_argument("--start", type=_date, help="first local day included (YYYY-MM-DD; default: all data)")
    parser.add_argument("--end", type=_date, help="last local day included (YYYY-MM-DD; default: all data)")
    parser.add_argument("--tz", help="reporting time zone (default: the reporting_tz setting, Europe/Stockholm)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    _db_option(parser)
    parser.set_defaults(run=_run_metrics)


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text}").format(text=repr(text))) from None


def _run_metrics(args: argparse.Namespace) -> int:
    import csv
    import json
    from datetime import timedelta

    from data import store
    from metrics.tables import TABLE_COLUMNS, rows
    from reports.cells import neutralise

    end = args.end + timedelta(days=1) if args.end else None
    with store.reading(args.db) as con:
        found = rows(con, args.grain, args.by, args.start, end, args.tz)
    records = [{c: row[c] for c in TABLE_COLUMNS} for row in found]
    if args.format == "json":
        json.dump(records, sys.stdout, indent=1)
        print()
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=TABLE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else neutralise(v) for k, v in r.items()} for r in records)
    return 0


# Service meetings and exports (owner: meetings helper).


@command
def _scorecard(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("scorecard", help="write one partner's scorecard as PDF or Excel")
    parser.add_argument("--partner", required=True, help="the partner's name")
    parser.add_argument("--period", required=True, help="2026-W47, 2026-11, last-week or last-month")
    parser.add_argument("--out", required=True, help="the file to write: .pdf or .xlsx, chosen by the extension")
    _db_option(parser)
    parser.set_defaults(run=_run_scorecard)


@command
def _scorecards(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("scorecards", help="write every partner's scorecard (PDF and Excel) into a folder")
    parser.add_argument("--period", required=True, help="2026-W47, 2026-11, last-week or last-month")
    parser.add_argument("--dir", help="the folder to write into (created if missing); needed unless --send")
    parser.add_argument("--format", choices=("pdf", "xlsx", "both"), default="both", help="what --dir gets")
    parser.add_argument("--send", action="store_true",
                        help="mail each scorecard subscriber its files (python -m cli subscriptions) and log each "
                             "message (python -m cli deliveries); the mail server is OVERFLOW_SMTP_URL")
    _db_option(parser)
    parser.set_defaults(run=_run_scorecards)


def _run_scorecard(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reports import exports

    out = Path(args.out)
    exports.check_extension(out)
    period = exports.parse_scorecard_period(args.period)
    written = exports.write_scorecard(args.partner, period, out, db=args.db)
    print(_("wrote {file}").format(file=written))
    return 0


def _run_scorecards(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reports import exports

    period = exports.parse_scorecard_period(args.period)
    if not (args.dir or args.send):
        raise UserError(_("say where the scorecards go: --dir FOLDER, --send (to the subscribers), or both"))
    failed = []
    if args.dir:
        suffixes = (".pdf", ".xlsx") if args.format == "both" else (f".{args.format}",)
        batch = exports.write_all_scorecards(period, Path(args.dir), suffixes, db=args.db)
        for written in batch.written:
            print(_("wrote {file}").format(file=written))
        for failure in batch.failed:
            print(_("error: could not write the scorecard of {partner}").format(partner=failure), file=sys.stderr)
        failed = list(batch.failed)
    if not args.send:
        return 1 if failed else 0
    from data import audit
    from notify import scorecards

    report = scorecards.deliver_scorecards(args.db, period, audit.cli_actor(),
                                           progress=lambda text: print(text, file=sys.stderr, flush=True))
    for line in report.lines():
        print(line)
    print(_("{period}: {sent} sent, {failed} failed (python -m cli deliveries shows the log)").format(
        period=period.label, sent=report.sent, failed=len(report.failed)))
    return 1 if report.failed or failed else 0


def progress_bar(label: str) -> Callable[[float, str], None]:
    """A progress callback that draws `label [#####-----]  50% step` on stderr (one line per step
    when stderr is not a terminal, so logs stay readable)."""
    tty = sys.stderr.isatty()

    def show(fraction: float, message: str) -> None:
        filled = int(30 * max(0.0, min(1.0, fraction)))
        line = f"{label} [{'#' * filled}{'-' * (30 - filled)}] {fraction:4.0%} {message}"
        if tty:
            print(f"\r{line:<100}", end="\n" if fraction >= 1 else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    return show


@command
def _demo_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo", help="build a demo database (two years, three partners with characters)",
        description="Build a demo database: two years of calls at two in-house queues overflowing to three "
                    "partners (one reliable, one with varying availability, one with poor quality), with QA, "
                    "surveys, staffing, forecasts, agreements and service meetings. The same --seed and --end "
                    "give the same rows.")
    parser.add_argument("--calls", type=int, default=1_000_000, help="about how many call legs (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the pseudo-random draws (default 42)")
    parser.add_argument("--end", help="first day after the data, a Monday (default: this week's Monday, so the "
                                      "last complete week has data); the data covers the 104 weeks before it")
    parser.add_argument("--replace", action="store_true", help="delete the database file first if it exists")
    _db_option(parser)
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from demo import builder as demo
    from partners import periods

    summary = demo.build(args.db, calls=args.calls, seed=args.seed, end=demo.parse_end(args.end),
                         replace=args.replace, progress=progress_bar("demo"))
    print(_("{file}: {legs} call legs ({calls} calls) over {span}, seed {seed}").format(
        file=summary.path, legs=i18n.number(summary.legs), calls=i18n.number(summary.calls),
        span=periods.between(summary.start, summary.end).text, seed=summary.seed))
    return 0


@command
def _import(commands: argparse._SubParsersAction) -> None:
    from ingest.importing import PROFILES

    parser = commands.add_parser(
        "import", help="load a file (call legs, QA, surveys, staffing, forecasts, agreements)",
        description="Load a file; every row is imported, a duplicate, filtered by a named rule, or rejected with a "
        "reason. Profiles: " + "; ".join(f"{name}: {text}" for name, text in PROFILES.items()),
    )
    parser.add_argument("path", help="the file (.csv, .txt, .xlsx, .parquet, or a queue_log)")
    parser.add_argument("--profile", default="generic", help="the file's layout (default generic): " + ", ".join(PROFILES))
    parser.add_argument("--tz", help="time zone of times without an offset (default: the reporting_tz setting)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or one JSON object")
    parser.add_argument("--new-queues", action="store_true",
                        help="create a new queue even when its name is close to an existing queue's (without it, such "
                             "a file is refused whole, naming the queue it is close to)")
    _db_option(parser)
    parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    import json

    from data import audit
    from ingest.importing import import_file

    summary = import_file(args.path, profile=args.profile, tz=args.tz, db=args.db, new_queues=args.new_queues,
                          imported_by=audit.cli_actor(), progress=_after(1.0, progress_bar("import")))
    if args.format == "json":
        print(json.dumps(summary.as_dict()))
        print(_alerts_after_import(args), file=sys.stderr)
        return 0
    print(_("{file}: read {read}, imported {imported}, duplicates {duplicates}, filtered {filtered}, rejected "
            "{rejected} (batch {batch})").format(
        file=summary.file_name, read=summary.read, imported=summary.imported, duplicates=summary.duplicates,
        filtered=summary.filtered, rejected=summary.rejected, batch=summary.batch_id))
    for rule, count in summary.filtered_by.items():
        print("  " + _("filtered by {rule}: {count}").format(rule=rule, count=count))
    if summary.notes:
        print("  " + _("notes: {notes}").format(notes=summary.notes))
    if summary.rejected:
        print("  " + _("rejected rows with their reasons: the Data page, or table rejected_rows where batch_id = {batch}")
              .format(batch=summary.batch_id))
    print(f"  {_alerts_after_import(args)}")
    return 0


def _alerts_after_import(args: argparse.Namespace) -> str:
    """The alert rules judged once the import has committed; a failure is one line, never the import's."""
    from data import audit
    from notify import deliver

    return deliver.after_import(args.db, audit.cli_actor())


@command
def _queue_log(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("queue-log", help="queue_log legs still waiting for their other rotated file")
    waiting = _actions(parser, _run_queue_log, waiting="one row per leg kept in queue_log_pending: where it came "
                       "from, its first event, how long it has waited and which half is missing")["waiting"]
    waiting.add_argument("--format", choices=("text", "json"), default="text",
                         help="text (tab-separated with a header, default) or a JSON list")


def _run_queue_log(args: argparse.Namespace) -> int:
    import json

    from data import settings, store
    from ingest import reads as import_reads

    with store.reading(args.db) as con:
        tz = settings.get(con, "reporting_tz")
        frame = import_reads.queue_log_waiting(con, tz)
    records = [{**{c: row[c] for c in import_reads.WAITING_COLUMNS if c != "waited"}, "time_zone": tz}
               for row in frame.to_dict("records")]
    if args.format == "json":
        print(json.dumps(records, default=lambda value: value.isoformat(sep=" ")))
        return 0
    if not records:
        print(_("no queue_log legs wait for their other file"))
        return 0
    print(f"queue\tcall_id\tfile\tline\tfirst_event ({tz})\tkept_at ({tz})\twaited\tmissing")
    for row in frame.itertuples():
        print(f"{row.queue}\t{row.call_id}\t{row.file}\t{row.line}\t{row.first_event:%Y-%m-%d %H:%M:%S}\t"
              f"{row.kept_at:%Y-%m-%d %H:%M:%S}\t{row.waited}\t{row.missing}")
    return 0


def _after(delay_s: float, show: Callable[[float, str], None]) -> Callable[[float, str], None]:
    """Progress that starts showing only once the work has run `delay_s`: small imports stay quiet."""
    import time

    started = time.monotonic()

    def maybe(fraction: float, message: str) -> None:
        if time.monotonic() - started >= delay_s:
            show(fraction, message)

    return maybe


@command
def _partner(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("partner", help="add or list overflow partners, or set their opening hours")
    made = _actions(parser, _run_partner, add="add a partner by name",
                    list="list partners and how many queues each owns",
                    hours="set a partner's opening hours from a day (a new version), or list its versions",
                    **{"in-house": "whether the partner's own users may see the centre's in-house figures (default: no)"})
    made["add"].add_argument("name")
    made["in-house"].add_argument("name", help="the partner's name")
    made["in-house"].add_argument("--shown", choices=("yes", "no"), help="yes: its users see them; no: they do not "
                                                                         "(without it, say which applies)")
    hours = made["hours"]
    hours.description = (
        "Opening hours decide which 15-minute intervals count for interval SL attainment, in the local time of "
        "the partner's queues. Example: --from 2026-01-05 --open mon-fri 08:00-20:00 --open sat "
        "10:00-12:00,13:00-16:00. A close not after the open passes midnight (--open fri 22:00-02:00 covers "
        "Saturday 00:00-02:00); 00:00-24:00 is the whole day; days not named are closed. Spans may touch "
        "(08:00-12:00,12:00-14:00) but not overlap, also across midnight and Sunday to Monday: an overlap is refused "
        "naming both spans. Without --from it lists the versions.")
    hours.add_argument("name", help="the partner's name")
    hours.add_argument("--from", dest="valid_from", help="first local day the hours apply (YYYY-MM-DD)")
    hours.add_argument("--open", nargs=2, action="append", default=[], metavar=("DAYS", "TIMES"),
                       help="days (mon-fri, sat,sun) and times (08:00-20:00, or 08:00-12:00,13:00-17:00); repeatable")
    hours.add_argument("--around-the-clock", action="store_true", help="open every day, all day")
    hours.add_argument("--note", default="", help="why the hours change")


def _run_partner(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import registry

    if args.action == "hours":
        return _run_partner_hours(args)
    if args.action == "in-house":
        return _run_partner_in_house(args)
    if args.action == "list":
        with store.reading(args.db) as con:
            partners = registry.list_partners(con)
        for partner_id, name, queues in partners:
            print(f"{partner_id}\t{name}\t" + n_("{count} queue(s)", "{count} queue(s)", queues).format(count=queues))
        if not partners:
            print(_("no partners yet: python -m cli partner add NAME"))
        return 0
    with store.writing(args.db) as con:
        new_id = registry.add_partner(con, args.name, actor=audit.cli_actor())
    print(_("added partner {name} (id {id})").format(name=repr(args.name.strip()), id=new_id))
    return 0


def _run_partner_in_house(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import access, registry

    if args.shown is None:
        with store.reading(args.db) as con:
            shown = access.in_house_visible(con, (registry.known_partner(con, args.name),))
    else:
        shown = args.shown == "yes"
        with store.writing(args.db) as con:
            access.show_in_house(con, registry.known_partner(con, args.name), shown, audit.cli_actor())
    print((_("{partner}: its own users see the centre's in-house figures") if shown
           else _("{partner}: its own users do not see the centre's in-house figures")).format(partner=args.name))
    return 0


def _run_partner_hours(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import hours, registry

    if args.valid_from is None:
        if args.open or args.around_the_clock:
            raise UserError(_("say from which day the hours apply: --from YYYY-MM-DD"))
        with store.reading(args.db) as con:
            versions = hours.history(con, registry.known_partner(con, args.name))
        for v in versions:
            span = (_("from {day}").format(day=v.valid_from) + "\t"
                    + (_("to {day}").format(day=v.valid_to) if v.valid_to else _("to now")))
            print(f"{v.version_id}\t{span}\t{v.hours}\t{v.created_by or '?'}\t{v.note}")
        if not versions:
            print(_("{partner} has no opening hours, so it counts as open around the clock").format(partner=args.name))
        return 0
    if args.open and args.around_the_clock:
        raise UserError(_("give --open or --around-the-clock, not both"))
    if not (args.open or args.around_the_clock):
        raise UserError(_("say when {partner} is open: --open mon-fri 08:00-20:00 (repeatable) or --around-the-clock")
                        .format(partner=repr(args.name)))
    try:
        valid_from = _date(args.valid_from)
    except argparse.ArgumentTypeError as error:
        raise UserError(f"--from: {error}") from None
    spans = hours.parse(hours.AROUND_THE_CLOCK if args.around_the_clock else "; ".join(" ".join(o) for o in args.open))
    with store.writing(args.db) as con:
        hours.add_version(con, registry.known_partner(con, args.name), valid_from, spans,
                          actor=audit.cli_actor(), note=args.note)
    print(_("{partner} from {day}: {hours}").format(partner=args.name, day=valid_from, hours=hours.describe(spans)))
    return 0


@command
def _settings(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "settings", help="show or change the settings (reporting time zone, default T and S, FCR days)",
        description="Show or change a setting. Changing reporting_tz, sl_threshold_s or short_abandon_s rebuilds "
                    "the interval rollups in the same transaction (it reads every leg), so every figure follows it.")
    put = _actions(parser, _run_settings, list="every setting with its value and meaning", set="change one setting")["set"]
    put.add_argument("name")
    put.add_argument("value")


def _run_settings(args: argparse.Namespace) -> int:
    from data import audit, rollups, settings, store

    if args.action == "list":
        with store.reading(args.db) as con:
            for setting in settings.SETTINGS:
                print(f"{setting.name}\t{settings.get(con, setting.name)}\t{_(setting.help)}")
        return 0
    value = settings.checked(args.name, args.value)
    if store.db_path(args.db).exists():
        with store.reading(args.db) as con:
            if settings.get(con, args.name) == value:
                print(_("{setting} is already {value}").format(setting=args.name, value=value))
                return 0
    with store.writing(args.db) as con:
        before = settings.get(con, args.name)
        settings.put(con, args.name, value)
        if settings.in_rollups(args.name):
            show = progress_bar("settings")
            show(0.1, _("rebuilding the interval rollups (reads every leg)"))
            rollups.follow_setting(con, args.name)
            show(1.0, _("interval rollups rebuilt"))
        audit.record(con, audit.cli_actor(), "settings", f"{args.name}: {before} -> {value}")
    print(f"{args.name}: {before} -> {value}")
    return 0


@command
def _queue(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("queue", help="create, rename or merge queues, or change a queue's owner and time zone")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    put = actions.add_parser("set", help="create or update a queue; without --partner it is in-house")
    put.add_argument("name")
    put.add_argument("--partner", help="the partner that owns the queue (default: in-house)")
    put.add_argument("--tz", help="the queue's time zone (default: unchanged, Europe/Stockholm for a new queue)")
    _db_option(put)
    rename = actions.add_parser("rename", help="give a queue another name; its legs and figures stay")
    rename.add_argument("name", help="the queue's name now")
    rename.add_argument("new_name", help="its new name (no other queue may have it: merge into that one instead)")
    _db_option(rename)
    merge = actions.add_parser(
        "merge", help="move every leg, QA evaluation, survey answer and staffing row of one queue to another and delete "
                      "the first (a typo an import created); duplicates by call id keep the earlier import's leg")
    merge.add_argument("name", help="the queue to merge away, e.g. 'FlexiCal Overflow'")
    merge.add_argument("into", help="the queue that keeps everything, e.g. 'FlexiCall Overflow'")
    _db_option(merge)
    parser.set_defaults(run=_run_queue)


def _run_queue(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import registry

    if args.action == "rename":
        with store.writing(args.db) as con:
            registry.rename_queue(con, args.name, args.new_name, audit.cli_actor())
        print(_("queue {name} is now {new_name}").format(name=repr(args.name.strip()), new_name=repr(args.new_name.strip())))
        return 0
    if args.action == "merge":
        with store.writing(args.db) as con:
            merged = registry.merge_queues(con, args.name, args.into, audit.cli_actor())
        print(_("merged queue {name} into {into}: {moved}").format(name=repr(args.name.strip()),
                                                                  into=repr(args.into.strip()), moved=merged.text))
        return 0
    with store.writing(args.db) as con:
        registry.set_queue(con, args.name, partner=args.partner, time_zone=args.tz)
        owner = f"partner {args.partner!r}" if args.partner else "in-house"
        audit.record(con, audit.cli_actor(), "queue set", f"queue {args.name.strip()!r}: {owner}, tz {args.tz or 'unchanged'}")
    owner_text = (_("partner {partner}").format(partner=repr(args.partner)) if args.partner else _("in-house"))
    print(_("queue {name} is {owner}").format(name=repr(args.name.strip()), owner=owner_text))
    return 0


@command
def _lake(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lake", help="past one machine: the legs as Parquet, rollups by Spark, loaded back",
        description="Keep the call legs also as a Parquet dataset (hive-partitioned by month) in DIR, compute the "
                    "interval rollups and the detail aggregates from it with Spark (or DuckDB), and load the "
                    "rollups and detail aggregates into the database. README: 'When one machine is not enough'.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="append the legs of every import batch not yet in DIR")
    rollups = actions.add_parser("rollups", help="compute DIR/aggregates from the legs in DIR")
    load = actions.add_parser("load", help="bring DIR/aggregates' rollups and detail aggregates into the database (all or nothing)")
    for sub in (export, rollups, load):
        sub.add_argument("dir", help="the lake's folder (a local path, or one the Spark cluster mounts)")
    for sub in (export, load):
        _db_option(sub)
    rollups.add_argument("--engine", choices=("spark", "duckdb"), default="spark", help="default spark")
    rollups.add_argument("--master", help="Spark master (default: spark-submit's, else local[2])")
    parser.set_defaults(run=_run_lake)


def _run_lake(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from data import store
    from lake import compute, dataset, load

    lake, started = Path(args.dir), time.perf_counter()
    if args.action == "export":
        with store.reading(args.db) as con:
            done = dataset.export(con, lake)
        said = (_("exported {legs} legs of {batches} import batch(es) into {files} files").format(
                    legs=i18n.number(done.legs), batches=i18n.number(len(done.batch_ids)),
                    files=i18n.number(len(done.files)))
                if done else _("nothing new to export: every import batch is already in the lake"))
    elif args.action == "rollups":
        computed = compute.rollups(lake, args.engine, args.master)
        said = _("{engine} computed from {legs} legs: {tables}").format(
            engine=args.engine, legs=i18n.number(computed.legs),
            tables=", ".join(_("{table} {rows} rows").format(table=name, rows=i18n.number(rows))
                             for name, rows in computed.rows.items()))
    else:
        with store.writing(args.db) as con:
            loaded = load.load(con, lake)
        said = _("loaded {rows} interval rollup rows computed by {engine} ({replaced} replaced)").format(
            rows=i18n.number(loaded.rows), engine=loaded.engine, replaced=i18n.number(loaded.replaced))
        said += ", " + ", ".join(_("{table} {rows} rows").format(table=name, rows=i18n.number(rows))
                                 for name, rows in loaded.details.items())
    print(f"{lake}: {said} ({i18n.number(time.perf_counter() - started, 1)} s)")
# Alerts, subscriptions and deliveries (issue 18).


@command
def _alerts(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("alerts", help="alert rules, open alerts, evaluation and the daily digest")
    made = _actions(parser, _run_alerts, rules="list the rules in force", add="add a rule", remove="remove a rule by name",
                    list="open (and acknowledged) alerts, most severe first", check="judge every rule now and send "
                    "what is not sent yet", ack="acknowledge an open alert by its id",
                    digest="mail each digest subscriber the alerts open today (run it daily from cron)")
    add = made["add"]
    add.description = ("Kinds: sl_below (--threshold 80% --intervals 4: service level below it in that many "
                       "consecutive 15-minute intervals inside opening hours, on one day), abandon_over (--threshold "
                       "10%: a day's abandon rate over it), turned_away (a call turned away while open), no_legs "
                       "(--threshold 2: hours in a row of opening hours without a leg), figure_red (--metric "
                       "service_level: that scorecard figure red for the week).")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=("sl_below", "abandon_over", "turned_away", "no_legs", "figure_red"))
    add.add_argument("--partner", help="the partner watched (default: every partner)")
    add.add_argument("--threshold", help="a share (80%% or 0.8) for sl_below and abandon_over; hours for no_legs")
    add.add_argument("--intervals", type=int, help="sl_below: consecutive intervals (default 4, an hour)")
    add.add_argument("--metric", help="figure_red: the scorecard figure, e.g. service_level, qa_score")
    add.add_argument("--severity", choices=("info", "warning", "critical"), default="warning")
    made["remove"].add_argument("name")
    made["list"].add_argument("--all", action="store_true", help="cleared alerts too")
    made["check"].add_argument("--since", type=_date, help="judge from this local day (default: the last 7 days of data)")
    made["ack"].add_argument("alert_id", type=int)


def _run_alerts(args: argparse.Namespace) -> int:
    from data import audit, settings, store
    from notify import deliver, evaluate, rules

    actor = audit.cli_actor()
    if args.action == "check":
        print(deliver.check(args.db, actor, args.since).line())
        return 0
    if args.action == "digest":
        report = deliver.send_digest(args.db)
        for line in report.lines():
            print(line)
        print(_("digest: {sent} sent, {failed} failed").format(sent=report.sent, failed=len(report.failed))
              if report.deliveries else _("digest: nobody subscribes (python -m cli subscriptions add EMAIL --what digest)"))
        return 1 if report.failed else 0
    if args.action in ("rules", "list"):
        with store.reading(args.db) as con:
            if args.action == "rules":
                found = rules.in_force(con)
                for r in found:
                    print(f"{r.name}	{r.whom}	{r.condition}	{r.severity}")
                if not found:
                    print(_("no alert rules yet: python -m cli alerts add NAME --kind sl_below --threshold 80%"))
                return 0
            tz = settings.get(con, "reporting_tz")
            rows = deliver.alert_rows(con, tz, deliver.ALL_STATES if args.all else deliver.OPEN_STATES)
        for r in rows:
            print(f"{r['alert_id']}	{r['state']}	{r['severity']}	{r['partner']}	{r['rule']}	{r['figure']}: "
                  f"{r['value']}	{r['threshold']}	{r['period']}	{r['link']}")
        if not rows:
            print(_("no open alerts"))
        return 0
    with store.writing(args.db) as con:
        if args.action == "add":
            rule = rules.add(con, args.name, args.kind, partner=args.partner, threshold=rules.parse_threshold(args.threshold),
                             intervals=args.intervals, figure=args.metric, severity=args.severity, actor=actor)
            print(_("added rule {name}: {condition}, {whom}, {severity}").format(
                name=repr(rule.name), condition=rule.condition, whom=rule.whom, severity=rule.severity))
        elif args.action == "remove":
            rule = rules.remove(con, args.name, actor=actor)
            print(_("removed rule {name}; its open alerts are cleared").format(name=repr(rule.name)))
        else:
            evaluate.acknowledge(con, args.alert_id, actor=actor)
            print(_("acknowledged alert {id}").format(id=args.alert_id))
    if args.action == "remove":
        print(deliver.check(args.db, actor).line())
    return 0


@command
def _credits(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("credits", help="a closed month's commercial record (credits, bonuses, invoice) "
                                                 "as Excel or PDF for finance")
    parser.add_argument("--partner", required=True, help="the partner's name")
    parser.add_argument("--month", required=True, help="the closed month, e.g. 2026-11")
    parser.add_argument("--out", required=True, help="the file to write: .xlsx or .pdf, chosen by the extension")
    _db_option(parser)
    parser.set_defaults(run=_run_credits)


def _run_credits(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reports import finance

    print(_("wrote {file}").format(file=finance.write_record(args.partner, args.month, Path(args.out), db=args.db)))
    return 0


@command
def _subscriptions(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("subscriptions", help="who gets scorecard files, alerts or the daily digest")
    made = _actions(parser, _run_subscriptions, add="subscribe an e-mail address (or a webhook URL for alerts)",
                    remove="remove an address's subscriptions", list="every subscription")
    add = made["add"]
    add.add_argument("address", help="an e-mail address, or a Teams/Slack incoming webhook URL (alerts, digest)")
    add.add_argument("--partner", help="whose files or alerts (required for a partner's own recipient; default: every partner)")
    add.add_argument("--format", choices=("pdf", "xlsx", "both"), default="both", help="scorecard files (default both)")
    add.add_argument("--what", choices=("scorecard", "alerts", "digest"), default="scorecard")
    add.add_argument("--audience", choices=("centre", "partner"),
                     help="partner: the partner's own people, who only ever get its own files (default: partner when "
                          "the address holds a partner user's grant, else centre)")
    add.add_argument("--lang", default=argparse.SUPPRESS, metavar="CODE",
                     help="the recipient's language for its messages and files (en or sv; default: the installation's "
                          "language setting at each sending); this command answers in it too")
    remove = made["remove"]
    remove.add_argument("address")
    remove.add_argument("--what", choices=("scorecard", "alerts", "digest"))
    remove.add_argument("--partner")


def _run_subscriptions(args: argparse.Namespace) -> int:
    from data import audit, store
    from notify import subscriptions

    if args.action == "list":
        with store.reading(args.db) as con:
            found = subscriptions.all_subscriptions(con)
        for s in found:
            print(f"{s.subscription_id}	{s.describe}")
        if not found:
            print(_("no subscriptions yet: python -m cli subscriptions add EMAIL --partner P --format pdf"))
        return 0
    with store.writing(args.db) as con:
        if args.action == "add":
            added = subscriptions.add(con, args.address, what=args.what, partner=args.partner, fmt=args.format,
                                      audience=args.audience, language=args.lang, actor=audit.cli_actor())
            print(_("subscribed {subscription}").format(subscription=added.describe))
        else:
            for gone in subscriptions.remove(con, args.address, what=args.what, partner=args.partner,
                                             actor=audit.cli_actor()):
                print(_("removed {subscription}").format(subscription=gone.describe))
    return 0


@command
def _month(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("month", help="close a month (freeze its figures for the commercial record), "
                                               "or list the closed months")
    made = _actions(parser, _run_month, close="close one partner's month once it has ended",
                    list="list a partner's closed months")
    for sub in made.values():
        sub.add_argument("--partner", required=True, help="the partner's name")
    made["close"].add_argument("--month", required=True, help="the month, e.g. 2026-11")


def _run_month(args: argparse.Namespace) -> int:
    from commercial import closes
    from data import audit, settings, store
    from partners import registry
    from reports import frames

    if args.action == "list":
        with store.reading(args.db) as con:
            months = closes.closed_months(con, registry.known_partner(con, args.partner))
        print("\n".join(m.label for m in months) or _("no month of {partner} is closed yet").format(partner=args.partner))
        return 0
    month = closes.month_of(args.month)
    with store.writing(args.db) as con:
        partner_id = registry.known_partner(con, args.partner)
        snapshot = frames.snapshot(con, partner_id, month, settings.get(con, "reporting_tz"), with_series=False)
        closes.close_month(con, partner_id, month, snapshot, audit.cli_actor())
    print(_("closed {month} for {partner}").format(month=month.label, partner=args.partner))
    return 0


@command
def _deliveries(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("deliveries", help="the delivery log: what was sent to whom and whether the server took it")
    parser.add_argument("--limit", type=int, default=50, help="how many of the newest messages (default 50)")
    _db_option(parser)
    parser.set_defaults(run=_run_deliveries)


def _run_deliveries(args: argparse.Namespace) -> int:
    from data import settings, store
    from notify import deliver

    with store.reading(args.db) as con:
        tz = settings.get(con, "reporting_tz")
        log = deliver.delivery_log(con, tz, args.limit)
    if log.empty:
        print(_("nothing was sent yet"))
        return 0
    print(f"sent_at ({tz})	kind	channel	address	partner	status	attempts	subject	files	detail")
    for row in log.itertuples():
        print(f"{row.sent_at:%Y-%m-%d %H:%M:%S}	{row.kind}	{row.channel}	{row.address}	{row.partner}	{row.status}	"
              f"{row.attempts}	{row.subject}	{row.files}	{row.detail}")
    return 0


@command
def _dispute(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("dispute", help="raise, decide or list disputes of a closed month's figures")
    made = _actions(parser, _run_dispute, **{"raise": "record a partner's dispute of one figure (whole, or a span)"},
                    decide="accept or reject an open dispute with a note", list="list a month's disputes")
    for name in ("raise", "list"):
        made[name].add_argument("--partner", required=True, help="the partner's name")
        made[name].add_argument("--month", required=True, help="the closed month, e.g. 2026-11")
    made["raise"].add_argument("--figure", required=True, help="the figure, e.g. service_level")
    made["raise"].add_argument("--reason", required=True, help="what happened, e.g. 'IVR down 10:00-10:45'")
    made["raise"].add_argument("--from", dest="span_from", help="a span's start, local time: 2026-11-12 10:00")
    made["raise"].add_argument("--to", dest="span_to", help="a span's end, local time: 2026-11-12 10:45")
    made["decide"].add_argument("dispute_id", type=int)
    made["decide"].add_argument("--decision", required=True, choices=("accepted", "rejected"))
    made["decide"].add_argument("--note", required=True, help="why: the partner reads it")


def _run_dispute(args: argparse.Namespace) -> int:
    from commercial import closes, disputes
    from data import audit, settings, store
    from partners import access, registry

    centre = access.Scope(audit.cli_actor(), "admin")
    if args.action == "decide":
        with store.writing(args.db) as con:
            decided = disputes.decide(con, centre, args.dispute_id, args.decision, args.note)
        said = _("dispute {id} accepted") if decided.status == "accepted" else _("dispute {id} rejected")
        print(said.format(id=decided.dispute_id))
        return 0
    month = closes.month_of(args.month)
    if args.action == "list":
        with store.reading(args.db) as con:
            found = disputes.disputes(con, registry.known_partner(con, args.partner), month)
        for d in found:
            span = "" if d.span_start is None else f" {d.span_start:%Y-%m-%d %H:%M}..{d.span_end:%H:%M} UTC"
            print(f"{d.dispute_id}\t{d.metric}{span}\t{d.status}\t{d.reason}\t{d.decision_note}")
        if not found:
            print(_("no disputes of {partner} for {month}").format(partner=args.partner, month=month.label))
        return 0
    if (args.span_from is None) != (args.span_to is None):
        raise UserError(_("a span needs both --from and --to (or neither, to dispute the whole figure)"))
    with store.writing(args.db) as con:
        span = None if args.span_from is None else disputes.local_span(
            args.span_from, args.span_to, settings.get(con, "reporting_tz"))
        dispute_id = disputes.raise_dispute(con, centre, registry.known_partner(con, args.partner), month,
                                            args.figure, args.reason, span)
    print(_("raised dispute {id}").format(id=dispute_id))
    return 0


@command
def _agreement(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("agreement", help="show a partner's agreement versions, or change terms "
                                                   "(a new version)")
    made = _actions(parser, _run_agreement, show="every version's terms, newest last",
                    set="a new version from a day: the terms in force then, with these changed")
    for sub in made.values():
        sub.add_argument("--partner", required=True, help="the partner's name")
    change = made["set"]
    change.description = ("Example: --from 2026-12-01 qa_min=0.8 qa_min_n=20 quality_judgement=point. "
                          "Fractions as 0.8 = 80 %; quality_judgement: interval (met or missed only when the "
                          "95 % interval is clear of the target) or point; *_min_n: the fewest evaluations or "
                          "answers a quality figure is judged on. The fields are the columns of the agreements "
                          "import layout (docs/import-layouts.md).")
    change.add_argument("--from", dest="valid_from", required=True, type=_date, help="first day of the new version")
    change.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help="a term and its new value")
    change.add_argument("--note", default="", help="why the terms change")


def _run_agreement(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import agreements, periods, registry

    if args.action == "show":
        with store.reading(args.db) as con:
            versions = agreements.history(con, registry.known_partner(con, args.partner))
        for version in versions:
            terms = ", ".join(f"{name}={getattr(version, name):g}" if isinstance(getattr(version, name), float)
                              else f"{name}={getattr(version, name)}"
                              for name in agreements.TARGETS if getattr(version, name) is not None)
            print(_("from {day} ({version}): {terms}").format(day=periods.day_text(version.valid_from),
                                                              version=version.name, terms=terms))
        return 0
    changes = {}
    for pair in args.changes:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise UserError(_("'{pair}' is not FIELD=VALUE (e.g. qa_min_n=20)").format(pair=pair))
        changes[name.strip()] = value.strip()
    with store.writing(args.db) as con:
        added = agreements.amend(con, registry.known_partner(con, args.partner), args.valid_from,
                                 created_by=audit.cli_actor(), note=args.note, **changes)
    print(_("added {version} for {partner} from {day}").format(version=added.name, partner=args.partner,
                                                                day=periods.day_text(added.valid_from)))
    return 0


@command
def _credit_rules(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("credit-rules", help="list a partner's credit and bonus rules, or add rules "
                                                      "(a new agreement version)")
    made = _actions(parser, _run_credit_rules, list="every version's rules",
                    add="a new version from a day: the targets in force then, with these rules")
    for sub in made.values():
        sub.add_argument("--partner", required=True, help="the partner's name")
    add = made["add"]
    add.description = ("Example: --rule metric=service_level,per=point,miss=500,beat=200,cap=5000,earn_back=2 "
                       "--rule metric=abandon_rate,per=band,band=2,miss=1000,counts=red "
                       "--rule metric=qa_score,kind=share_of_invoice,miss=0.005. kind: fixed (an amount) or "
                       "share_of_invoice (0.01 = 1 %); per: point or band (band=points per band); counts: "
                       "amber,red (default) or red. Rules of other figures carry over from the version in force.")
    add.add_argument("--from", dest="valid_from", required=True, type=_date, help="first day of the new version")
    add.add_argument("--rule", action="append", default=[], help="one figure's rule (repeatable)")
    add.add_argument("--month-cap", type=float, help="the most a month's credits (and bonuses) come to")
    add.add_argument("--note", default="", help="why the rules change")


def _run_credit_rules(args: argparse.Namespace) -> int:
    from data import audit, store
    from partners import agreements, periods, registry

    if args.action == "list":
        with store.reading(args.db) as con:
            versions = [(a, agreements.rules_of(con, a.agreement_id))
                        for a in agreements.history(con, registry.known_partner(con, args.partner))]
        for version, rules in versions:
            cap = "" if version.credit_month_cap is None else ", " + _("month cap {cap}").format(
                cap=i18n.short(version.credit_month_cap))
            print(_("from {day} ({version}): {terms}").format(
                day=periods.day_text(version.valid_from), version=version.name + cap,
                terms="; ".join(agreements.rule_text(r) for r in rules) or _("no credit rules")))
        return 0
    if not args.rule and args.month_cap is None:
        raise UserError(_("give at least one --rule (or a --month-cap)"))
    rules = [agreements.parse_rule(text) for text in args.rule]
    with store.writing(args.db) as con:
        added = agreements.add_rules(con, registry.known_partner(con, args.partner), args.valid_from, rules,
                                     created_by=audit.cli_actor(), note=args.note, credit_month_cap=args.month_cap)
    print(_("added {version} for {partner} from {day}").format(version=added.name, partner=args.partner,
                                                                day=periods.day_text(added.valid_from)))
    return 0


@command
def _privacy(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("privacy", help="retention purge, a customer's export or erasure (docs/privacy.md)")
    made = _actions(parser, _run_privacy, purge="take personal data older than its retention off the store",
                    erase="erase one customer (by the number as the source wrote it)",
                    export="what the store holds about one customer, as JSON or CSV")
    made["purge"].add_argument("--dry-run", action="store_true", help="say what would be purged, change nothing")
    for name in ("erase", "export"):
        made[name].add_argument("--customer", required=True, metavar="NUMBER", help="the customer id (phone number)")
        made[name].add_argument("--reference", default="", help="the request's reference, for the audit log")
    made["export"].add_argument("--format", choices=("json", "csv"), default="json")
    made["export"].add_argument("--out", help="the file to write (default: standard output)")


def _run_privacy(args: argparse.Namespace) -> int:
    import csv
    import io
    import json
    from pathlib import Path

    from data import audit, privacy, store

    db = store.db_path(args.db)
    if not db.exists():
        raise UserError(_("there is no database at {file}").format(file=db))
    if args.action == "purge":
        with store.writing(db) as con:
            purged = privacy.purge(con, db, dry_run=args.dry_run, actor=audit.cli_actor())
        if not args.dry_run:
            privacy.remove_uploads(purged.uploads)
            store.rewrite(db)
        print("\n".join(purged.lines(args.dry_run)))
        return 0
    if args.action == "erase":
        with store.writing(db) as con:
            found, files = privacy.erase(con, db, args.customer, audit.cli_actor(), args.reference)
        privacy.remove_uploads(files)
        store.rewrite(db)
        print(_("erased: {counts}, {files} kept upload(s) removed").format(counts=privacy.counts(found), files=len(files)))
        return 0
    with store.writing(db) as con:
        text = privacy.export(con, args.customer, audit.cli_actor(), args.reference)
    if args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["kind", "field", "value", "record"])
        for kind, rows in json.loads(text).items():
            for number, row in enumerate(rows, 1):
                writer.writerows([kind, field, value, number] for field, value in row.items())
        text = out.getvalue()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(_("wrote {file}").format(file=args.out))
    else:
        print(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    with i18n.language(i18n.current()):  # a command's language ends with it (a caller in the same process keeps its own)
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        i18n.use(command_language(args))
        return args.run(args)
    except UserError as error:
        print(_("error: {message}").format(message=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("error: interrupted; nothing was written by the unfinished step"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped early (`... | head`): not a failure worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # a file the system refuses: a full disk, a read-only folder, a name too long
        said = error.strerror or error
        print(_("error: cannot use {file}: {problem}").format(file=error.filename, problem=said) if error.filename
              else _("error: cannot use: {problem}").format(problem=said), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
