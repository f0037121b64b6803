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
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data import privacy, store
from data.errors import UserError
from data.store import Connection
from ingest import importing
from ingest.profiles import PROFILE_SPECS
from ingest.profiles.near import NearQueues
from metrics.definitions import metric
from notify import deliver
from partners import access, agreements, hours, registry
from reports import exports, views
from ui import columns, inputs, loaders, render, source
from ui.source import Source

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
        "Profile", list(PROFILES), key="upload_profile", format_func=lambda name: f"{name}: {PROFILES[name]}",
    )
    own, whose = upload_zone(profile, src.tz)
    with st.form("upload"):
        uploaded = st.file_uploader("File (CSV, Excel export or Asterisk queue_log)", key="upload_file")
        typed = inputs.text("Time zone of times written without an offset", "upload_tz", own,
                            help="An IANA zone such as Europe/Stockholm. Leave it empty for the zone named below.")
        st.caption(f"Left empty, times without an offset are read in {own}, {whose}.")
        submitted = st.form_submit_button("Import", key="upload_go", type="primary")
    if submitted:
        st.session_state.pop(NEAR_QUEUES, None)
        _import_upload(src, uploaded, profile, typed.strip() or own)
    _near_queues_choice(src)
    _last_import()


def upload_zone(profile: str, reporting_tz: str) -> tuple[str, str]:
    """The zone an upload's naive times are read in unless the user names another, and whose it is."""
    own = PROFILE_SPECS[profile].default_tz
    return (own, f"the {profile} profile's own zone") if own else (reporting_tz, "the reporting zone")


def _import_upload(src: Source, uploaded: UploadedFile | None, profile: str, tz: str) -> None:
    """Import an uploaded file through the same importer as the CLI, with a progress bar.

    The importer reads a path and records it with the file's hash, so the upload is written to an
    uploads/ folder beside the database (UTC time + its own name, with the file's hash in the
    history), and removed after the import unless retention_uploads_days keeps it (docs/privacy.md); the history, the result and any refusal name the file as the user knows it, not the
    server-side path. The outcome is kept in the session and the page runs again, so the history
    and freshness below are read at the new data version.
    """
    if uploaded is None:
        st.session_state["last_import"] = {"error": "choose a file to import first"}
        st.rerun()
    name = Path(uploaded.name).name
    bar = st.progress(0.0, text=f"Importing {views.plain(name)}")
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


def _import_kept(src: Source, path: Path, name: str, profile: str, tz: str, bar: DeltaGenerator,
                 *, new_queues: bool) -> None:
    """Import a kept upload; a file that would create a queue close to an existing one is held back
    (nothing written) for the user's choice below the form, as `python -m cli import` refuses it
    without --new-queues."""
    try:
        summary = importing.import_file(
            path, profile=profile, tz=tz, db=src.db, imported_by=src.scope.email, file_name=name,
            progress=lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message),
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
    lines = "  \n".join(f"Queue '{new}' is new; did you mean '{close}'?" for new, close in held["pairs"])
    st.warning(f"{views.plain(held['name'])}: nothing was imported yet.  \n{views.plain(lines)}  \n"
               "Correct the file and upload it again, or create the new queue(s) as named. An admin can merge two "
               "queues later below.", icon=":material/help:")
    create, cancel = st.columns(2)
    if create.button("Create the new queue(s) and import", key="near_create", type="primary"):
        st.session_state.pop(NEAR_QUEUES)
        bar = st.progress(0.0, text=f"Importing {views.plain(held['name'])}")
        _import_kept(src, Path(held["path"]), held["name"], held["profile"], held["tz"], bar, new_queues=True)
    if cancel.button("Don't import it", key="near_cancel"):
        st.session_state.pop(NEAR_QUEUES)
        st.session_state["last_import"] = {"error": f"{held['name']} was not imported: correct its queue names and upload it again"}
        st.rerun()


