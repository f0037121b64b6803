"""The channels: e-mail through an SMTP server and JSON posted to a webhook (Teams or Slack).

The mail server comes from OVERFLOW_SMTP_URL (`smtp://user:password@host:port`, `?starttls=1` for
STARTTLS, `smtps://` for TLS from the first byte) or, when that is not set, the [smtp] section of
.streamlit/secrets.toml (`url = ...`, or host/port/user/password/starttls/tls); the sender is
OVERFLOW_MAIL_FROM (or `from` in [smtp]). Nothing of it is stored in the database.

A send is tried up to ATTEMPTS times with a growing pause while the failure may pass (a connection
refused or dropped, a 4xx answer, a webhook's 429 or 5xx); a permanent refusal (5xx from the mail
server, 4xx from a webhook) is not repeated. (A delivery run does not try its other messages on a
server that failed one through all its attempts: see notify/deliver.py.) Every attempt's failure is
logged and the result says what happened, so the caller can write it to the delivery log: a send
never raises.

Every message passes `check_audience` where it is built, for mail and webhook alike: a partner's
own recipient is never handed another partner's data, whatever put it in the queue.
"""
from __future__ import annotations

import json
import logging
import os
import re
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import tomllib

from data import i18n
from data.errors import UserError
from data.i18n import _
from notify.messages import Message

log = logging.getLogger("overflow.notify")

SMTP_ENV = "OVERFLOW_SMTP_URL"
FROM_ENV = "OVERFLOW_MAIL_FROM"
DEFAULT_FROM = "overflow-sla@localhost"
ATTEMPTS = 3
PAUSES_S = (0.5, 1.5)       # before the second and the third attempt
TIMEOUT_S = 15.0
SECRETS = (Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml",
           Path.cwd() / ".streamlit" / "secrets.toml")
