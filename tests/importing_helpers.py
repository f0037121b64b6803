"""What the corpus, crash and concurrency tests share: partners registered, the CLI import run."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from data import store
from partners.registry import add_partner
from tests.conftest import ROOT


def register_partners(db: Path, names: Iterable[str]) -> None:

    with store.writing(db) as con:
        for name in names:
            add_partner(con, name)


def cli_import(path: Path, db: Path, *extra: str) -> subprocess.Popen:
    """Start `python -m cli import PATH --format json` against `db` in another process."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "import", str(path), "--format", "json", "--db", str(db), *extra],
        cwd=ROOT, env={**os.environ, "OVERFLOW_DB": str(db)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
