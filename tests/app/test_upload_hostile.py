"""The Data page's upload with a hostile name or a server that cannot keep it (issue 21): one line,
and no file (empty or partial) left in uploads/."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest

from data import settings, store
from tests.app.test_pages import open_page, said

ROWS = b"call_id,queue,partner,offered_at,outcome,wait_s\nU1,Support,,2026-11-02T09:00:00+00:00,answered,5\n"
LONG_NAME = "Kundtjänst " + "ö" * 150 + ".csv"   # 313 bytes of UTF-8: over the 255 a file system allows


def upload(at, name: str, data: bytes = ROWS):
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    return at.form_submit_button(key="upload_go").click().run()


def kept(db: Path) -> list[Path]:
    folder = db.parent / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_upload_named_over_255_bytes_is_imported_under_a_short_safe_name(db):
    with store.writing(db) as con:  # keep uploads a day (by default they go right after the import: docs/privacy.md)
        settings.put(con, "retention_uploads_days", "1")
    at = upload(open_page("app_pages/data.py"), LONG_NAME)
    assert not at.exception and not at.error
    [file] = kept(db)
    assert len(file.name.encode("utf-8")) <= 130 and file.name.endswith(".csv") and file.read_bytes() == ROWS
    # The history names the file as the user knows it.
    assert store.query("SELECT file_name, imported FROM import_batches", path=db).rows == [(LONG_NAME, 1)]


@pytest.mark.parametrize("failure, words", [
    (errno.ENOSPC, "the server's disk is full"),
    (errno.EROFS, "the server may not write the uploads folder"),
])
def test_a_full_disk_or_read_only_folder_is_one_line_and_leaves_no_file(db, monkeypatch, failure, words):
    opened = Path.open

    def half_written(self, mode="r", *args, **kwargs):
        """The uploads folder's disk fills (or turns read-only) after the first bytes are written."""
        handle = opened(self, mode, *args, **kwargs)
        if self.parent.name != "uploads" or "x" not in mode:
            return handle
        original = handle.write

        def write(data):
            original(data[:10])
            raise OSError(failure, "simulated")

        handle.write = write
        return handle

    monkeypatch.setattr(Path, "open", half_written)
    at = upload(open_page("app_pages/data.py"), "calls.csv")
    assert not at.exception
    [error] = at.error
    assert said(error.value).startswith(f"calls.csv: {words}") and "\n" not in error.value
    assert kept(db) == []
    assert store.query("SELECT count(*) FROM import_batches", path=db).scalar() == 0
