"""Where a page run's time goes: `python -m bench.app_profile APP.py PAGE [--top N]`.

Starts the app as bench/app_probe.py does (warm-up included), opens PAGE in a new session (the first
look), then switches its period to one nobody opened (the probe's unseen period) and its partner
to the second one, and prints for each run the cProfile of the script thread (AppTest runs the
page in a thread of its own: a profiler in the calling thread would see only the wait), sorted by
cumulative time, with the run's wall and CPU seconds. Point it at a copy of a large database.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from bench import app_probe


class ThreadProfile:
    """A cProfile of the script thread: ScriptRunner._run_script runs inside the profiler."""

    def __init__(self) -> None:
        self.profile: cProfile.Profile | None = None
        original = script_runner.ScriptRunner._run_script

        def run_script(runner, rerun_data):
            if self.profile is None:
                return original(runner, rerun_data)
            return self.profile.runcall(original, runner, rerun_data)

        script_runner.ScriptRunner._run_script = run_script

    def timed(self, what: str, step, top: int, dump: Path | None = None) -> None:
        self.profile = cProfile.Profile(time.process_time)  # CPU: a loaded machine stretches the wall time
        started, started_cpu = time.perf_counter(), time.process_time()
        step()
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        profile, self.profile = self.profile, None
        if dump is not None:
            profile.dump_stats(dump / f"{what.replace(' ', '_')}.prof")
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(top)
        print(f"=== {what}: {wall:.3f} s wall, {cpu:.3f} s CPU")
        print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[:20000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_profile")
    parser.add_argument("app", type=Path)
    parser.add_argument("page")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--reruns", type=int, default=1,
                        help="how many runs 'seen again' profiles together (a rerun is short: several steady its figures)")
    parser.add_argument("--dump", type=Path, help="a directory to write each run's profile to (pstats files)")
    args = parser.parse_args(argv)
    profiler = ThreadProfile()
    with patch_config_options({"server.address": "localhost"}):
        app_probe.warmed_up(args.app)
        at = AppTest.from_file(str(args.app), default_timeout=app_probe.TIMEOUT_S)
        at.run(timeout=app_probe.TIMEOUT_S)
        at.switch_page(args.page)
        profiler.timed("first look", lambda: at.run(timeout=app_probe.TIMEOUT_S), args.top, args.dump)
        profiler.timed("seen again" if args.reruns == 1 else f"seen again x{args.reruns}",
                       lambda: [at.run(timeout=app_probe.TIMEOUT_S) for _ in range(args.reruns)], args.top, args.dump)
        picker = next((w for w in at.selectbox if w.key == "period"), None)
        if picker is not None and not picker.disabled and len(picker.options) > app_probe.UNSEEN_PERIODS[0]:
            picker.set_value(picker.options[app_probe.UNSEEN_PERIODS[0]])
            profiler.timed("period not seen", lambda: at.run(timeout=app_probe.TIMEOUT_S), args.top, args.dump)
        partner = next((w for w in at.selectbox if w.key == "partner"), None)
        if partner is not None and len(partner.options) > 1:
            partner.set_value(partner.options[1])
            profiler.timed("another partner", lambda: at.run(timeout=app_probe.TIMEOUT_S), args.top, args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
