"""Run one step in a child process and record its wall time and peak memory.

Each step runs in its own process so its peak RSS is its own: os.wait4 returns the resource usage
of exactly that child (ru_maxrss, KiB on Linux), which getrusage(RUSAGE_CHILDREN) would mix with
every other child. Output goes to temporary files, not pipes, so waiting cannot deadlock.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class StepFailed(RuntimeError):
    """A measured step exited non-zero: the benchmark stops and says which step and why."""


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system: on a shared machine the better guide to the work done
    peak_rss_mb: float
    stdout: str


def run_child(args: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run `python args...` from the project root; fail loudly if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out, stderr=err,
                                 env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode != 0:
        raise StepFailed(f"`python {' '.join(args)}` exited {child.returncode}: {stderr.strip()[-2000:]}")
    run = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)
    # A line per step as it ends, so a long run (100M legs) shows how far it got if it is stopped.
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC  python {' '.join(args)}: {run.seconds:.1f} s wall, "
          f"{run.cpu_seconds:.1f} s CPU, peak {run.peak_rss_mb:.0f} MB, load {os.getloadavg()[0]:.2f}",
          file=sys.stderr, flush=True)
    return run


@dataclass(frozen=True)
class Figure:
    """The median of repeated runs, with every run kept so the spread is visible."""

    median_s: float
    runs_s: tuple[float, ...]
    median_cpu_s: float
    peak_rss_mb: float

    def as_dict(self) -> dict:
        return {"median_s": round(self.median_s, 4), "runs_s": [round(s, 4) for s in self.runs_s],
                "median_cpu_s": round(self.median_cpu_s, 4), "peak_rss_mb": round(self.peak_rss_mb, 1)}


def figure(runs: Sequence[Run]) -> Figure:
    return Figure(statistics.median(r.seconds for r in runs), tuple(r.seconds for r in runs),
                  statistics.median(r.cpu_seconds for r in runs), max(r.peak_rss_mb for r in runs))
