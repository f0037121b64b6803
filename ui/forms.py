"""The forms that write: the Data page's upload, the Agreements page's partner, agreement and
opening-hours versions, and the Access page's grant and revoke.

Each writes through the same domain function as the CLI (importing.import_file,
registry.add_partner, agreements.add_version, hours.add_version, access.grant, access.revoke), runs
as the submit button's callback where it can (so the page drawn afterwards already shows the
change), and leaves its outcome in the session to be said once below the form.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data import i18n, privacy, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from ingest import importing
from ingest.profiles import PROFILE_SPECS
from ingest.profiles.near import NearQueues
from metrics.definitions import metric
from notify import deliver
from partners import access, agreements, hours, registry
from reports import exports, views
from ui import columns, inputs, loaders, render, signin, source
from ui.source import Source, callback

PROFILES = importing.PROFILES


# --- the Data page's upload --------------------------------------------------------------------


def upload_form(src: Source) -> None:
    """Pick a profile, a file and (only to override it) the zone of its naive times; import it; say
    how the last one went.

    The zone is the profile's own (anonymous-bank: Asia/Jerusalem), else the reporting zone, as the
    CLI's `import` reads it when --tz is not given, so a web upload and a CLI import of the same
    file give the same legs. The profile is picked outside the form, so the zone said under the
    box follows it.
    """
    profile = st.selectbox(
        _("Profile"), list(PROFILES), key="upload_profile", format_func=lambda name: f"{name}: {_(PROFILES[name])}",
    )
    own, whose = upload_zone(profile, src.tz)
    with st.form("upload"):
        uploaded = st.file_uploader(_("File (CSV, Excel export or Asterisk queue_log)"), key="upload_file")
        typed = inputs.text(_("Time zone of times written without an offset"), "upload_tz", own,
                            help=_("An IANA zone such as Europe/Stockholm. Leave it empty for the zone named below."))
        st.caption(_("Left empty, times without an offset are read in {zone}, {whose}.").format(zone=own, whose=whose))
        submitted = st.form_submit_button(_("Import the file"), key="upload_go", type="primary")
    if submitted:
        st.session_state.pop(NEAR_QUEUES, None)
        _import_upload(src, uploaded, profile, typed.strip() or own)
    _near_queues_choice(src)
    _last_import()


def upload_zone(profile: str, reporting_tz: str) -> tuple[str, str]:
    """The zone an upload's naive times are read in unless the user names another, and whose it is."""
    own = PROFILE_SPECS[profile].default_tz
    return ((own, _("the {profile} profile's own zone").format(profile=profile)) if own
            else (reporting_tz, _("the reporting zone")))


def _import_upload(src: Source, uploaded: UploadedFile | None, profile: str, tz: str) -> None:
    """Import an uploaded file through the same importer as the CLI, with a progress bar.

    The importer reads a path and records it with the file's hash, so the upload is written to an
    uploads/ folder beside the database (UTC time + its own name, with the file's hash in the
    history), and removed after the import unless retention_uploads_days keeps it (docs/privacy.md); the history, the result and any refusal name the file as the user knows it, not the
    server-side path. The outcome is kept in the session and the page runs again, so the history
    and freshness below are read at the new data version.
    """
    if uploaded is None:
        st.session_state["last_import"] = {"error": _("choose a file to import first")}
        st.rerun()
    name = Path(uploaded.name).name
    bar = st.progress(0.0, text=_("Importing {file}").format(file=views.plain(name)))
    kept = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S.%fZ}-{exports.safe_file_name(name)}"
    path = (Path(src.db).parent / "uploads" / kept).resolve()
    try:
        save_upload(path, uploaded.getvalue())
    except OSError as error:
        st.session_state["last_import"] = {"error": f"{name}: {upload_failure(path.parent, error)}"}
        st.rerun()
    _import_kept(src, path, name, profile, tz, bar, new_queues=False)


# The session key of an upload held back because it would create queues close to existing ones.
NEAR_QUEUES = "near_queues"


def progress_of(bar: DeltaGenerator) -> Callable[[float, str], None]:
    """An import's progress callback showing on `bar`. The import reports DuckDB's own progress from
    a watcher thread (ingest/profiles/stage.py), which has no script run context: Streamlit refuses
    its updates (NoSessionContext) and the thread dies. So the callback gives the calling thread this
    run's context first (Streamlit's documented `add_script_run_ctx`)."""
    context = get_script_run_ctx()

    def show(fraction: float, message: str) -> None:
        add_script_run_ctx(threading.current_thread(), context)
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)
    return show


