"""A real HTTP receiver for the tests: `python -m tests.servers.http_sink PORT FOLDER`.

Every POST is answered 200 and written to FOLDER/NNNN.json as {"path": ..., "body": <the JSON>};
it writes FOLDER/ready once it listens.
"""
from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FOLDER = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")
LOCK = threading.Lock()
COUNT = [0]


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with LOCK:
            COUNT[0] += 1
            number = COUNT[0]
        record = {"path": self.path, "content_type": self.headers.get("Content-Type"), "body": json.loads(body)}
        (FOLDER / f"{number:04d}.json").write_text(json.dumps(record), encoding="utf-8")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"1")

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver)
    (FOLDER / "ready").write_text("listening")
    server.serve_forever()


if __name__ == "__main__":
    main()
