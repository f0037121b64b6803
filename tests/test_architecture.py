"""The layout is the architecture: the folders are layers (import-linter's contracts in .importlinter),
and what import-linter cannot see is checked here: the two top-level modules, and local imports."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from data.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("data", "partners", "ingest", "metrics", "meetings", "lake", "commercial", "reports", "notify", "ui", "app_pages",
          "demo")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "5 kept, 0 broken" in done.stdout


def test_the_entry_point_imports_only_the_ui_and_streamlit():
    assert imported_modules(ROOT / "app.py") - {"__future__", "pathlib"} == {"streamlit", "ui"}


def local_imports(path: Path) -> list[str]:
    """Imports of the project's own packages made inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            module = (node.module if isinstance(node, ast.ImportFrom) and node.level == 0
                      else node.names[0].name if isinstance(node, ast.Import) else None)
            if module and module.split(".")[0] in LAYERS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {module}")
    return found


def test_no_layer_imports_a_module_inside_a_function():
    """A local import is how a cycle hides from the layers contract; cli.py alone keeps them, so that
    `python -m cli --help` does not load pandas and Altair (nothing imports cli, so it closes no cycle)."""
    offenders = [hit for package in LAYERS for path in sorted((ROOT / package).rglob("*.py"))
                 for hit in local_imports(path)]
    assert offenders == []


def statements_run_directly(path: Path) -> list[str]:
    """Calls of `.execute(...)` / `.executemany(...)` on anything but the store module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany")
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "store")]


def test_only_the_store_runs_statements():
    """Every statement goes through store.execute / store.execute_many, which bind the parameters and
    turn a DuckDB error into a StoreError saying what was being done; only data/store.py itself
    touches a connection's execute."""
    files = [path for package in LAYERS for path in sorted((ROOT / package).rglob("*.py"))]
    files += [ROOT / "cli.py", ROOT / "app.py"]
    offenders = [hit for path in files if path != ROOT / "data" / "store.py"
                 for hit in statements_run_directly(path)]
    assert offenders == []


PAGE_SCRIPTS = sorted((ROOT / "app_pages").glob("*.py"))
ROW_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def page_offences(source: str) -> list[str]:
    """What a page script must leave to ui/ (STYLE.md, "A page, read top to bottom like the screen"):
    an import of the store or duckdb, and a loop or comprehension over rows."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            modules = []
        found += [f"line {node.lineno}: imports {module}" for module in modules
                  if module.split(".")[0] == "duckdb" or module.startswith("data.store")]
        if isinstance(node, ROW_LOOPS):
            found.append(f"line {node.lineno}: {type(node).__name__}")
    return found


def test_the_page_check_finds_store_reads_and_row_loops():
    page = ("from data import store\nimport duckdb\nfrom data.store import Connection\n"
            "for row in rows:\n    pass\nnames = [g.email for g in grants]\nm = next(m for m in past)\n")
    assert page_offences(page) == [
        "line 1: imports data.store", "line 2: imports duckdb", "line 3: imports data.store",
        "line 3: imports data.store.Connection", "line 4: For", "line 6: ListComp", "line 7: GeneratorExp",
    ]


@pytest.mark.parametrize("page", PAGE_SCRIPTS, ids=lambda path: path.name)
def test_a_page_reads_like_the_screen(page):
    """Pages are short scripts of loaders and render helpers: no store access, no loops over rows."""
    assert page_offences(page.read_text(encoding="utf-8")) == []


def test_every_setting_is_documented():

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [s.name for s in SETTINGS if f"`{s.name}`" not in readme] == []