def queue_form(src: Source) -> None:
    """Rename a queue, or merge one into another (an admin's; the same functions and audit lines as
    `python -m cli queue rename|merge`). A merge is all or nothing and rebuilds the figures."""
    names = [name for name, _, _ in loaders.queue_list(src)]
    if not names:
        return
    with st.form("queue_change"):
        st.selectbox("Queue", names, key="queue_change_name")
        st.radio("Change", ("rename", "merge into another queue"), key="queue_change_action", horizontal=True)
        inputs.text("New name (rename)", "queue_change_new_name", "FlexiCall Overflow")
        st.selectbox("Merge into (merge)", names, index=None, key="queue_change_into", placeholder="choose the queue that keeps everything")
        st.form_submit_button("Apply", key="queue_change_go", on_click=_change_queue, args=(src,))
    outcome("queue_outcome")


def _change_queue(src: Source) -> None:
    state = st.session_state
    name = state["queue_change_name"]
    try:
        with store.writing(src.db) as con:
            if state["queue_change_action"] == "rename":
                registry.rename_queue(con, name, state["queue_change_new_name"] or "", src.scope.email)
                said = f"Queue '{name}' is now '{state['queue_change_new_name'].strip()}'."
            else:
                if not state["queue_change_into"]:
                    raise UserError("choose the queue to merge into")
                merged = registry.merge_queues(con, name, state["queue_change_into"], src.scope.email)
                said = f"Merged queue '{name}' into '{state['queue_change_into']}': {merged.text}."
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
        return f"the server's disk is full, so the upload could not be kept in {folder}; free some space and try again"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"the server may not write the uploads folder {folder} (read-only or not permitted); ask an administrator"
    return f"the upload could not be kept in {folder} ({error.strerror or error})"


def _last_import() -> None:
    """The summary of this session's last upload and the rows it rejected."""
    outcome = st.session_state.get("last_import")
    if not outcome:
        return
    if "error" in outcome:
        st.error(views.plain(outcome["error"]), icon=":material/error:")
        return
    st.success(
        f"{views.plain(outcome['file_name'])}: read {outcome['read']:,}, imported {outcome['imported']:,}, "
        f"duplicates {outcome['duplicates']:,}, filtered {outcome['filtered']:,}, rejected {outcome['rejected']:,}. "
        f"Times without an offset read in {outcome['tz']}.",
        icon=":material/check_circle:",
    )
    if outcome.get("filtered_by"):
        st.caption("Filtered by rule: " + ", ".join(f"{rule} {count:,}" for rule, count in outcome["filtered_by"].items()))
    if outcome.get("notes"):
        st.info(f"Notes: {views.plain(outcome['notes'])}.", icon=":material/info:")  # names from the file
    if outcome.get("alerts"):
        st.caption(views.plain(outcome["alerts"][:1].upper() + outcome["alerts"][1:]) + ".")
    if outcome["rejected"]:
        render.table("last_import_rejected", loaders.rejected_rows, source.read(), outcome["batch_id"])
        reasons = loaders.rejected_rows(source.read(), outcome["batch_id"])["reason"]
        if reasons.str.startswith("unknown partner").any():
            st.page_link("app_pages/agreements.py", label="Add a partner on the Agreements page",
                         icon=":material/person_add:")


# --- the Agreements page ------------------------------------------------------------------------


