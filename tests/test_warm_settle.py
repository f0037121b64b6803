"""After the warm-up, what the process holds is left out of later garbage collections (gc.freeze:
a full collection during a page run walked every warmed object, issue 22); an older data version's
garbage is still freed, and at exit the frozen objects are finalised (DuckDB's extension objects
would otherwise be reported leaked)."""
from __future__ import annotations

import gc
import subprocess
import sys
import weakref

from tests.conftest import ROOT
from ui import warm


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_settle_freezes_what_is_held_and_frees_earlier_cycles_first():
    try:
        held = Node()
        warm._settle()
        assert gc.get_freeze_count() > 0
        garbage = Node()
        gone = weakref.ref(garbage)
        gc.freeze()  # the cycle was frozen while alive (as an older version's caches are)
        del garbage
        gc.collect()
        assert gone() is not None  # frozen: not looked at
        warm._settle()  # unfreezes, collects, freezes again
        assert gone() is None and held.me is held
    finally:
        gc.unfreeze()


def test_a_process_that_settled_exits_without_leaked_extension_objects():
    code = ("import duckdb\nfrom ui import warm\ncon = duckdb.connect()\ncon.execute('SELECT 1').fetchall()\n"
            "warm._settle()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "leaked" not in done.stderr, done.stderr[:500]
    without = subprocess.run([sys.executable, "-c", code.replace("warm._settle()", "import gc; gc.freeze()")],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    assert "leaked" in without.stderr  # what the exit's unfreeze prevents
