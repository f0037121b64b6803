"""A web upload and a CLI import of the same file store the same rows, for every profile.

The Data page once pre-filled the reporting zone (Europe/Stockholm) and passed it for every profile,
so an anonymous-bank file, whose times are Asia/Jerusalem, landed an hour off the CLI's import of it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data import store
from ingest.importing import PROFILES
from partners import registry
from tests.app.test_pages import open_page
from tests.conftest import FIXTURES, ROOT

CORPUS = ROOT / "tests" / "corpus"
IMPORT = FIXTURES / "import"
FILES = {
    "generic": IMPORT / "legs_mixed.csv",
    "anonymous-bank": CORPUS / "anonymous_bank_undocumented.txt",
    "queue-log": IMPORT / "queue_log_mixed.log",
    "qa": IMPORT / "qa.csv",
    "surveys": IMPORT / "surveys.csv",
    "staffing": IMPORT / "staffing.csv",
    "forecasts": IMPORT / "forecasts.csv",
    "agreements": IMPORT / "agreements.csv",
    "invoice": IMPORT / "invoice.csv",
}
# What an import stores, without what differs by who imported it and when; every column as text
# (instants in one session's zone, the same for both databases).
STORED = {
    "call_legs": "* EXCLUDE (batch_id)",
    "queues": "*",
    "qa_evaluations": "* EXCLUDE (batch_id)",
    "qa_items": "*",
    "survey_answers": "* EXCLUDE (batch_id)",
    "staffing": "* EXCLUDE (batch_id)",
    "forecasts": "* EXCLUDE (batch_id)",
    "agreements": "* EXCLUDE (agreement_id, created_at, created_by)",
    "invoice_lines": "* EXCLUDE (batch_id)",
    "import_batches": "* EXCLUDE (batch_id, file_name, started_at, finished_at, imported_by)",
    "rejected_rows": "* EXCLUDE (batch_id, file_name)",  # each reject with its line and reason
}


def test_every_profile_has_a_file_here():
    assert set(FILES) == set(PROFILES)


def registered(path: Path) -> Path:
    store.create(path)
    with store.writing(path) as con:
        registry.add_partner(con, "Alfa BPO")
        registry.set_queue(con, "Alfa Kundservice", partner="Alfa BPO")
        registry.set_queue(con, "Kundservice")
    return path


def stored(db: Path) -> dict[str, list[tuple]]:
    return {table: sorted(store.query(f"SELECT COLUMNS({columns})::VARCHAR FROM {table}", path=db).rows, key=repr)
            for table, columns in STORED.items()}


@pytest.mark.parametrize("profile", list(FILES))
def test_a_web_upload_stores_what_the_cli_import_of_the_same_file_stores(profile, tmp_path, monkeypatch):
    file = FILES[profile]
    cli_db = registered(tmp_path / "cli.duckdb")
    subprocess.run([sys.executable, "-m", "cli", "import", str(file), "--profile", profile, "--db", str(cli_db)],
                   cwd=ROOT, check=True, capture_output=True)

    web_db = registered(tmp_path / "web.duckdb")
    monkeypatch.setenv("OVERFLOW_DB", str(web_db))
    at = open_page("app_pages/data.py")
    at.selectbox(key="upload_profile").select(profile).run()
    at.file_uploader(key="upload_file").set_value((file.name, file.read_bytes(), "text/plain"))
    at.form_submit_button(key="upload_go").click().run()
    assert not at.exception, at.exception

    cli, web = stored(cli_db), stored(web_db)
    assert cli["import_batches"], "the CLI imported nothing"
    assert web == cli
    [(zone,)] = store.query("SELECT time_zone FROM import_batches", path=cli_db).rows
    assert f"Times without an offset read in {zone}." in at.success[0].value


def test_the_form_says_the_profiles_own_zone_and_a_typed_zone_overrides_it(db):
    at = open_page("app_pages/data.py")
    at.selectbox(key="upload_profile").select("anonymous-bank").run()
    assert "Left empty, times without an offset are read in Asia/Jerusalem, the anonymous-bank profile's own zone." in [
        c.value for c in at.caption]
    assert at.text_input(key="upload_tz").value == ""
    at.selectbox(key="upload_profile").select("generic").run()
    assert "Left empty, times without an offset are read in Europe/Stockholm, the reporting zone." in [
        c.value for c in at.caption]
    file = FILES["generic"]
    at.file_uploader(key="upload_file").set_value((file.name, file.read_bytes(), "text/csv"))
    at.text_input(key="upload_tz").input("UTC")
    at.form_submit_button(key="upload_go").click().run()
    assert "Times without an offset read in UTC." in at.success[0].value
    assert store.query("SELECT time_zone FROM import_batches", path=db).rows == [("UTC",)]