def partner_form(src: Source) -> None:
    """Add a partner by name through the same domain function as `python -m cli partner add`.

    Saving runs as the button's callback, before the sidebar is drawn again, so the new partner is
    already chosen there and this page shows its (empty) agreement with the form to add one.
    """
    with st.form("partner_add"):
        inputs.text("Name (as the call-leg files write it)", "partner_add_name", "FlexiCall")
        st.form_submit_button("Add partner", key="partner_add", on_click=_save_partner, args=(src,))
    outcome("partner_outcome")


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
    state["partner_outcome"] = ("success", f"Added partner {name!r}. Its queues are created by its first import "
                                           "(rows naming it in the partner column).")


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
        st.date_input("Valid from", key=f"agreement_valid_from_{partner_id}")
        st.selectbox(
            "Service-level variant", agreements.VARIANTS, key=f"agreement_sl_variant_{partner_id}",
            index=agreements.VARIANTS.index(latest.get("sl_variant") or agreements.VARIANTS[0]),
        )
        st.selectbox(
            "Quality judged on (interval: met or missed only when the 95 % interval is clear of the target)",
            agreements.JUDGEMENTS, key=f"agreement_quality_judgement_{partner_id}",
            index=agreements.JUDGEMENTS.index(latest.get("quality_judgement") or agreements.INTERVAL),
        )
        boxes = st.columns(4)
        for i, (name, label, kind) in enumerate(columns.AGREEMENT_FIELDS):
            current = latest.get(name)
            value = None if current is None or pd.isna(current) else float(current) * (100 if kind == "%" else 1)
            whole = kind == "int"
            inputs.number(
                f"{label} (%)" if kind == "%" else label, f"agreement_{name}_{partner_id}",
                inputs.AGREEMENT_EXAMPLES[name], where=boxes[i % 4],
                value=int(value) if whole and value is not None else value, step=1 if whole else 1.0,
            )
        inputs.text("Note (why this version)", f"agreement_note_{partner_id}", "SL target raised to 85 % from Q1")
        st.form_submit_button(
            "Add version", key=f"agreement_add_{partner_id}", type="primary",
            on_click=_save_agreement, args=(src, partner_id, partner),
        )
    outcome("agreement_outcome")


def outcome(key: str) -> None:
    """The message a save callback left under `key` (success or error), shown once."""
    saved = st.session_state.pop(key, None)
    if saved:
        kind, message = saved
        (st.success if kind == "success" else st.error)(views.plain(message))  # names and emails are the user's


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
    state["agreement_outcome"] = ("success", f"Added {added.name} for {partner}, valid from {added.valid_from}.")


def _in_form_words(error: UserError) -> str:
    """The domain's refusal said with the form's labels and units (180 %, not 1.8 or sl_target)."""
    if not isinstance(error, agreements.TargetError):
        return str(error)
    labels = {name: (label, kind) for name, label, kind in columns.AGREEMENT_FIELDS}
    if error.field not in labels:
        return str(error)
    label, kind = labels[error.field]

    def amount(value: object) -> str:
        return f"{round(float(value) * 100, 6):g} %" if kind == "%" else f"{float(value):g}"

    if error.rule == "fraction":
        return f"{label} must be between 0 and 100 %, not {amount(error.value)}."
    if error.rule == "order":
        other = labels[error.other][0]
        return f"{label} ({amount(error.value)}) must not be above {other} ({amount(error.other_value)})."
    if error.rule == "negative":
        return f"{label} must not be negative, not {amount(error.value)}."
    if error.rule == "range":
        low, high = agreements.RANGES[error.field]
        return f"{label} must be between {low:g} and {high:g}, not {amount(error.value)}."
    return str(error)