def _import_kept(src: Source, path: Path, name: str, profile: str, tz: str, bar: DeltaGenerator,
                 *, new_queues: bool) -> None:
    """Import a kept upload; a file that would create a queue close to an existing one is held back
    (nothing written) for the user's choice below the form, as `python -m cli import` refuses it
    without --new-queues."""
    try:
        summary = importing.import_file(
            path, profile=profile, tz=tz, db=src.db, imported_by=src.scope.email, file_name=name,
            progress=progress_of(bar),
            new_queues=new_queues,
        )
        st.session_state["last_import"] = {**summary.as_dict(), "tz": tz}
    except NearQueues as held:
        st.session_state.pop("last_import", None)
        st.session_state[NEAR_QUEUES] = {"path": str(path), "name": name, "profile": profile, "tz": tz,
                                         "pairs": held.pairs}
        st.rerun()
    except UserError as error:
        st.session_state["last_import"] = {"error": str(error).replace(str(path), name)}
        privacy.remove_uploads((path,))
        st.rerun()
    privacy.tidy_uploads(Path(src.db), path)
    # The import has committed: the alert rules are judged now, outside its transaction; whatever
    # happens there (a mail server down) is one line under the result, never the import's failure.
    st.session_state["last_import"]["alerts"] = deliver.after_import(src.db, src.scope.email)
    st.rerun()


def _near_queues_choice(src: Source) -> None:
    """The choice for an upload held back by new queue names close to existing ones: create them
    and import, or leave the file unimported to correct it (issue 16: before, such a queue was
    created silently and split a partner's traffic)."""
    held = st.session_state.get(NEAR_QUEUES)
    if not held:
        return
    lines = "  \n".join(_("Queue '{new}' is new; did you mean '{close}'?").format(new=new, close=close)
                         for new, close in held["pairs"])
    st.warning(_("{file}: nothing was imported yet.  \n{lines}  \n"
                 "Correct the file and upload it again, or create the new queue(s) as named. An admin can merge two "
                 "queues later below.").format(file=views.plain(held["name"]), lines=views.plain(lines)),
               icon=":material/help:")
    create, cancel = st.columns(2)
    if create.button(_("Create the new queue(s) and import"), key="near_create", type="primary"):
        st.session_state.pop(NEAR_QUEUES)
        bar = st.progress(0.0, text=_("Importing {file}").format(file=views.plain(held["name"])))
        _import_kept(src, Path(held["path"]), held["name"], held["profile"], held["tz"], bar, new_queues=True)
    if cancel.button(_("Don't import it"), key="near_cancel"):
        st.session_state.pop(NEAR_QUEUES)
        st.session_state["last_import"] = {"error": _("{file} was not imported: correct its queue names and upload it again")
                                           .format(file=held["name"])}
        st.rerun()


def queue_form(src: Source) -> None:
    """Rename a queue, or merge one into another (an admin's; the same functions and audit lines as
    `python -m cli queue rename|merge`). A merge is all or nothing and rebuilds the figures."""
    names = [queue[0] for queue in loaders.queue_list(src)]
    if not names:
        return
    with st.form("queue_change"):
        st.selectbox(_("Queue"), names, key="queue_change_name")
        st.radio(_("Change"), tuple(QUEUE_CHANGES), key="queue_change_action", horizontal=True,
                 format_func=lambda change: _(QUEUE_CHANGES[change]))
        inputs.text(_("New name (rename)"), "queue_change_new_name", "FlexiCall Overflow")
        st.selectbox(_("Merge into (merge)"), names, index=None, key="queue_change_into",
                     placeholder=_("choose the queue that keeps everything"))
        st.form_submit_button(_("Apply"), key="queue_change_go", on_click=_change_queue, args=(src,))
    outcome("queue_outcome")


# A queue change by its value (kept in the session and tests), as the reader reads it.
QUEUE_CHANGES = {"rename": N_("rename"), "merge into another queue": N_("merge into another queue")}


