"""The sign-in gate and the Access page, through AppTest's signed-in user (st.user)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from data import store
from data.errors import UserError
from ingest.importing import import_file
from meetings import meetings
from partners import access, agreements, periods
from tests.app.test_pages import said
from tests.conftest import ROOT
from ui import loaders, source

ACCESS_PAGE = str(ROOT / "app_pages" / "access.py")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret-for-tests",
        "client_id": "overflow", "client_secret": "x", "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}


@pytest.fixture
def granted(db):
    with store.writing(db) as con:
        con.execute("INSERT INTO partners (name) VALUES ('Acme Contact'), ('Borealis BPO')")
        access.grant(con, "boss@centre.example", "admin", None, actor="setup")
        access.grant(con, "lead@centre.example", "manager", None, actor="setup")
        access.grant(con, "pm@acme.example", "partner", "Acme Contact", actor="setup")
    return db


def signed_in(page: str, email: str | None, **claims: object) -> AppTest:
    at = AppTest.from_file(page, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": email is not None, **({"email": email} if email else {}), **claims}
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "error", "info", "success", "caption", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_signed_out_user_sees_only_the_sign_in_button(granted):
    at = signed_in(ACCESS_PAGE, None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Access" not in [t.value for t in at.title] and len(at.dataframe) == 0


@pytest.mark.parametrize("email", ["stranger@example.com", "BOSS@centre.example.evil"])
def test_email_without_grant_sees_only_no_access(granted, email):
    at = signed_in(ACCESS_PAGE, email)
    assert [t.value for t in at.title] == ["No access"]
    assert f"{email} is signed in but has no access" in said(at.error[0].value)
    assert len(at.dataframe) == 0 and "boss@centre.example" not in texts(at)


def test_unverified_email_is_not_trusted(granted):
    at = signed_in(ACCESS_PAGE, "boss@centre.example", email_verified=False)
    assert [t.value for t in at.title] == ["No access"]


KELVIN = "\u212a"           # KELVIN SIGN: NFKC and case folding would make it a plain 'k'
CYRILLIC_E = "\u0435"       # looks like a Latin 'e'


@pytest.mark.parametrize(("claims", "title"), [
    ({"email": "boss@centre.example", "email_verified": "false"}, "No access"),  # a string, as some providers send it
    ({"email": "boss@centre.example", "email_verified": "FALSE"}, "No access"),
    ({"email": "boss@centre.example", "email_verified": 0}, "No access"),        # neither true nor "true"
    ({"email": "boss@centre.example", "email_verified": "true"}, "Access"),
    ({"email": "BOSS@Centre.Example", "email_verified": True}, "Access"),        # case folded to the grant
    ({"email": f"boss@c{CYRILLIC_E}ntre.example"}, "No access"),                 # a look-alike of the admin
    ({"email": ["boss@centre.example"]}, "No access"),                            # a list, not a string
    ({"email": 42}, "No access"),
])
def test_only_a_verified_plain_email_signs_in(granted, claims, title):
    at = AppTest.from_file(ACCESS_PAGE, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **claims}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == [title]


def test_a_look_alike_of_a_granted_email_gets_no_grant(granted):
    with store.writing(granted) as con:
        access.grant(con, "kim@centre.example", "manager", None, actor="setup")
        assert access.scope_for(con, "KIM@centre.example").role == "manager"
        assert access.scope_for(con, f"{KELVIN}im@centre.example") is None   # NFKC would fold it to kim
        assert access.scope_for(con, f"kim@c{CYRILLIC_E}ntre.example") is None
        with pytest.raises(UserError, match="look-alike"):
            access.grant(con, f"{KELVIN}im@centre.example", "admin", None, actor="setup")
    assert access.signed_in_email({"email": "Kim@Centre.Example", "email_verified": "True"}) == "kim@centre.example"
    assert access.signed_in_email({"email": "kim@centre.example", "email_verified": "false"}) is None
    assert access.signed_in_email({"email": {"value": "kim@centre.example"}}) is None


def test_manager_and_partner_are_refused_the_access_page(granted):
    for email in ("lead@centre.example", "pm@acme.example"):
        at = signed_in(ACCESS_PAGE, email)
        assert at.error[0].value == "Only administrators manage access."
        assert len(at.dataframe) == 0 and "boss@centre.example" not in texts(at)


def test_tampered_query_parameters_do_not_change_who_you_are(granted):
    at = AppTest.from_file(ACCESS_PAGE, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "pm@acme.example"}
    at.query_params.update({"email": "boss@centre.example", "role": "admin", "user": "boss@centre.example"})
    at.run()
    assert at.error[0].value == "Only administrators manage access."


def test_admin_grants_and_revokes_and_sees_the_audit_log(granted):
    at = signed_in(ACCESS_PAGE, "boss@centre.example")
    assert not at.exception
    grants = at.dataframe[0].value
    assert list(grants["email"]) == ["boss@centre.example", "lead@centre.example", "pm@acme.example"]
    at.text_input(key="grant_email").input("New.PM@borealis.example")
    at.selectbox(key="grant_role").select("partner")
    at.selectbox(key="grant_partner").select("Borealis BPO")
    at.button(key="grant_submit").click().run()
    assert said(at.success[0].value) == "Granted new.pm@borealis.example: partner user of Borealis BPO."
    assert "new.pm@borealis.example" in list(at.dataframe[0].value["email"])
    log = at.dataframe[1].value
    assert (log.iloc[0]["who"], log.iloc[0]["what"], log.iloc[0]["detail"]) == (
        "boss@centre.example", "access.grant", "new.pm@borealis.example as partner user of Borealis BPO")

    assert "boss@centre.example" not in at.selectbox(key="revoke_email").options
    at.selectbox(key="revoke_email").select("lead@centre.example")
    at.button(key="revoke_submit").click().run()
    assert said(at.success[0].value) == "Revoked lead@centre.example."
    with store.reading(granted) as con:
        assert access.scope_for(con, "lead@centre.example") is None


def test_admin_grant_mistake_is_one_line_and_changes_nothing(granted):
    at = signed_in(ACCESS_PAGE, "boss@centre.example")
    at.text_input(key="grant_email").input("someone@acme.example")
    at.selectbox(key="grant_role").select("partner")
    at.button(key="grant_submit").click().run()
    assert said(at.error[0].value) == "a partner user needs --partner NAME: the partner whose data they may see"
    assert len(at.dataframe[0].value) == 3


def test_local_mode_is_the_local_admin_on_localhost_only(granted):
    at = AppTest.from_file(ACCESS_PAGE, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Access"] and "Sign-in is off (local mode)" in at.info[0].value
    with patch_config_options({"server.address": "0.0.0.0"}):
        at = AppTest.from_file(ACCESS_PAGE, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign-in is not configured"]
    assert len(at.dataframe) == 0


def test_per_partner_loaders_refuse_a_partner_outside_the_scope(granted):

    with store.reading(granted) as con:
        scope = access.scope_for(con, "pm@acme.example")
        borealis = con.execute("SELECT partner_id FROM partners WHERE name = 'Borealis BPO'").fetchone()[0]
    src = source.Source(str(granted), 1, "Europe/Stockholm", scope)
    week = periods.parse("2026-W47")
    with pytest.raises(UserError, match=f"^{access.OUT_OF_SCOPE}$"):
        loaders.scorecard(src, borealis, week)
    with pytest.raises(UserError, match=f"^{access.OUT_OF_SCOPE}$"):
        loaders.qa_evaluations(src, borealis, week)
    assert loaders.scorecard(src, scope.partner_id, week).partner_id == scope.partner_id


def test_the_sidebar_says_local_mode_or_who_is_signed_in(granted):
    app = str(ROOT / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    assert "Local mode: no sign-in, one local admin; served on localhost only." in [c.value for c in at.sidebar.caption]
    at = signed_in(app, "lead@centre.example")
    assert "Signed in as lead@centre.example · manager" in [said(c.value) for c in at.sidebar.caption]
    assert at.sidebar.button(key="sign_out").label == "Sign out"


def test_the_audit_log_shows_imports_agreement_changes_and_meeting_edits(granted, tmp_path):
    from datetime import date


    legs = tmp_path / "legs.csv"
    legs.write_text(
        "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
        "c1,Acme Q,Acme Contact,2026-11-16T09:00:00+01:00,answered,12,200,0,30,A1,K1\n",
        encoding="utf-8",
    )
    import_file(legs, db=granted, imported_by="analyst@centre.example")
    with store.writing(granted) as con:
        acme = con.execute("SELECT partner_id FROM partners WHERE name = 'Acme Contact'").fetchone()[0]
        agreements.add_version(con, acme, date(2026, 11, 2), created_by="boss@centre.example", sl_target=0.8)
        meetings.add_item(con, acme, meetings.NewItem("Share the forecast weekly", "Eva", "centre"), "lead@centre.example")
    at = signed_in(ACCESS_PAGE, "boss@centre.example")
    log = at.dataframe[1].value
    assert list(log["who"][:3]) == ["lead@centre.example", "boss@centre.example", "analyst@centre.example"]
    assert list(log["what"][:3]) == ["action item raised", "agreement.add", "import"]
    assert log["detail"][2] == (f"{legs} (generic): batch 1, read 1, imported 1, duplicates 0, filtered 0, rejected 0; "
                                "created queue 'Acme Q' (Acme Contact)")
    assert log["detail"][0] == "item 1 for Acme Contact: Share the forecast weekly"  # a name, not "partner 1"
    assert log["detail"][1].startswith("Acme Contact version 1 from 2 Nov 2026: ")
    with store.reading(granted) as con:  # the newest line's time, turned local by DuckDB, not by the page
        newest = con.execute("SELECT timezone('Europe/Stockholm', max(logged_at)) FROM audit_log").fetchone()[0]
    assert log["when"][0].to_pydatetime() == newest
    assert any(c.value.endswith("Times in Europe/Stockholm.") for c in at.caption)
    assert "access.grant" in set(log["what"])
