"""The real app (`streamlit run app.py`) on a free port, driven by Debian's chromium through Playwright."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
START_TIMEOUT_S = 60

CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(chart => chart.querySelector('canvas, svg'))"""
# The script has finished and the page has not changed for 0.7 s: right after a click the old run's
# "notRunning" can still be showing, and the new page's title comes first, its content later.
STILL = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const count = document.querySelectorAll('[data-testid="stMain"] *').length;
    const stale = document.querySelectorAll('[data-testid="stMain"] [data-stale="true"]').length;
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning' || stale || window.__count !== count) {
        window.__count = count; window.__since = Date.now(); return false;
    }
    return Date.now() - window.__since > 700;
}"""


def settle(page, title: str, timeout_ms: float = 30_000, *, ready: str | None = None) -> None:
    """Wait until the page's title is up, the script has finished, the page holds still and every chart is drawn;
    with `ready` (a selector), also until that content is on the page, else fail saying what the page shows."""
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=timeout_ms)
    page.wait_for_function(STILL, polling=100, timeout=timeout_ms)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms)
    if ready is not None:
        try:
            page.locator(ready).first.wait_for(timeout=timeout_ms)
        except Exception:  # a Playwright timeout: say what the page shows instead
            shown = page.locator('[data-testid="stMain"]').inner_text()[:600]
            pytest.fail(f"{ready} never appeared on {page.url}; the page shows: {shown}")
        page.wait_for_function(STILL, polling=100, timeout=timeout_ms)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def start(command: list[str], listening: str, what: str, **popen: object) -> subprocess.Popen:
    """Start a server process; return once its output shows the `listening` line (fail if it never does)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    watchdog = threading.Timer(START_TIMEOUT_S, process.kill)
    watchdog.start()
    started = any(listening in line for line in process.stdout)  # blocks until it listens (or dies)
    watchdog.cancel()
    if not started:
        process.kill()
        pytest.fail(f"{what} did not start within {START_TIMEOUT_S} s")
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep draining its output
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@contextlib.contextmanager
def serve(db: str | os.PathLike, *options: str, port: int | None = None, python: str = sys.executable) -> Iterator[str]:
    """`streamlit run app.py` on `db` (plus any server `options`) on a free port, run by `python`
    (the test's own by default); yields its URL."""
    port = port or free_port()
    server = start(
        [python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "localhost", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         *options],
        "URL:", "streamlit", cwd=ROOT, env={**os.environ, "OVERFLOW_DB": str(db)},
    )
    try:
        yield f"http://localhost:{port}"
    finally:
        stop(server)


RUNTIME_VENV = ROOT / ".venv-runtime"


@pytest.fixture(scope="session")
def runtime_python() -> str:
    """The python of a venv built from requirements.txt alone, so a test run by it proves that the
    runtime requirements suffice (the dev venv also holds what the test tools pull in, such as the
    httpx that oidc-provider-mock brings). Built once per requirements.txt: the venv keeps the
    file's hash, and a lock lets two test workers wait for one build rather than race."""
    requirements = ROOT / "requirements.txt"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp, python = RUNTIME_VENV / ".requirements-sha256", RUNTIME_VENV / "bin" / "python"
    with open(ROOT / ".venv-runtime.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == wanted and python.exists()):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(RUNTIME_VENV)], check=True)
            installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
                                       capture_output=True, text=True)
            if installed.returncode:
                pytest.fail(f"pip could not install requirements.txt into {RUNTIME_VENV}:\n{installed.stderr[-2000:]}")
            stamp.write_text(wanted)
    return str(python)


@pytest.fixture(scope="session")
def app_url(request) -> Iterator[str]:
    """The app on the demo database, in local mode; $OVERFLOW_E2E_DB names another database
    (`make screenshots` photographs the full-size demo, whose weeks look like a real centre's)."""
    db = os.environ.get("OVERFLOW_E2E_DB") or request.getfixturevalue("demo_db")
    with serve(db) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing at /usr/bin/chromium: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()
