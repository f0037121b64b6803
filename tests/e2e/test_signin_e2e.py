"""Sign in through a real OpenID Connect provider and land on the partner's own scorecard.

oidc-provider-mock runs as its own process on a free localhost port; the app is started with a
secrets file written for this test (passed with --secrets.files, so the repository's own
.streamlit is untouched) whose [auth] section points at that provider. The browser goes through
the provider's real login form, Streamlit's real /oauth2callback and identity cookie.

The app runs on a venv built from requirements.txt alone (`runtime_python`), as `make run` installs
it: the dev venv holds httpx through oidc-provider-mock, which hid that Authlib's Starlette client
needs it and a plain install answered the first Sign in with "Internal Server Error". The provider
is test tooling and runs from the dev venv.
"""
from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator

import pytest

from data import store
from partners import access
from tests.e2e.conftest import free_port, serve, start, stop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def oidc_provider() -> Iterator[str]:
    """The provider's issuer URL once it listens; it accepts any client id and secret."""
    port = free_port()
    provider = start([sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--port", str(port)],
                     "Uvicorn running on", "oidc-provider-mock")
    yield f"http://localhost:{port}"
    stop(provider)


@pytest.fixture
def partners_db(demo_db, tmp_path) -> tuple[str, str, list[str]]:
    """A copy of the demo database where the first partner has a site manager with a grant."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with store.writing(db) as con:
        names = access.partner_names(con)
        access.grant(con, "site.manager@partner.example", "partner", names[0], actor="test")
    return str(db), names[0], names[1:]


def test_partner_user_signs_in_through_the_provider_and_sees_only_its_scorecard(
    page, oidc_provider, partners_db, tmp_path, runtime_python
):
    db, mine, others = partners_db
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
        'client_id = "overflow-sla"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with serve(db, "--secrets.files", str(secrets), port=port, python=runtime_python) as app_url:
        page.goto(app_url)
        with page.expect_response(lambda response: "/auth/login" in response.url) as login:
            page.get_by_role("button", name="Sign in").click()
        assert login.value.status == 302, f"/auth/login answered {login.value.status}, not a redirect to the provider"
        page.get_by_placeholder("sub").fill("site.manager@partner.example")  # the provider's own login form
        page.get_by_role("button", name="Authorize").click()
        page.get_by_role("heading", name="Partner scorecard", exact=True).wait_for()
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        page.get_by_text(mine).first.wait_for()
        text = page.locator("body").inner_text().replace("\u2060", "")  # the word joiner that keeps an email unlinked
        assert "site.manager@partner.example" in text
        assert mine in text
        assert [name for name in others if name in text] == []
        assert "Access" not in page.locator('[data-testid="stSidebarNav"]').inner_text()