MIME = {".pdf": ("application", "pdf"),
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to. A partner audience names the one partner whose data it may receive."""
    address: str
    audience: str = "centre"          # centre | partner
    partner_id: int | None = None

    @property
    def channel(self) -> str:
        return channel_of(self.address)


@dataclass(frozen=True)
class Sent:
    """How a send went: taken by the server (ok) or not after `attempts`, with the server's words."""
    ok: bool
    attempts: int
    detail: str

    @property
    def reason(self) -> str:
        """Why the last attempt failed, without its number ('' when it was sent)."""
        return "" if self.ok else re.sub(r"^(attempt )?\d+: ", "", self.detail.rsplit("; attempt ", 1)[-1])


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str              # plain | starttls | tls
    sender: str

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


class AudienceError(UserError):
    """A message would carry data its recipient may not see: refused before it is built."""


def channel_of(address: str) -> str:
    return "webhook" if address.lower().startswith(("http://", "https://")) else "email"


def check_audience(recipient: Recipient, message: Message) -> None:
    """Refuse a message for a partner's own recipient that carries any other partner's data."""
    if recipient.audience != "partner":
        return
    carried = set(message.partner_ids) | {a.partner_id for a in message.attachments}
    if recipient.partner_id is None or carried - {recipient.partner_id}:
        raise AudienceError(f"refused: {recipient.address} is a partner recipient and the message carried "
                            "another partner's data")


# --- configuration --------------------------------------------------------------------------------


def parse_smtp_url(url: str, sender: str | None = None) -> SmtpConfig:
    """`smtp://user:password@host:port?starttls=1` or `smtps://...` -> SmtpConfig; one line when it cannot."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise UserError(_("{setting} must look like smtp://user:password@host:port (or smtps://...), not {url}").format(
            setting=SMTP_ENV, url=_hidden(url)))
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    security = "tls" if parts.scheme == "smtps" else "starttls" if starttls else "plain"
    try:
        port = parts.port or (465 if security == "tls" else 587 if starttls else 25)
    except ValueError:
        raise UserError(_("{setting}: the port is not a number in {url}").format(setting=SMTP_ENV, url=_hidden(url))) from None
    return SmtpConfig(parts.hostname, port, unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None, security, sender or mail_from())


def _hidden(url: str) -> str:
    """The URL without its password, for a message a person reads."""
    parts = urlsplit(url.strip())
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _secrets_section() -> dict[str, Any] | None:
    for path in SECRETS:
        if path.is_file():
            try:
                found = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp")
            except (tomllib.TOMLDecodeError, OSError) as error:
                raise UserError(_("cannot read {file}: {problem}").format(file=path, problem=error)) from None
            if found:
                return found
    return None


def mail_from(section: dict[str, Any] | None = None) -> str:
    return os.environ.get(FROM_ENV) or (section or {}).get("from") or DEFAULT_FROM


def smtp_config() -> SmtpConfig | None:
    """The mail server from OVERFLOW_SMTP_URL, else from [smtp] in .streamlit/secrets.toml; None when neither."""
    url = os.environ.get(SMTP_ENV, "").strip()
    if url:
        return parse_smtp_url(url)
    section = _secrets_section()
    if section is None:
        return None
    if section.get("url"):
        return parse_smtp_url(str(section["url"]), mail_from(section))
    if not section.get("host"):
        raise UserError(_("the [smtp] section of .streamlit/secrets.toml needs url = \"smtp://...\" or host = \"...\""))
    tls, starttls = bool(section.get("tls")), bool(section.get("starttls"))
    security = "tls" if tls else "starttls" if starttls else "plain"
    port = int(section.get("port") or (465 if tls else 587 if starttls else 25))
    return SmtpConfig(str(section["host"]), port, section.get("user"), section.get("password"), security,
                      mail_from(section))


# --- e-mail ---------------------------------------------------------------------------------------


def email(recipient: Recipient, message: Message, sender: str) -> EmailMessage:
    """The e-mail for one recipient (its address alone in To:), after the audience check."""
    check_audience(recipient, message)
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient.address
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="overflow-sla")
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, subtype = MIME.get(Path(attachment.filename).suffix.lower(), ("application", "octet-stream"))
        mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mail


def _smtp_once(config: SmtpConfig, mail: EmailMessage) -> str:
    if config.security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_S,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S)
    with server:
        if config.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.user:
            server.login(config.user, config.password or "")
        refused = server.send_message(mail)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    return f"accepted by {config.describe()}"


def _permanent(error: Exception) -> bool:
    """A refusal that another attempt would get again: a 5xx answer from the mail server."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in error.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    return code is not None and code >= 500


def _words(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"the mail server answered {error.smtp_code} {text.strip()}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the mail server refused " + "; ".join(
            f"{who}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for who, (code, text) in error.recipients.items())
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection (is it running?)"
    return f"{type(error).__name__}: {error}"


def _tries(send, what: str, permanent, words) -> Sent:
    """Run `send` up to ATTEMPTS times; each failure is logged; a permanent one stops the tries."""
    failures = []
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return Sent(True, attempt, send())
        except Exception as error:  # noqa: BLE001 - a send reports, it never raises (the module's promise)
            failures.append(f"attempt {attempt}: {words(error)}")
            log.warning("%s: %s", what, failures[-1])
            if permanent(error) or attempt == ATTEMPTS:
                break
            time.sleep(PAUSES_S[attempt - 1])
    return Sent(False, len(failures), "; ".join(failures))


def send_email(recipient: Recipient, message: Message) -> Sent:
    """Hand the message to the mail server, retrying while the failure may pass."""
    try:
        config = smtp_config()
        if config is None:
            return Sent(False, 0, f"no mail server is configured: set {SMTP_ENV} or [smtp] in .streamlit/secrets.toml")
        mail = email(recipient, message, config.sender)
    except UserError as error:
        return Sent(False, 0, str(error))
    return _tries(lambda: _smtp_once(config, mail), f"mail to {recipient.address}", _permanent, _words)


# --- webhooks -------------------------------------------------------------------------------------


def webhook_style(url: str) -> str:
    """slack or teams: `#slack` / `#teams` at the end of the address chooses; else a hooks.slack.com
    address is Slack's and every other one gets the Teams shape."""
    parts = urlsplit(url)
    if parts.fragment in ("slack", "teams"):
        return parts.fragment
    return "slack" if (parts.hostname or "").endswith("slack.com") else "teams"


def payload(url: str, message: Message) -> dict[str, Any]:
    """The JSON an incoming webhook accepts: Slack's {"text": ...} (mrkdwn, <url|label> links), or a
    Teams message with one Adaptive Card (what a Teams Workflows webhook posts to a channel)."""
    with i18n.language(message.language):
        open_view = _("Open the view")
    if webhook_style(url) == "slack":
        link = f"\n<{message.link}|{open_view}>" if message.link else ""
        return {"text": f"*{message.subject}*\n{message.body}{link}"}
    body = [{"type": "TextBlock", "text": message.subject, "weight": "Bolder", "wrap": True},
            *({"type": "TextBlock", "text": line, "wrap": True} for line in message.body.splitlines() if line)]
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": open_view, "url": message.link}] if message.link else []}
    return {"type": "message", "summary": message.subject,
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


class _WebhookError(Exception):
    def __init__(self, status: int | None, text: str) -> None:
        super().__init__(text)
        self.status = status


def _post_once(url: str, data: bytes) -> str:
    request = urllib.request.Request(url.split("#", 1)[0], data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return f"the webhook answered {answer.status}"
    except urllib.error.HTTPError as error:
        raise _WebhookError(error.code, f"the webhook answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise _WebhookError(None, f"cannot reach the webhook: {getattr(error, 'reason', error)}") from None


def _webhook_permanent(error: Exception) -> bool:
    status = getattr(error, "status", None)
    return status is not None and 400 <= status < 500 and status != 429


def post_webhook(recipient: Recipient, message: Message) -> Sent:
    """Post the message's JSON to the webhook, retrying while the failure may pass."""
    try:
        check_audience(recipient, message)
    except UserError as error:
        return Sent(False, 0, str(error))
    data = json.dumps(payload(recipient.address, message)).encode("utf-8")
    return _tries(lambda: _post_once(recipient.address, data), f"webhook {recipient.address}", _webhook_permanent,
                  lambda error: str(error))


def send(recipient: Recipient, message: Message) -> Sent:
    """By the recipient's channel: e-mail or webhook. Never raises."""
    return post_webhook(recipient, message) if recipient.channel == "webhook" else send_email(recipient, message)