@callback
def _change_queue(src: Source) -> None:
    state = st.session_state
    name = state["queue_change_name"]
    try:
        with store.writing(src.db) as con:
            if state["queue_change_action"] == "rename":
                registry.rename_queue(con, name, state["queue_change_new_name"] or "", src.scope.email)
                said = _("Queue '{name}' is now '{new}'.").format(name=name, new=state["queue_change_new_name"].strip())
            else:
                if not state["queue_change_into"]:
                    raise UserError(_("choose the queue to merge into"))
                merged = registry.merge_queues(con, name, state["queue_change_into"], src.scope.email)
                said = _("Merged queue '{name}' into '{into}': {what}.").format(
                    name=name, into=state["queue_change_into"], what=merged.text)
    except UserError as error:
        state["queue_outcome"] = ("error", str(error))
        return
    state["queue_outcome"] = ("success", said)


def save_upload(path: Path, data: bytes) -> None:
    """Write the upload to `path` whole, or leave nothing there (a full disk leaves no 0-byte file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:
            out.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise


def upload_failure(folder: Path, error: OSError) -> str:
    """Why an upload could not be kept, in one line a person can act on."""
    if error.errno == errno.ENOSPC:
        return _("the server's disk is full, so the upload could not be kept in {folder}; free some space and try "
                 "again").format(folder=folder)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _("the server may not write the uploads folder {folder} (read-only or not permitted); ask an "
                 "administrator").format(folder=folder)
    return _("the upload could not be kept in {folder} ({reason})").format(folder=folder, reason=error.strerror or error)


def _last_import() -> None:
    """The summary of this session's last upload and the rows it rejected."""
    outcome = st.session_state.get("last_import")
    if not outcome:
        return
    if "error" in outcome:
        st.error(views.plain(outcome["error"]), icon=":material/error:")
        return
    st.success(
        _("{file}: read {read}, imported {imported}, duplicates {duplicates}, filtered {filtered}, rejected "
          "{rejected}. Times without an offset read in {zone}.").format(
            file=views.plain(outcome["file_name"]), zone=outcome["tz"],
            **{what: i18n.number(outcome[what]) for what in ("read", "imported", "duplicates", "filtered", "rejected")}),
        icon=":material/check_circle:",
    )
    if outcome.get("filtered_by"):
        st.caption(_("Filtered by rule: {rules}").format(
            rules=", ".join(f"{rule} {i18n.number(count)}" for rule, count in outcome["filtered_by"].items())))
    if outcome.get("notes"):
        st.info(_("Notes: {notes}.").format(notes=views.plain(outcome["notes"])), icon=":material/info:")  # names from the file
    if outcome.get("alerts"):
        st.caption(views.plain(outcome["alerts"][:1].upper() + outcome["alerts"][1:]) + ".")
    if outcome["rejected"]:
        render.table("last_import_rejected", loaders.rejected_rows, source.read(), outcome["batch_id"])
        reasons = loaders.rejected_rows(source.read(), outcome["batch_id"])["reason"]
        if reasons.str.startswith("unknown partner").any():
            st.page_link("app_pages/agreements.py", label=_("Add a partner on the Agreements page"),
                         icon=":material/person_add:")


# --- the Agreements page ------------------------------------------------------------------------


def partner_form(src: Source) -> None:
    """Add a partner by name through the same domain function as `python -m cli partner add`.

    Saving runs as the button's callback, before the sidebar is drawn again, so the new partner is
    already chosen there and this page shows its (empty) agreement with the form to add one.
    """
    with st.form("partner_add"):
        inputs.text(_("Name (as the call-leg files write it)"), "partner_add_name", "FlexiCall")
        st.form_submit_button(_("Add partner"), key="partner_add", on_click=_save_partner, args=(src,))
    outcome("partner_outcome")


@callback
def _save_partner(src: Source) -> None:
    state = st.session_state
    try:
        with store.writing(src.db) as con:
            registry.add_partner(con, state["partner_add_name"], actor=src.scope.email)
    except UserError as error:
        state["partner_outcome"] = ("error", str(error))
        return
    name = state["partner_add_name"].strip()
    state["partner"] = name
    state["partner_outcome"] = ("success", _("Added partner {name}. Its queues are created by its first import "
                                             "(rows naming it in the partner column).").format(name=repr(name)))


