"""`python -m bench --calls N [--chunk C] [--out FILE.json] [--repeat R]`: measure the tool at N call legs.

One run writes an N-leg generic file (with --chunk, N/C files of C legs each, each one span of the
two years, imported one after the other into one database, so 100M legs are built within this machine's memory), then measures, each step in its own process (so its peak RSS
is its own) and each repeated R times (medians): DuckDB's plain load of the file (the floor), the
real import, `cli metrics --grain week --by partner`, the same table in plain pandas (the peer),
and every dashboard page through AppTest, cold and warm. It ends with the ratios and, for each
budget, whether it is met. Budgets are set for N = 10,000,000; at other sizes they are still
evaluated, as a guide.

This launcher stays small on purpose (it imports neither DuckDB nor pandas): a forked child's peak
RSS starts from its parent's, so a heavy launcher would inflate every step's figure.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench.generate import PARTNERS
from bench.measure import ROOT, Figure, Run, StepFailed, figure, run_child


@dataclass(frozen=True)
class Budget:
    name: str
    limit: float
    unit: str
    higher_is_better: bool

    def judge(self, value: float | None) -> dict:
        met = None if value is None else (value >= self.limit if self.higher_is_better else value <= self.limit)
        return {"budget": self.name, "limit": self.limit, "unit": self.unit, "value": value, "met": met}


IMPORT_OVER_FLOOR = Budget("import time / floor time", 1.5, "x", higher_is_better=False)
PAGE_MEDIAN = Budget("slowest page interaction, median", 0.300, "s", higher_is_better=False)
FIRST_LOOK = Budget("slowest first look at a page (after the warm-up)", 0.300, "s", higher_is_better=False)
UNSEEN_PERIOD = Budget("slowest switch to a period or partner not seen (median of a page's switches)", 0.300, "s", higher_is_better=False)
REPEAT = Budget("slowest page seen again, median", 0.050, "s", higher_is_better=False)
APP_RSS = Budget("app process peak RSS", 600, "MB", higher_is_better=False)
PANDAS_OVER_OURS = Budget("pandas time / metrics time (weekly partner table)", 20, "x", higher_is_better=True)


def conditions() -> dict:
    """What else the machine was doing: the load average and memory, for the note beside the figures."""
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "mem_available_mb": int(meminfo["MemAvailable"].split()[0]) // 1024,
    }


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": version("duckdb"),
            "pandas": version("pandas"), "streamlit": version("streamlit"), "platform": platform.platform()}


def repeated(repeat: int, step) -> list[Run]:
    return [step(i) for i in range(repeat)]


def fresh(path: Path) -> Path:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return path


def floor_runs(files: list[Path], work: Path, repeat: int) -> Figure:
    db = work / "floor.duckdb"
    runs = repeated(repeat, lambda _: run_child(["-m", "bench.floor", *map(str, files), str(fresh(db))]))
    fresh(db)
    return figure(runs)


COUNTS = ("read", "imported", "duplicates", "filtered", "rejected")


def import_runs(files: list[Path], db: Path, partners: tuple[str, ...], repeat: int) -> tuple[Figure, dict]:
    """Import into a fresh database each time (partners registered first, not timed); the files one
    after the other, each its own `cli import` (a chunked build): one run is their sum."""
    summaries: list[dict] = []

    def once(_: int) -> Run:
        fresh(db)
        for name in partners:
            run_child(["-m", "cli", "partner", "add", name, "--db", str(db)])
        chunks = [imported_chunk(csv, db, number, len(files)) for number, csv in enumerate(files, 1)]
        parts = [json.loads(run.stdout) for run in chunks]
        summary = {**parts[-1], **{key: sum(part[key] for part in parts) for key in COUNTS}}
        if len(chunks) > 1:
            summary["chunks"] = [{"file": Path(part["file_name"]).name, "imported": part["imported"],
                                  "seconds": round(run.seconds, 3), "cpu_seconds": round(run.cpu_seconds, 3),
                                  "peak_rss_mb": round(run.peak_rss_mb, 1)} for part, run in zip(parts, chunks)]
        summaries.append(summary)
        return Run(sum(r.seconds for r in chunks), sum(r.cpu_seconds for r in chunks),
                   max(r.peak_rss_mb for r in chunks), chunks[-1].stdout)

    return figure(repeated(repeat, once)), summaries[-1]


def imported_chunk(csv: Path, db: Path, number: int, count: int) -> Run:
    """One `cli import` of a build; in a chunked build, a line saying how long this chunk took and how
    big the database has grown (an import's time should not grow with the legs already held)."""
    run = run_child(["-m", "cli", "import", str(csv), "--format", "json", "--db", str(db)])
    if count > 1:
        print(f"chunk {number} of {count}: {json.loads(run.stdout)['imported']:,} legs imported in {run.seconds:.1f} s "
              f"wall, {run.cpu_seconds:.1f} s CPU; database {db.stat().st_size / 2**20:,.0f} MB",
              file=sys.stderr, flush=True)
    return run


def chunk_sizes(calls: int, chunk: int | None) -> list[int]:
    """The legs of each file: one file of `calls`, or files of `chunk` legs (the last one the rest)."""
    size = chunk or calls
    return [min(size, calls - start) for start in range(0, calls, size)]


def generate(calls: int, chunk: int | None, work: Path, seed: int) -> tuple[list[Path], Run]:
    """Write the leg files, each in its own process; chunk i has its own seed and call ids (`C<i>-`)
    so no chunk's calls are taken as duplicates of another's, and its own span of the two years (the
    history loaded period by period). One Run: their sum."""
    sizes = chunk_sizes(calls, chunk)
    files, runs = [], []
    for i, size in enumerate(sizes):
        csv = work / (f"legs-{calls}.csv" if len(sizes) == 1 else f"legs-{calls}-{i:03d}.csv")
        prefix = "C" if len(sizes) == 1 else f"C{i}-"
        runs.append(run_child(["-m", "bench.generate", str(csv), str(size), str(seed + i), prefix, f"{i + 1}/{len(sizes)}"]))
        files.append(csv)
    return files, Run(sum(r.seconds for r in runs), sum(r.cpu_seconds for r in runs),
                      max(r.peak_rss_mb for r in runs), "")


def app_figures(db: Path, repeat: int) -> dict:
    app = ROOT / "app.py"
    run = run_child(["-m", "bench.app_probe", str(app), "--repeat", str(repeat)], env={"OVERFLOW_DB": str(db)})
    probe = json.loads(run.stdout)
    timings = [p["warm_median_s"] for p in probe["pages"]] + [i["median_s"] for p in probe["pages"] for i in p["interactions"]]
    cpu = [p["warm_median_cpu_s"] for p in probe["pages"]] + [i["median_cpu_s"] for p in probe["pages"] for i in p["interactions"]]
    errors = [p["error"] for p in probe["pages"] if p["error"]] + [
        i["error"] for p in probe["pages"] for i in p["interactions"] if i["error"]]
    unseen = [switch["s"] for p in probe["pages"] for switch in (p["unseen_period"], p["unseen_partner"]) if switch]
    return {
        "pages": probe["pages"],
        "page_count": len(probe["pages"]),
        "warm_up_s": probe["warm_up_s"],
        "slowest_first_s": max((p["first_s"] for p in probe["pages"]), default=None),
        "slowest_unseen_period_s": max(unseen, default=None),
        "slowest_repeat_s": max((p["warm_median_s"] for p in probe["pages"]), default=None),
        "slowest_cold_s": max((p["cold_s"] for p in probe["pages"]), default=None),
        "slowest_warm_median_s": max(timings, default=None),
        "slowest_warm_median_cpu_s": max(cpu, default=None),
        "errors": errors,
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "wall_s": round(run.seconds, 2),
    }


def cross_check(pandas_totals: dict, metrics_rows: list[dict]) -> dict:
    """Do the pandas peer and `cli metrics` agree on the weekly partner table's size and totals?

    Two independent routes (the raw CSV in pandas; the stored legs through the rollups), so this
    checks the figures, not only the speed.
    """
    ours = {
        "rows": len(metrics_rows),
        "offered": sum(row["offered"] for row in metrics_rows),
        "answered": sum(row["answered"] for row in metrics_rows),
        "answered_within": sum(row["answered_within_threshold"] for row in metrics_rows),
    }
    return {"pandas": pandas_totals, "metrics": ours, "agree": ours == pandas_totals}


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator > 0 else None


def measure(calls: int, repeat: int, work: Path, seed: int, app_db: Path | None = None,
            chunk: int | None = None) -> dict:
    report: dict = {"calls": calls, "repeat": repeat, "seed": seed, "chunk": chunk, "machine": machine(),
                    "conditions_before": conditions()}
    files, generated = generate(calls, chunk, work, seed)
    report["generate"] = {"seconds": round(generated.seconds, 3), "peak_rss_mb": round(generated.peak_rss_mb, 1),
                          "files": [str(f) for f in files], "file_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1)}
    db = work / "bench.duckdb"
    floor = floor_runs(files, work, repeat)
    imported, summary = import_runs(files, db, PARTNERS, repeat)
    metrics_command = ["-m", "cli", "metrics", "--grain", "week", "--by", "partner", "--db", str(db)]
    metrics = figure(repeated(repeat, lambda _: run_child(metrics_command)))
    ours = json.loads(run_child([*metrics_command, "--format", "json"]).stdout)
    pandas_runs = repeated(repeat, lambda _: run_child(["-m", "bench.pandas_peer", *map(str, files)]))
    pandas = figure(pandas_runs)
    apps = [app_figures(db, repeat)] + ([{**app_figures(app_db, repeat), "db": str(app_db)}] if app_db else [])
    app = apps[0]
    report["steps"] = {
        "floor": floor.as_dict(),
        "import": {**imported.as_dict(), "legs_per_s": round(calls / imported.median_s), "summary": summary},
        "metrics_cli": metrics.as_dict(),
        "pandas_peer": {**pandas.as_dict(), "totals": json.loads(pandas_runs[-1].stdout)},
        "app": app,
        **({"app_on_app_db": apps[1]} if app_db else {}),
    }
    report["cross_check"] = cross_check(json.loads(pandas_runs[-1].stdout), ours)
    import_over_floor = ratio(imported.median_s, floor.median_s)
    pandas_over_ours = ratio(pandas.median_s, metrics.median_s)
    report["ratios"] = {"import_over_floor": import_over_floor, "pandas_over_metrics": pandas_over_ours,
                        "import_over_floor_cpu": ratio(imported.median_cpu_s, floor.median_cpu_s),
                        "pandas_over_metrics_cpu": ratio(pandas.median_cpu_s, metrics.median_cpu_s)}
    report["budgets"] = [
        IMPORT_OVER_FLOOR.judge(import_over_floor),
        PAGE_MEDIAN.judge(max(a["slowest_warm_median_s"] for a in apps)),
        FIRST_LOOK.judge(max(a["slowest_first_s"] for a in apps)),
        UNSEEN_PERIOD.judge(max(a["slowest_unseen_period_s"] or 0 for a in apps)),
        REPEAT.judge(max(a["slowest_repeat_s"] for a in apps)),
        APP_RSS.judge(max(a["peak_rss_mb"] for a in apps)),
        PANDAS_OVER_OURS.judge(pandas_over_ours),
    ]
    report["budgets_apply_at"] = 10_000_000
    report["conditions_after"] = conditions()
    report["launcher_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return report


def summary_lines(report: dict) -> list[str]:
    steps = report["steps"]
    lines = [f"bench at {report['calls']:,} legs, {report['repeat']} runs each (medians)"]
    for name in ("floor", "import", "metrics_cli", "pandas_peer"):
        step = steps[name]
        lines.append(f"  {name:<12} {step['median_s']:>9.3f} s   cpu {step['median_cpu_s']:>8.3f} s   "
                     f"peak {step['peak_rss_mb']:>7.1f} MB")
    for name in ("app", "app_on_app_db"):
        if name in steps:
            app = steps[name]
            lines.append(f"  {name:<12} warm-up {app['warm_up_s']} s, slowest first look {app['slowest_first_s']} s, "
                         f"unseen period {app['slowest_unseen_period_s']} s, repeat {app['slowest_repeat_s']} s")
            lines.append(f"  {name:<12} {app['page_count']} pages, slowest warm {app['slowest_warm_median_s']} s "
                         f"(cpu {app['slowest_warm_median_cpu_s']} s), "
                         f"slowest cold {app['slowest_cold_s']} s, peak {app['peak_rss_mb']} MB, errors {len(app['errors'])}")
    for number, chunk in enumerate(steps["import"]["summary"].get("chunks", []), 1):
        lines.append(f"  chunk {number:<6} {chunk['seconds']:>9.3f} s   cpu {chunk['cpu_seconds']:>8.3f} s   "
                     f"peak {chunk['peak_rss_mb']:>7.1f} MB   {chunk['imported']:,} legs ({chunk['file']})")
    ratios = report["ratios"]
    lines.append(f"  cpu-time ratios: import/floor {ratios['import_over_floor_cpu']} x, "
                 f"pandas/metrics {ratios['pandas_over_metrics_cpu']} x")
    check = report["cross_check"]
    lines.append(f"  pandas and cli metrics agree on the weekly table: {check['agree']} ({check['metrics']})")
    for budget in report["budgets"]:
        verdict = {True: "met", False: "MISSED", None: "no value"}[budget["met"]]
        lines.append(f"  budget {budget['budget']}: {budget['value']} {budget['unit']} "
                     f"(limit {budget['limit']} {budget['unit']}) {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, required=True, help="number of call legs to generate")
    parser.add_argument("--out", type=Path, help="write the JSON report here (default: stdout)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, help="build the database from files of this many legs, imported one "
                        "after the other (e.g. --chunk 10000000 for 100M legs within 24 GB)")
    parser.add_argument("--workdir", type=Path, help="keep the generated file and database here")
    parser.add_argument("--app-db", type=Path, help="also time the pages on this database (e.g. the demo data, "
                        "which has agreements, QA and surveys that an imported leg file lacks)")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.repeat < 1 or (args.chunk is not None and args.chunk < 1):
        parser.error("--calls, --repeat and --chunk must be at least 1")
    if args.app_db and not args.app_db.is_file():
        parser.error(f"--app-db {args.app_db}: no such database file")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="overflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = measure(args.calls, args.repeat, work, args.seed, args.app_db, args.chunk)
    except StepFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(report, indent=2, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print("\n".join(summary_lines(report)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
