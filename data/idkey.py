"""The secret that turns customer ids (callers' phone numbers) into pseudonyms before they are stored.

A customer id is kept only as `hmac1:` + the first 32 hex digits (128 bits) of HMAC-SHA256(key,
id): the same caller always gets the same pseudonym, so FCR and repeat calls stay exact, but the
number cannot be read back, nor found by hashing every phone number without the key. The key is,
in order: $OVERFLOW_ID_KEY, else `id_key` in the [privacy] section of .streamlit/secrets.toml
(read by the app and the CLI alike, as the mail settings are), else a key file beside the database (`<database>.idkey`), made on first use with 32 random bytes and
0600 permissions, said once in the log. The database records a fingerprint of the key it was
written with (table id_key, migration 0013) and refuses a write under another key, since the new
pseudonyms would no longer match the old ones (docs/privacy.md).

The hashing itself is SQL (the macro `customer_pseudonym`, migration 0013), so an import hashes
millions of ids inside DuckDB; the store hands every writing connection the key's HMAC pads
as variables (data/store.py, `writing`).
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tomllib
from pathlib import Path

from data.errors import UserError

KEY_ENV = "OVERFLOW_ID_KEY"
SECRETS = (Path(__file__).resolve().parent.parent / ".streamlit" / "secrets.toml",
           Path.cwd() / ".streamlit" / "secrets.toml")
CHECK_TEXT = "key check 1"  # hashed into id_key.fingerprint: tells whether a key is the database's
BLOCK = 64  # SHA-256's block size: the HMAC pads are this long

log = logging.getLogger(__name__)
_announced: set[Path] = set()


def key_file(db: Path) -> Path:
    return db.with_name(db.name + ".idkey")


def key(db: Path) -> bytes:
    """The key for the database at `db`: the environment's, else the secrets', else the key file's (made if missing)."""
    given = os.environ.get(KEY_ENV, "").strip() or _secret()
    if given:
        return given.encode("utf-8")
    path = key_file(db)
    if not path.exists():
        _make_key_file(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read the customer-id key file {path} ({error}); set {KEY_ENV} or restore the file") from None
    if not text:
        raise UserError(f"the customer-id key file {path} is empty; restore it from a backup or set {KEY_ENV}")
    return text.encode("ascii")


def _secret() -> str:
    """[privacy] id_key of the first secrets.toml that has one ('' when none does)."""
    for path in SECRETS:
        if path.is_file():
            try:
                found = tomllib.loads(path.read_text(encoding="utf-8")).get("privacy", {}).get("id_key", "")
            except (tomllib.TOMLDecodeError, OSError, AttributeError) as error:
                raise UserError(f"cannot read the customer-id key from {path}: {error}") from None
            if str(found).strip():
                return str(found).strip()
    return ""


def _make_key_file(path: Path) -> None:
    """32 random bytes as hex, readable by the owner only; a file made meanwhile by another process wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(32) + "\n")
    if path not in _announced:
        _announced.add(path)
        log.warning("no %s is set: customer ids are hashed with a new key kept in %s (mode 0600); "
                    "back it up with the database", KEY_ENV, path)


def pads(secret: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer pads of `secret` (RFC 2104): a key longer than a block is hashed first."""
    if len(secret) > BLOCK:
        secret = hashlib.sha256(secret).digest()
    padded = secret.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)
