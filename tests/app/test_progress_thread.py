"""An import's progress reported from another thread (the watcher of DuckDB's own progress,
ingest/profiles/stage.py) reaches the page's progress bar, and the thread does not die with
Streamlit's NoSessionContext (pytest.ini turns a thread's unhandled exception into an error)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import threading

    import streamlit as st

    from ui import forms

    bar = st.progress(0.0, text="starting")
    show = forms.progress_of(bar)
    watcher = threading.Thread(target=show, args=(0.5, "reading the file"))
    watcher.start()
    watcher.join()
    show(1.7, "done")  # the script's own thread too; a fraction past 1 is shown full


def test_progress_from_another_thread_reaches_the_bar():
    app = AppTest.from_function(_script, default_timeout=30).run()
    assert not app.exception
    bar = app.get("progress")[0].proto
    assert (bar.value, bar.text) == (100, "done")


def _thread_only() -> None:
    import threading

    import streamlit as st

    from ui import forms

    bar = st.progress(0.0, text="starting")
    watcher = threading.Thread(target=forms.progress_of(bar), args=(0.5, "reading the file"))
    watcher.start()
    watcher.join()


def test_the_threads_update_is_the_one_shown():
    bar = AppTest.from_function(_thread_only, default_timeout=30).run().get("progress")[0].proto
    assert (bar.value, bar.text) == (50, "reading the file")
