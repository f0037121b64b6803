"""An import killed with SIGKILL at random moments leaves a database that opens, holds every batch
whole or not at all, and a re-run ends with the exact total (issue 7, "Crashes")."""
from __future__ import annotations

import json
import random
import subprocess
import time

from bench.generate import write_calls
from data import store
from tests.importing_helpers import cli_import, register_partners

LEGS = 30_000
KILLS = 10
SEED = 20261124


def batch_consistency(db) -> tuple[list[tuple], int, int]:
    """(batches whose stored rows differ from their counts, legs without a batch row, legs in total)."""
    with store.reading(db) as con:
        uneven = con.execute("""
            SELECT b.batch_id, b.imported, b.rejected,
                   (SELECT count(*) FROM call_legs l WHERE l.batch_id = b.batch_id),
                   (SELECT count(*) FROM rejected_rows r WHERE r.batch_id = b.batch_id)
            FROM import_batches b
            WHERE b.imported <> (SELECT count(*) FROM call_legs l WHERE l.batch_id = b.batch_id)
               OR b.rejected <> (SELECT count(*) FROM rejected_rows r WHERE r.batch_id = b.batch_id)
        """).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM call_legs l WHERE NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.batch_id = l.batch_id)"
        ).fetchone()[0]
        total = con.execute("SELECT count(*) FROM call_legs").fetchone()[0]
    return uneven, orphans, total


def finished(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return json.loads(out)


def test_sigkilled_imports_leave_whole_batches_and_a_rerun_reaches_the_exact_total(tmp_path):
    data = write_calls(tmp_path / "legs.csv", LEGS, prefix="K")
    db = tmp_path / "crash.duckdb"
    register_partners(db, data.partners)

    # Calibrate: how long one whole import takes here, so the kills fall across its whole life.
    scratch = tmp_path / "scratch.duckdb"
    register_partners(scratch, data.partners)
    started = time.monotonic()
    assert finished(cli_import(data.path, scratch))["imported"] == LEGS
    duration = time.monotonic() - started

    rng = random.Random(SEED)
    killed = attempts = 0
    while killed < KILLS and attempts < 5 * KILLS:
        attempts += 1
        process = cli_import(data.path, db)
        started = time.monotonic()
        try:
            process.wait(timeout=rng.uniform(0.02, 0.98) * duration)
            # It ended before the kill: the machine got quicker (or this run only met duplicates),
            # so the next kills are drawn across a run as long as this one.
            duration = time.monotonic() - started
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            killed += 1
        process.stdout.close()
        process.stderr.close()
        uneven, orphans, total = batch_consistency(db)
        assert uneven == [] and orphans == 0
        assert total in (0, LEGS)
    assert killed == KILLS

    summary = finished(cli_import(data.path, db))
    assert summary["imported"] + summary["duplicates"] == LEGS
    uneven, orphans, total = batch_consistency(db)
    assert (uneven, orphans, total) == ([], 0, LEGS)