def rule_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for one figure's credit and bonus rule: a new version with the targets and the other
    rules in force on its first day (partners.agreements.add_rules), checked like the targets."""
    key = f"rule_{partner_id}"
    with st.form(key):
        top = st.columns(4)
        top[0].date_input("Valid from", key=f"{key}_valid_from")
        top[1].selectbox("Figure", list(agreements.RULE_METRICS), key=f"{key}_metric",
                         format_func=lambda name: metric(name).label)
        top[2].selectbox("Amounts are", agreements.RULE_KINDS, key=f"{key}_kind",
                         format_func=lambda kind: {"fixed": "fixed (currency)",
                                                   "share_of_invoice": "a share of the invoice (0.01 = 1 %)"}[kind])
        top[3].selectbox("Per", agreements.RULE_PERS, key=f"{key}_per",
                         format_func=lambda per: {"point": "point missed or beaten", "band": "started band of points"}[per])
        boxes = st.columns(4)
        inputs.number("A miss costs", f"{key}_miss", "500", where=boxes[0], value=None)
        inputs.number("A beat earns (empty: no bonus)", f"{key}_beat", "200", where=boxes[1], value=None)
        inputs.number("Points per band", f"{key}_band", "5", where=boxes[2], value=None)
        inputs.number("Cap a month for this figure", f"{key}_cap", "2000", where=boxes[3], value=None)
        more = st.columns(3)
        inputs.number("Earned back after months met (0: never)", f"{key}_earn_back", "3", where=more[0], value=0, step=1)
        more[1].selectbox("Statuses that cost", agreements.RULE_COUNTS, key=f"{key}_counts",
                          format_func=lambda counts: {"amber,red": "amber and red", "red": "red only"}[counts])
        inputs.number("Month cap, all figures (empty: as in force)", f"{key}_month_cap", "5000", where=more[2],
                      value=None)
        st.form_submit_button("Add rule (a new version)", key=f"{key}_add", on_click=_save_rule,
                              args=(src, partner_id, partner, key))
    outcome("rule_outcome")


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
    state["rule_outcome"] = ("success", f"Added {added.name} for {partner} from {added.valid_from} "
                                        f"with the {metric(rule.metric).label} rule.")


def hours_form(src: Source, partner_id: int, partner: str) -> None:
    """A form for a new opening-hours version, pre-filled with the newest one's text to edit."""
    history = loaders.hours_history(src, partner_id)
    with st.form(f"hours_{partner_id}"):
        st.date_input("Valid from", key=f"hours_valid_from_{partner_id}")
        inputs.text(
            "Open (days and local times)", f"hours_text_{partner_id}", hours.EXAMPLE,
            value=history["hours"].iloc[0] if not history.empty else "",
            help=f"For example {hours.EXAMPLE}, or {hours.AROUND_THE_CLOCK}. Several spans a day: "
                 "mon 08:00-12:00, 13:00-17:00. A close not after the open passes midnight (fri 22:00-02:00 "
                 "covers Saturday 00:00-02:00); 00:00-24:00 is the whole day; days not named are closed. Spans may "
                 "touch (08:00-12:00, 12:00-14:00) but not overlap.",
        )
        inputs.text("Note (why these hours)", f"hours_note_{partner_id}", "open Saturdays from December")
        st.form_submit_button(
            "Add hours version", key=f"hours_add_{partner_id}", type="primary",
            on_click=_save_hours, args=(src, partner_id, partner),
        )
    outcome("hours_outcome")


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
    state["hours_outcome"] = ("success", f"{partner} is open {hours.describe(spans)} from {valid_from}.")


# --- the Access page ----------------------------------------------------------------------------


def grant_form(src: Source, partners: list[str]) -> None:
    """Grant a role to an email (replacing any grant it had); a partner user names their partner."""
    with st.form("grant_form", clear_on_submit=True):
        inputs.text("Email", "grant_email", "site.manager@partner.example")
        st.selectbox("Role", access.ROLES, key="grant_role",
                     help="admin: everything; manager: all partners, no access administration; partner: its own partner only")
        st.selectbox("Partner (partner role only)", partners, index=None, key="grant_partner",
                     placeholder="none: admins and managers see every partner")
        st.form_submit_button("Grant", key="grant_submit", on_click=_grant, args=(src,))


def revoke_form(src: Source, revocable: list[str]) -> None:
    """Revoke one of the grants listed (not the admin's own)."""
    st.selectbox("Email", revocable, key="revoke_email", index=None, placeholder="choose a grant to revoke")
    st.button("Revoke", key="revoke_submit", on_click=_revoke, args=(src,),
              disabled=not revocable)


def _change(src: Source, write: Callable[[Connection], str]) -> None:
    """Run one access change in its own transaction; keep its outcome to show below."""
    try:
        with store.writing(src.db) as con:
            st.session_state["access_outcome"] = ("success", write(con))
    except UserError as error:
        st.session_state["access_outcome"] = ("error", str(error))


def _grant(src: Source) -> None:
    role, partner = st.session_state["grant_role"], st.session_state["grant_partner"]

    def write(con: Connection) -> str:
        g = access.grant(con, st.session_state["grant_email"], role, partner if role == "partner" else None,
                         actor=src.scope.email)
        return f"Granted {g.email}: {access.describe_role(g.role, g.partner_name)}."

    _change(src, write)


def _revoke(src: Source) -> None:
    email = st.session_state["revoke_email"]
    if email is None:
        st.session_state["access_outcome"] = ("error", "Choose the grant to revoke first.")
        return

    def write(con: Connection) -> str:
        access.revoke(con, email, actor=src.scope.email)
        return f"Revoked {email}."

    _change(src, write)
