"""An import killed with SIGKILL at any point leaves all of the batch or none of it.

A child process imports a generated 100,000-leg file and reports each step on stdout; the test
kills it (SIGKILL, no cleanup) as soon as it announces a step, then checks the database opens,
holds either the whole batch or nothing, and that running the import again gives exact totals.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from data import store
from tests.conftest import ROOT

LEGS = 100_000

CHILD = """
import json, sys
from ingest.importing import import_file
summary = import_file(sys.argv[1], db=sys.argv[2], progress=lambda f, m: print(m, flush=True))
print(json.dumps(summary.as_dict()), flush=True)
"""


@pytest.fixture(scope="module")
def calls_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("kill") / "calls.csv"
    duckdb.connect().execute(
        f"""COPY (SELECT 'K' || i AS call_id, 'Q' || (i % 7) AS queue, NULL AS partner,
                   strftime(TIMESTAMP '2026-01-05 08:00:00' + to_seconds(i * 20), '%Y-%m-%d %H:%M:%S') AS offered_at,
                   CASE WHEN i % 10 = 0 THEN 'abandoned' ELSE 'answered' END AS outcome, i % 90 AS wait_s,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 60 + i % 300 END AS talk_s
                 FROM range({LEGS}) r(i)) TO '{path}' (FORMAT csv, HEADER true)"""
    )
    return path


def counts(db):
    return store.query("SELECT (SELECT count(*) FROM call_legs), (SELECT count(*) FROM import_batches), "
                       "(SELECT count(*) FROM audit_log)", path=db).rows[0]


@pytest.mark.parametrize("step", ["checking the file", "checking partners and queues", "waiting for the database",
                                  "writing", "refreshing interval rollups"])
def test_killed_import_holds_all_or_none_and_rerun_gives_exact_totals(db, calls_csv, step):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(calls_csv), str(db)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in child.stdout:
        if line.strip() == step:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    child.stdout.close()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    legs, batches, audit = counts(db)
    assert (legs, batches, audit) in ((0, 0, 0), (LEGS, 1, 1))
    again = subprocess.run([sys.executable, "-c", CHILD, str(calls_csv), str(db)], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert (summary["read"], summary["imported"] + summary["duplicates"], summary["rejected"]) == (LEGS, LEGS, 0)
    assert summary["imported"] == (0 if legs else LEGS)
    assert counts(db) == (LEGS, batches + 1, audit + 1)
    assert list(Path(tempfile.gettempdir()).glob(f"overflow-import-{child.pid}-*")) == []  # the next import swept it
