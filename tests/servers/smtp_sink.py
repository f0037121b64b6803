"""A real SMTP server for the tests: `python -m tests.servers.smtp_sink PORT FOLDER [--refuse]`.

aiosmtpd on 127.0.0.1:PORT writes every message it accepts to FOLDER/NNNN.eml (with the envelope's
recipients in an X-Envelope-To header). With --refuse it answers every recipient with 550, as a
server that will not take the mail does. It writes FOLDER/ready once it listens.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path, refuse: bool) -> None:
        self.folder, self.refuse, self.count, self.lock = folder, refuse, 0, threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        head = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        (self.folder / f"{number:04d}.eml").write_bytes(head + envelope.original_content)
        return "250 Message accepted for delivery"


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(folder, "--refuse" in sys.argv), hostname="127.0.0.1", port=port)
    controller.start()
    (folder / "ready").write_text("listening")
    threading.Event().wait()


if __name__ == "__main__":
    main()
