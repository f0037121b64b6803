"""`python -m bench.report FILE.json`: the benchmark's JSON as the Markdown tables of docs/benchmarks.md."""
from __future__ import annotations

import json
import sys


def step_rows(report: dict) -> list[str]:
    steps = report["steps"]
    names = {"floor": "floor: `CREATE TABLE t AS SELECT * FROM read_csv(file)`",
             "import": "`python -m cli import FILE --format json` (fresh DB, partners registered)",
             "metrics_cli": "`python -m cli metrics --grain week --by partner`",
             "pandas_peer": "pandas peer: `pd.read_csv` + groupby week, partner"}
    rows = ["| step | wall, median (runs) | CPU user+sys, median | peak RSS |", "|---|---|---|---|"]
    for key, label in names.items():
        step = steps[key]
        runs = ", ".join(f"{s:.2f}" for s in step["runs_s"])
        rows.append(f"| {label} | {step['median_s']:.2f} s ({runs}) | {step['median_cpu_s']:.2f} s | {step['peak_rss_mb']:.0f} MB |")
    return rows


def page_rows(app: dict) -> list[str]:
    rows = ["| page | first look wall (CPU) | period not seen, median wall (CPU) [runs] | partner not seen, median wall (CPU) [runs] | "
            "seen again, median wall (CPU) | slowest interaction median wall (CPU) | cold, caches cleared (CPU) |",
            "|---|---|---|---|---|---|---|"]
    for page in app["pages"]:
        slowest = max(page["interactions"], key=lambda i: i["median_s"], default=None)
        shown = f"{slowest['median_s']:.3f} s ({slowest['median_cpu_s']:.3f} s) {slowest['interaction'].split(': ', 1)[1]}" if slowest else "none"
        switched = _switched(page.get("unseen_period"), "no period")
        partner = _switched(page.get("unseen_partner"), "no partner")
        rows.append(f"| {page['page']} | {page['first_s']:.3f} s ({page['first_cpu_s']:.3f} s) | {switched} | {partner} | "
                    f"{page['warm_median_s']:.3f} s ({page['warm_median_cpu_s']:.3f} s) | {shown} | "
                    f"{page['cold_s']:.3f} s ({page['cold_cpu_s']:.3f} s) |")
    return rows


def _switched(switch: dict | None, none: str) -> str:
    """A page's switches to views nobody opened: their median wall (CPU) and each run."""
    if not switch:
        return none
    return f"{switch['s']:.3f} s ({switch['cpu_s']:.3f} s) [{', '.join(f'{s:.3f}' for s in switch['runs_s'])}]"


def budget_rows(report: dict) -> list[str]:
    rows = ["| budget (at 10M) | limit | measured | verdict |", "|---|---|---|---|"]
    for budget in report["budgets"]:
        verdict = {True: "met", False: "**missed**", None: "no value"}[budget["met"]]
        rows.append(f"| {budget['budget']} | {budget['limit']} {budget['unit']} | {budget['value']} {budget['unit']} | {verdict} |")
    return rows


def main(argv: list[str]) -> int:
    report = json.loads(open(argv[0], encoding="utf-8").read())
    out = [*step_rows(report), "", *budget_rows(report), ""]
    for key in ("app", "app_on_app_db"):
        if key in report["steps"]:
            app = report["steps"][key]
            out += [f"Pages ({key}, {app.get('db', 'the imported database')}; app process peak RSS "
                    f"{app['peak_rss_mb']:.0f} MB; warm-up {app.get('warm_up_s')} s):", "", *page_rows(app), ""]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
