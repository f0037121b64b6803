"""No page asks another host for anything: on a locked-down network every outside request is an error
in the console and a call nobody expected (Streamlit's ":material/...:" page icon fetched the
favicon from a Google font host on every page)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import settle

pytestmark = pytest.mark.e2e

# (url path, the page's title): every page a local-mode admin reaches, the default one at the root.
PAGES = [("", "Overview"), ("scorecard", "Partner scorecard"), ("availability", "Availability"),
         ("quality", "Quality"), ("meetings", "Service meetings"), ("agreements", "Agreements"),
         ("data", "Data"), ("access", "Access")]
LOCAL = {"localhost", "127.0.0.1", "::1"}


def test_no_page_requests_anything_from_another_host(page, app_url):
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(request.url).hostname not in LOCAL else None)
    for path, title in PAGES:
        page.goto(f"{app_url}/{path}")
        settle(page, title)
    assert outside == []


def test_the_favicon_is_the_apps_own_file(page, app_url):
    page.goto(app_url)
    settle(page, "Overview")
    icon = page.locator('link[rel="shortcut icon"], link[rel="icon"]').first.get_attribute("href")
    assert icon.startswith(app_url) or icon.startswith("./") or icon.startswith("/"), icon
    assert page.request.get(icon if "://" in icon else f"{app_url}/{icon.lstrip('./')}").headers["content-type"] == "image/png"
