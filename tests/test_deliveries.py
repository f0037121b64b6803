"""Scorecards delivered: `python -m cli scorecards --period last-week --send` to three partners'
recipients and the centre, read back from a real SMTP server process (aiosmtpd).

Each partner's own recipient must get only its own partner's files (checked in the attachments'
names, in the text of every PDF and in every Excel workbook's cells), every file must open (pypdf,
openpyxl), and the delivery log must say what arrived. The refusal of another partner's data is
enforced where the mail is built: tested for every partner against every other.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys

import openpyxl
import pytest
from pypdf import PdfReader

from data import store
from data.errors import UserError
from notify import channels, deliver, messages, rules, subscriptions
from notify.channels import AudienceError, Recipient
from notify.messages import Attachment, Message
from partners import access, registry
from tests.conftest import ROOT
from tests.servers.running import running, smtp_url

PARTNERS = ("Acme", "Beta", "Gamma")
HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
# Week 2026-W47 (16-22 Nov 2026), the suite's "last week" (today is 24 Nov 2026): a few legs each.
LEGS = HEADER + "".join(
    f"{p[0]}{n},{p} Q,{p},2026-11-1{7 + n % 3} 10:{n:02d}:00,{'answered' if n % 4 else 'abandoned'},{5 * n},120,0,10,,\n"
    for p in PARTNERS for n in range(1, 9))
OWN = {"Acme": "site@acme.example", "Beta": "site@beta.example", "Gamma": "site@gamma.example"}
FORMATS = {"Acme": "pdf", "Beta": "xlsx", "Gamma": "both"}
CENTRE = "manager@centre.example"


@pytest.fixture
def world(db, tmp_path):
    with store.writing(db) as con:
        for name in PARTNERS:
            registry.add_partner(con, name)
        access.grant(con, OWN["Acme"], "partner", "Acme", actor="test")   # a partner user: audience from the grant
        for name in PARTNERS:
            subscriptions.add(con, OWN[name], partner=name, fmt=FORMATS[name], audience="partner", actor="test")
        subscriptions.add(con, CENTRE, fmt="pdf", actor="test")           # every partner
    path = tmp_path / "legs.csv"
    path.write_text(LEGS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "cli", "import", str(path), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return db


def send(db, smtp: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OVERFLOW_SMTP_URL": smtp, "OVERFLOW_MAIL_FROM": "sla@centre.example"}
    return subprocess.run([sys.executable, "-m", "cli", "scorecards", "--period", "last-week", "--send", "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def attachments(mail) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in mail.iter_attachments()}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def test_each_recipient_gets_only_its_own_files_every_file_opens_and_the_log_matches(world, tmp_path):
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        done = send(world, smtp_url(smtp))
        mails = {str(m["To"]): m for m in smtp.mails()}
    assert done.returncode == 0, done.stderr
    assert "2026-W47: 4 sent, 0 failed" in done.stdout
    assert set(mails) == {*OWN.values(), CENTRE}

    expected = {
        OWN["Acme"]: ["Acme_2026-W47.pdf"],
        OWN["Beta"]: ["Beta_2026-W47.xlsx"],
        OWN["Gamma"]: ["Gamma_2026-W47.pdf", "Gamma_2026-W47.xlsx"],
        CENTRE: ["Acme_2026-W47.pdf", "Beta_2026-W47.pdf", "Gamma_2026-W47.pdf"],
    }
    for address, names in expected.items():
        files = attachments(mails[address])
        assert sorted(files) == names
        for name, data in files.items():
            partner = name.split("_")[0]
            text = pdf_text(data) if name.endswith(".pdf") else xlsx_text(data)
            assert partner in text and "2026-W47" in text
            if address != CENTRE:   # a partner's recipient: no other partner's name anywhere in its files
                assert [other for other in PARTNERS if other != partner and other in text] == []
    assert "2026-W47" in str(mails[CENTRE]["Subject"]) and "Acme, Beta, Gamma" in str(mails[CENTRE]["Subject"])

    with store.reading(world) as con:
        log = store.execute(con, "SELECT d.address, coalesce(p.name, ''), d.files, d.status, d.attempts, d.kind "
                                 "FROM deliveries d LEFT JOIN partners p USING (partner_id) ORDER BY d.address").rows
        audit = store.execute(con, "SELECT detail FROM audit_log WHERE action = 'scorecards.send'").rows
    assert log == sorted(
        [(address, "" if address == CENTRE else address.split("@")[1].split(".")[0].title(), ", ".join(names),
          "sent", 1, "scorecard") for address, names in expected.items()])
    assert audit == [("2026-W47: 4 sent, 0 failed",)]


def test_a_partner_recipient_never_gets_a_mail_with_another_partners_file_even_if_subscribed_wrongly(world, tmp_path):
    """A subscription written around the checks (straight into the table) still cannot leak: the mail
    is refused where it is built, and the log says so."""
    with store.writing(world) as con:
        beta = registry.known_partner(con, "Beta")
        store.execute(con, "INSERT INTO subscriptions (address, what, partner_id, audience, format) "
                           "VALUES (?, 'scorecard', ?, 'centre', 'pdf')", [OWN["Acme"], beta])
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        done = send(world, smtp_url(smtp))
        mails = {str(m["To"]): m for m in smtp.mails()}
    assert done.returncode == 1
    assert OWN["Acme"] not in mails and set(mails) == {OWN["Beta"], OWN["Gamma"], CENTRE}
    with store.reading(world) as con:
        status, detail = store.execute(con, "SELECT status, detail FROM deliveries WHERE address = ?", [OWN["Acme"]]).one()
    assert status == "failed" and "is a partner recipient and the message carried another partner's data" in detail


@pytest.mark.parametrize("own", range(len(PARTNERS)), ids=lambda i: PARTNERS[i])
def test_the_mail_builder_refuses_every_other_partners_data_for_each_partner(own):
    me = own + 1
    recipient = Recipient(f"site@{PARTNERS[own].lower()}.example", "partner", me)
    mine = Attachment(me, f"{PARTNERS[own]}.pdf", b"%PDF-")
    assert channels.email(recipient, Message("scorecard", "s", "b", frozenset({me}), attachments=(mine,)),
                          "from@x.example")["To"] == recipient.address
    for other in (i + 1 for i in range(len(PARTNERS)) if i != own):
        theirs = Attachment(other, "other.pdf", b"%PDF-")
        for message in (Message("scorecard", "s", "b", frozenset({me, other}), attachments=(mine, theirs)),
                        Message("scorecard", "s", "b", frozenset({me}), attachments=(mine, theirs)),
                        Message("alert", "s", "b", frozenset({other}))):
            with pytest.raises(AudienceError):
                channels.email(recipient, message, "from@x.example")
            sent = channels.post_webhook(Recipient("http://127.0.0.1:9/hook", "partner", me), message)
            assert not sent.ok and sent.attempts == 0 and "another partner's data" in sent.detail


def test_a_partner_user_cannot_be_subscribed_to_another_partner(db):
    with store.writing(db) as con:
        for name in PARTNERS:
            registry.add_partner(con, name)
        access.grant(con, OWN["Acme"], "partner", "Acme", actor="test")
    for partner in ("Beta", None):
        with store.writing(db) as con, pytest.raises(UserError, match="may only subscribe to Acme's own"):
            subscriptions.add(con, OWN["Acme"], partner=partner, actor="test")
    with store.writing(db) as con:
        added = subscriptions.add(con, OWN["Acme"].upper(), partner="Acme", audience="centre", actor="test")
    assert (added.address, added.audience) == (OWN["Acme"], "partner")


def test_smtp_settings_come_from_the_url_or_the_secrets_file(monkeypatch, tmp_path):
    config = channels.parse_smtp_url("smtp://mailer%40centre:p%40ss@mail.example:2525?starttls=1")
    assert (config.host, config.port, config.user, config.password, config.security) == (
        "mail.example", 2525, "mailer@centre", "p@ss", "starttls")
    assert channels.parse_smtp_url("smtps://mail.example").port == 465
    assert channels.parse_smtp_url("smtp://mail.example").security == "plain"
    with pytest.raises(UserError, match=r"smtp://user:password@host:port.*http://u:\*\*\*@x"):
        channels.parse_smtp_url("http://u:secret@x")
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[smtp]\nhost = "relay.example"\nstarttls = true\nuser = "u"\npassword = "p"\nfrom = "a@b.example"\n')
    monkeypatch.delenv(channels.SMTP_ENV, raising=False)
    monkeypatch.delenv(channels.FROM_ENV, raising=False)
    monkeypatch.setattr(channels, "SECRETS", (secrets,))
    found = channels.smtp_config()
    assert (found.host, found.port, found.security, found.sender) == ("relay.example", 587, "starttls", "a@b.example")
    monkeypatch.setenv(channels.SMTP_ENV, "smtps://x.example:1465")
    assert channels.smtp_config().describe() == "x.example:1465 (tls)"


def test_the_digest_is_one_mail_per_recipient_with_its_open_alerts(world, tmp_path):
    with store.writing(world) as con:
        subscriptions.add(con, OWN["Beta"], what="digest", partner="Beta", audience="partner", actor="test")
        subscriptions.add(con, CENTRE, what="digest", actor="test")
        rules.add(con, "Abandons", "abandon_over", partner=None, threshold=0.1, actor="test")
    deliver.check(str(world), "test")   # no alerts subscriber: raised, nothing sent
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        env = {**os.environ, "OVERFLOW_SMTP_URL": smtp_url(smtp)}
        done = subprocess.run([sys.executable, "-m", "cli", "alerts", "digest", "--db", str(world)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        mails = {str(m["To"]): m for m in smtp.mails()}
    assert done.returncode == 0 and "digest: 2 sent, 0 failed" in done.stdout
    # Each partner abandons leg 4 (18 Nov) and leg 8 (19 Nov), one of 3 legs on each day: 33.3 % > 10 %.
    assert str(mails[CENTRE]["Subject"]) == "Overflow SLA: 6 open alerts on 24 Nov 2026"
    assert str(mails[OWN["Beta"]]["Subject"]) == "Overflow SLA: 2 open alerts on 24 Nov 2026"
    beta = mails[OWN["Beta"]].get_body().get_content()
    assert "Beta: Abandons" in beta and "Acme" not in beta and "Gamma" not in beta
    assert messages.view_link("availability", "Beta", "2026-W47") in beta
