"""Time every page of the dashboard through AppTest: `python -m bench.app_probe APP.py --repeat R`.

Runs in its own process (OVERFLOW_DB set by the caller) so the process's peak RSS is the app's.
The app's first run starts its warm-up of the first views (ui/warm.py); once that is done (its
time is reported), for each page in app.py's navigation: the first look at it (a session that never
opened it, the default partner and period), R more runs (repeat), switches of the period to three
weeks nobody opened (the fourth to sixth newest for the first page with a period picker, the
seventh to ninth for the next, and so on: not warmed, and not read by another page, whose answers
the process's kept read-only connection remembers) and, at the last of them, to up to three other
partners (a partner and period nobody opened), each timed, the budget's figure their median, then up to `WIDGETS_PER_PAGE` choice
widgets (selectbox or radio, not in a form: a form's widget reruns nothing until it is submitted)
switched to another option and back R times, each rerun timed. A picker is chosen by the label it
shows, as a person clicks it (the language, a partner's meeting kinds). Last, per page, one run right after the caches are cleared and the kept read-only
connection is let go with what it remembers (cold: what a page costs without the warm-up). Prints one JSON object.

A warm-up started by a run (the first run in another language warms that language's first views,
ui/warm.py) is waited for before the next timed run, and the seconds waited are reported
(`background_s`): its thread's CPU would otherwise be counted in the pages measured after it.
The time is AppTest's script run: the server time of the interaction, without the browser. The server address is set to localhost, as `make run` does,
so the app runs in its local (single admin) mode.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from data import i18n, store
from ui import warm

WIDGETS_PER_PAGE = 3
TIMEOUT_S = 600


def navigation_pages(app: Path) -> list[str]:
    """The page scripts app.py's st.navigation registers (paths relative to app.py).

    Every script under app_pages/ is tried: AppTest refuses to switch to a file that is not a
    registered page (a helper script), so what is left is exactly the navigation.
    """
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.run(timeout=TIMEOUT_S)
    pages = []
    for script in sorted((app.parent / "app_pages").glob("*.py")):
        relative = script.relative_to(app.parent).as_posix()
        try:
            at.switch_page(relative)
        except ValueError:
            continue
        pages.append(relative)
    return pages


_waited: list[float] = []  # seconds waited for background warm-ups before timed runs


def timed_run(at: AppTest, cpu: list[float] | None = None) -> float:
    """Wall seconds of one script run, after any warm-up running in the background is done; its
    process CPU seconds are appended to `cpu` if given."""
    started = time.perf_counter()
    warm.wait_all(TIMEOUT_S)
    _waited.append(time.perf_counter() - started)
    started, started_cpu = time.perf_counter(), time.process_time()
    at.run(timeout=TIMEOUT_S)
    if cpu is not None:
        cpu.append(time.process_time() - started_cpu)
    seconds = time.perf_counter() - started
    in_page_language(at)
    return seconds


def in_page_language(at: AppTest) -> None:
    """Read the page's pickers in the language it was drawn in: AppTest calls a picker's format_func
    (`_(ROLES[role])`) in this thread, whose language is otherwise the default, and a Swedish page's
    labels are then not found among its options."""
    try:
        i18n.use(at.session_state["_source"].language)
    except KeyError:  # a page drawn before the sidebar (the sign-in page)
        i18n.use(None)


def failure(at: AppTest) -> str | None:
    """What went wrong in the run: an exception, or a page error the boundary (ui/boundary.py) caught
    and turned into one line; a page that failed is no measure of the page."""
    if at.exception:
        return "; ".join(str(e.value)[:300] for e in at.exception)
    if at.error:
        return "; ".join(str(e.value)[:300] for e in at.error)
    return None


def shown_value(widget) -> str | None:
    """The label the widget shows for its value."""
    try:
        return str(widget.format_func(widget.value))
    except Exception:  # noqa: BLE001 - a value the format_func no longer knows: nothing shown to click back to
        return None


def choose(at: AppTest, kind: str, key: str, label: str) -> None:
    """Choose the option showing `label`, as the browser does: it sends the label, which Streamlit
    maps back to the option's value. The widget's format_func is set aside for this one choice
    (AppTest would call it with the label as if it were a value: `ROLES['Admin']`)."""
    widget = getattr(at, kind)(key)
    widget.set_value(label)
    at.session_state[TESTING_KEY][widget.id] = str


def interactions(at: AppTest, page: str, repeat: int) -> list[dict]:
    """Switch a few choice widgets to another option and back, `repeat` times, timing each rerun.

    The first switch reads the new option's data (cold for that filter); the median over all the
    switches is what a user clicking back and forth sees.
    """
    results = []
    for kind in ("selectbox", "radio"):
        for widget in list(getattr(at, kind)):
            if len(results) >= WIDGETS_PER_PAGE:
                return results
            original = shown_value(widget)
            options = [label for label in widget.options if label != original]
            if not options or widget.key is None or original not in widget.options or widget.disabled or widget.form_id:
                continue  # a disabled widget (the period on a page that ignores it) is nothing a user can click;
                # one in a form reruns nothing until the form is submitted
            runs, cpu, error, waited = [], [], None, len(_waited)
            for _ in range(repeat):
                for label in (options[0], original):
                    choose(at, kind, widget.key, label)
                    runs.append(timed_run(at, cpu))
                    error = error or failure(at)
            results.append({"interaction": f"{page}: {widget.key} -> {options[0]} and back",
                            "first_s": round(runs[0], 4), "runs_s": [round(s, 4) for s in runs],
                            "median_s": round(statistics.median(runs), 4),
                            "median_cpu_s": round(statistics.median(cpu), 4), "error": error,
                            "background_s": round(sum(_waited[waited:]), 3)})
    return results


UNSEEN_PERIODS = (3, 4, 5)  # the first page's period options: weeks the warm-up does not read
_unseen_taken: list[str] = []  # the pages whose switches took weeks (each page takes the next three)
OTHER_PARTNERS = 3  # at most this many other partners are opened at a period nobody opened


def warmed_up(app: Path) -> float:
    """Start the app (its first run starts the warm-up) and wait for the warm-up; its seconds."""
    started = time.perf_counter()
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.run(timeout=TIMEOUT_S)
    if not warm.wait_all(TIMEOUT_S):
        raise SystemExit("the warm-up did not finish")
    return time.perf_counter() - started


def switches(at: AppTest, key: str, indexes) -> dict | None:
    """Switch the sidebar's picker `key` to each of its options at `indexes` (those it has), one after
    the other, each rerun timed: each is a view nobody opened (the warm-up reads the newest periods
    and every partner's default view only). The median is the budget's figure; None when the page has
    no such picker, or it is disabled or offers none of those options."""
    picker = next((w for w in at.selectbox if w.key == key), None)
    if picker is None or picker.disabled:
        return None
    options = [picker.options[i] for i in indexes if i < len(picker.options)]
    runs, cpu, error = [], [], None
    for option in options:
        next(w for w in at.selectbox if w.key == key).set_value(option)
        runs.append(timed_run(at, cpu))
        error = error or failure(at)
    if not runs:
        return None
    return {"options": options, "runs_s": [round(s, 4) for s in runs], "cpu_runs_s": [round(c, 4) for c in cpu],
            "s": round(statistics.median(runs), 4), "cpu_s": round(statistics.median(cpu), 4), "error": error}


def unseen_period(at: AppTest, page: str) -> dict | None:
    """Switch the period to weeks nobody opened, one after the other, each timed: weeks no earlier
    page read either."""
    shift = len(UNSEEN_PERIODS) * len(_unseen_taken)
    switched = switches(at, "period", [index + shift for index in UNSEEN_PERIODS])
    if switched is not None:
        _unseen_taken.append(page)
    return switched


def unseen_partner(at: AppTest) -> dict | None:
    """Then, at the last of those weeks, open other partners one after the other: a first look at a
    partner and period nobody opened."""
    return switches(at, "partner", range(1, OTHER_PARTNERS + 1))


def probe_page(app: Path, page: str, repeat: int) -> dict:
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.run(timeout=TIMEOUT_S)
    at.switch_page(page)
    first_cpu: list[float] = []
    waited = len(_waited)
    first = timed_run(at, first_cpu)
    error = failure(at)
    repeats, repeat_cpu = [], []
    for _ in range(repeat):
        at.switch_page(page)
        repeats.append(timed_run(at, repeat_cpu))
        error = error or failure(at)
    unseen = unseen_period(at, page)
    partner = unseen_partner(at) if unseen else None
    return {
        "page": page,
        "first_s": round(first, 4),
        "first_cpu_s": round(first_cpu[0], 4),
        "warm_runs_s": [round(s, 4) for s in repeats],
        "warm_median_s": round(statistics.median(repeats), 4),
        "warm_median_cpu_s": round(statistics.median(repeat_cpu), 4),
        "unseen_period": unseen,
        "unseen_partner": partner,
        "background_s": round(sum(_waited[waited:]), 3),
        "error": error or (unseen or {}).get("error") or (partner or {}).get("error"),
        "interactions": interactions(at, page, repeat),
    }


def cold(app: Path, page: str) -> dict:
    """One run of `page` right after every cache is cleared."""
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT_S)
    at.run(timeout=TIMEOUT_S)
    at.switch_page(page)
    st.cache_data.clear()
    store.let_go()
    cpu: list[float] = []
    seconds = timed_run(at, cpu)
    return {"cold_s": round(seconds, 4), "cold_cpu_s": round(cpu[0], 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_probe")
    parser.add_argument("app", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with patch_config_options({"server.address": "localhost"}):
        warm_up_s = warmed_up(args.app)
        pages = navigation_pages(args.app)
        results = [probe_page(args.app, page, args.repeat) for page in pages]
        for result in results:
            result.update(cold(args.app, result["page"]))
    json.dump({"warm_up_s": round(warm_up_s, 2), "pages": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
