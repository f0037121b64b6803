"""Start the test servers as real processes on free localhost ports, and read what they received."""
from __future__ import annotations

import contextlib
import email
import email.policy
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    folder: Path
    process: subprocess.Popen

    def files(self, suffix: str) -> list[Path]:
        return sorted(self.folder.glob(f"*{suffix}"))

    def mails(self) -> list[EmailMessage]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in self.files(".eml")]

    def posts(self) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in self.files(".json")]


@contextlib.contextmanager
def running(module: str, folder: Path, *extra: str) -> Iterator[Server]:
    """`python -m tests.servers.<module> PORT FOLDER` until the block ends; waits for its ready file."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", f"tests.servers.{module}", str(port), str(folder), *extra],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (folder / "ready").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.05)
        yield Server(port, folder, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def smtp_url(server: Server) -> str:
    return f"smtp://127.0.0.1:{server.port}"


def body_of(mail: EmailMessage) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()