def agreement_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for a new version, pre-filled with the newest one so changing one target keeps the rest.

    An empty box leaves that target unset (its figure gets no status). The boxes set no limits of
    their own: partners.agreements.checked refuses what is out of range, said in the form's words.
    Saving runs as the submit button's callback, before the page is drawn again, so the history
    above already shows it.
    """
    history = loaders.agreement_history(src, partner_id)
    latest = history.iloc[0].to_dict() if not history.empty else {}
    with st.form(f"agreement_{partner_id}"):
        st.date_input(_("Valid from"), key=f"agreement_valid_from_{partner_id}")
        st.selectbox(
            _("Service-level variant"), agreements.VARIANTS, key=f"agreement_sl_variant_{partner_id}",
            format_func=lambda variant: _(columns.SL_VARIANTS.get(variant, variant)),
            index=agreements.VARIANTS.index(latest.get("sl_variant") or agreements.VARIANTS[0]),
        )
        st.selectbox(
            _("Quality judged on (interval: met or missed only when the 95 % interval is clear of the target)"),
            agreements.JUDGEMENTS, key=f"agreement_quality_judgement_{partner_id}",
            format_func=lambda judgement: _(columns.JUDGEMENTS.get(judgement, judgement)),
            index=agreements.JUDGEMENTS.index(latest.get("quality_judgement") or agreements.INTERVAL),
        )
        boxes = st.columns(4)
        for i, (name, label, kind) in enumerate(columns.AGREEMENT_FIELDS):
            current = latest.get(name)
            value = None if current is None or pd.isna(current) else float(current) * (100 if kind == "%" else 1)
            whole = kind == "int"
            inputs.number(
                _("{label} (%)").format(label=_(label)) if kind == "%" else _(label), f"agreement_{name}_{partner_id}",
                inputs.AGREEMENT_EXAMPLES[name], where=boxes[i % 4],
                value=int(value) if whole and value is not None else value, step=1 if whole else 1.0,
            )
        inputs.text(_("Note (why this version)"), f"agreement_note_{partner_id}", _("SL target raised to 85 % from Q1"))
        st.form_submit_button(
            _("Add version"), key=f"agreement_add_{partner_id}", type="primary",
            on_click=_save_agreement, args=(src, partner_id, partner),
        )
    outcome("agreement_outcome")


def outcome(key: str) -> None:
    """The message a save callback left under `key` (success or error), shown once."""
    saved = st.session_state.pop(key, None)
    if saved:
        kind, message = saved
        (st.success if kind == "success" else st.error)(views.plain(message))  # names and emails are the user's


@callback
def _save_agreement(src: Source, partner_id: int, partner: str) -> None:
    state = st.session_state
    targets = {}
    for name, _label, kind in columns.AGREEMENT_FIELDS:
        entered = state[f"agreement_{name}_{partner_id}"]
        targets[name] = None if entered is None else entered / 100 if kind == "%" else int(entered) if kind == "int" else entered
    try:
        with store.writing(src.db) as con:
            newest = agreements.history(con, partner_id)[-1:]  # its credit rules carry over, as its targets do
            added = agreements.add_version(
                con, partner_id, state[f"agreement_valid_from_{partner_id}"], created_by=src.scope.email,
                note=state[f"agreement_note_{partner_id}"], sl_variant=state[f"agreement_sl_variant_{partner_id}"],
                quality_judgement=state[f"agreement_quality_judgement_{partner_id}"],
                rules=agreements.rules_of(con, newest[0].agreement_id) if newest else (), **targets,
            )
    except UserError as error:
        state["agreement_outcome"] = ("error", _in_form_words(error))
        return
    state["agreement_outcome"] = ("success", _("Added {version} for {partner}, valid from {day}.").format(
        version=added.name, partner=partner, day=added.valid_from))


def _in_form_words(error: UserError) -> str:
    """The domain's refusal said with the form's labels and units (180 %, not 1.8 or sl_target)."""
    if not isinstance(error, agreements.TargetError):
        return str(error)
    labels = {name: (label, kind) for name, label, kind in columns.AGREEMENT_FIELDS}
    if error.field not in labels:
        return str(error)
    label, kind = _(labels[error.field][0]), labels[error.field][1]

    def amount(value: object) -> str:
        return f"{_short(round(float(value) * 100, 6))}{i18n.percent_sign()}" if kind == "%" else _short(float(value))

    if error.rule == "fraction":
        return _("{label} must be between 0 and 100 %, not {amount}.").format(label=label, amount=amount(error.value))
    if error.rule == "order":
        return _("{label} ({amount}) must not be above {other} ({other_amount}).").format(
            label=label, amount=amount(error.value), other=_(labels[error.other][0]), other_amount=amount(error.other_value))
    if error.rule == "negative":
        return _("{label} must not be negative, not {amount}.").format(label=label, amount=amount(error.value))
    if error.rule == "range":
        low, high = agreements.RANGES[error.field]
        return _("{label} must be between {low} and {high}, not {amount}.").format(
            label=label, low=_short(low), high=_short(high), amount=amount(error.value))
    return str(error)


def _short(value: float) -> str:
    """A number with the digits it has and no more (Python's :g), in the reader's way: 0.5 / 0,5."""
    text = f"{value:g}"
    if "e" in text:
        return text
    return i18n.number(value, len(text.split(".")[1]) if "." in text else 0, grouped=False)


def rule_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for one figure's credit and bonus rule: a new version with the targets and the other
    rules in force on its first day (partners.agreements.add_rules), checked like the targets."""
    key = f"rule_{partner_id}"
    with st.form(key):
        top = st.columns(4)
        top[0].date_input(_("Valid from"), key=f"{key}_valid_from")
        top[1].selectbox(_("Figure"), list(agreements.RULE_METRICS), key=f"{key}_metric",
                         format_func=lambda name: _(metric(name).label))
        top[2].selectbox(_("Amounts are"), agreements.RULE_KINDS, key=f"{key}_kind",
                         format_func=lambda kind: _(RULE_WORDS[kind]))
        top[3].selectbox(_("Per"), agreements.RULE_PERS, key=f"{key}_per", format_func=lambda per: _(RULE_WORDS[per]))
        boxes = st.columns(4)
        inputs.number(_("A miss costs"), f"{key}_miss", "500", where=boxes[0], value=None)
        inputs.number(_("A beat earns (empty: no bonus)"), f"{key}_beat", "200", where=boxes[1], value=None)
        inputs.number(_("Points per band"), f"{key}_band", "5", where=boxes[2], value=None)
        inputs.number(_("Cap a month for this figure"), f"{key}_cap", "2000", where=boxes[3], value=None)
        more = st.columns(3)
        inputs.number(_("Earned back after months met (0: never)"), f"{key}_earn_back", "3", where=more[0], value=0,
                      step=1)
        more[1].selectbox(_("Statuses that cost"), agreements.RULE_COUNTS, key=f"{key}_counts",
                          format_func=lambda counts: _(RULE_WORDS[counts]))
        inputs.number(_("Month cap, all figures (empty: as in force)"), f"{key}_month_cap", "5000", where=more[2],
                      value=None)
        st.form_submit_button(_("Add rule (a new version)"), key=f"{key}_add", on_click=_save_rule,
                              args=(src, partner_id, partner, key))
    outcome("rule_outcome")


# The credit rule's choices as the reader reads them (the values stay the stored ones).
RULE_WORDS = {"fixed": N_("fixed (currency)"), "share_of_invoice": N_("a share of the invoice (0.01 = 1 %)"),
              "point": N_("point missed or beaten"), "band": N_("started band of points"),
              "amber,red": N_("amber and red"), "red": N_("red only")}


@callback
def _save_rule(src: Source, partner_id: int, partner: str, key: str) -> None:
    state = st.session_state
    rule = agreements.CreditRule(
        state[f"{key}_metric"], state[f"{key}_kind"], state[f"{key}_per"], state[f"{key}_miss"],
        state[f"{key}_beat"], state[f"{key}_band"], state[f"{key}_cap"], state[f"{key}_earn_back"] or 0,
        state[f"{key}_counts"])
    try:
        with store.writing(src.db) as con:
            added = agreements.add_rules(con, partner_id, state[f"{key}_valid_from"], [rule],
                                         created_by=src.scope.email, credit_month_cap=state[f"{key}_month_cap"])
    except UserError as error:
        state["rule_outcome"] = ("error", str(error))
        return
    state["rule_outcome"] = ("success", _("Added {version} for {partner} from {day} with the {figure} rule.").format(
        version=added.name, partner=partner, day=added.valid_from, figure=_(metric(rule.metric).label)))


def hours_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for a new opening-hours version, pre-filled with the newest one's text to edit."""
    history = loaders.hours_history(src, partner_id)
    with st.form(f"hours_{partner_id}"):
        st.date_input(_("Valid from"), key=f"hours_valid_from_{partner_id}")
        inputs.text(
            _("Open (days and local times)"), f"hours_text_{partner_id}", hours.EXAMPLE,
            value=history["hours"].iloc[0] if not history.empty else "",
            help=_("For example {example}, or {always}. Several spans a day: "
                   "mon 08:00-12:00, 13:00-17:00. A close not after the open passes midnight (fri 22:00-02:00 "
                   "covers Saturday 00:00-02:00); 00:00-24:00 is the whole day; days not named are closed. Spans may "
                   "touch (08:00-12:00, 12:00-14:00) but not overlap.").format(example=hours.EXAMPLE,
                                                                               always=hours.AROUND_THE_CLOCK),
        )
        inputs.text(_("Note (why these hours)"), f"hours_note_{partner_id}", _("open Saturdays from December"))
        st.form_submit_button(
            _("Add hours version"), key=f"hours_add_{partner_id}", type="primary",
            on_click=_save_hours, args=(src, partner_id, partner),
        )
    outcome("hours_outcome")


@callback
def _save_hours(src: Source, partner_id: int, partner: str) -> None:
    state = st.session_state
    valid_from = state[f"hours_valid_from_{partner_id}"]
    try:
        spans = hours.parse(state[f"hours_text_{partner_id}"])
        with store.writing(src.db) as con:
            hours.add_version(con, partner_id, valid_from, spans, actor=src.scope.email,
                              note=state[f"hours_note_{partner_id}"])
    except UserError as error:
        state["hours_outcome"] = ("error", str(error))
        return
    state["hours_outcome"] = ("success", _("{partner} is open {hours} from {day}.").format(
        partner=partner, hours=hours.describe(spans), day=valid_from))


# --- the Access page ----------------------------------------------------------------------------


def grant_form(src: Source, partners: list[str]) -> None:
    """Grant a role to an email (replacing any grant it had); a partner user names their partner."""
    with st.form("grant_form", clear_on_submit=True):
        inputs.text(_("Email"), "grant_email", "site.manager@partner.example")
        st.selectbox(_("Role"), access.ROLES, key="grant_role", format_func=lambda role: _(signin.ROLES[role]),
                     help=_("admin: everything; manager: all partners, no access administration; partner: its own "
                            "partner only"))
        st.selectbox(_("Partner (partner role only)"), partners, index=None, key="grant_partner",
                     placeholder=_("none: admins and managers see every partner"))
        st.selectbox(_("Language"), list(i18n.LANGUAGES), index=None, key="grant_language",
                     format_func=lambda code: i18n.LANGUAGES[code],
                     placeholder=_("the installation's (the user can change it in the sidebar)"))
        st.form_submit_button(_("Grant"), key="grant_submit", on_click=_grant, args=(src,))


def revoke_form(src: Source, revocable: list[str]) -> None:
    """Revoke one of the grants listed (not the admin's own)."""
    st.selectbox(_("Email"), revocable, key="revoke_email", index=None, placeholder=_("choose a grant to revoke"))
    st.button(_("Revoke"), key="revoke_submit", on_click=_revoke, args=(src,),
              disabled=not revocable)


def _change(src: Source, write: Callable[[Connection], str]) -> None:
    """Run one access change in its own transaction; keep its outcome to show below."""
    try:
        with store.writing(src.db) as con:
            st.session_state["access_outcome"] = ("success", write(con))
    except UserError as error:
        st.session_state["access_outcome"] = ("error", str(error))


@callback
def _grant(src: Source) -> None:
    role, partner = st.session_state["grant_role"], st.session_state["grant_partner"]

    def write(con: Connection) -> str:
        g = access.grant(con, st.session_state["grant_email"], role, partner if role == "partner" else None,
                         actor=src.scope.email, language=st.session_state.get("grant_language"))
        return _("Granted {email}: {role}.").format(email=g.email, role=signin.role_text(
            access.Scope(g.email, g.role, g.partner_id, g.partner_name)))

    _change(src, write)


@callback
def _revoke(src: Source) -> None:
    email = st.session_state["revoke_email"]
    if email is None:
        st.session_state["access_outcome"] = ("error", _("Choose the grant to revoke first."))
        return

    def write(con: Connection) -> str:
        access.revoke(con, email, actor=src.scope.email)
        return _("Revoked {email}.").format(email=email)

    _change(src, write)
