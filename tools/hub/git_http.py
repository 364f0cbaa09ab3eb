"""Serve bare git repositories over git's smart HTTP protocol on 127.0.0.1, as a git host would.

Each request is handed to ``git http-backend`` (git's own CGI program), so clone, fetch, shallow
clone (nbgitpuller clones with ``--depth 1``), ``git ls-remote`` and push behave as they do
against an https host. Used by ``tests/test_hub.py`` for the course repository that the hub's
students pull from; also a script, for trying the class path by hand::

    python tools/hub/git_http.py /tmp/srv          # serves /tmp/srv/*.git at http://127.0.0.1:PORT/

Push is allowed without a password only to repositories whose config says
``http.receivepack = true`` (git's rule); this server binds the loopback address only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class GitHandler(BaseHTTPRequestHandler):
    """One request: its body (chunked or not) to ``git http-backend``, its CGI answer back."""

    root: Path  # set by serve()

    def do_GET(self):
        self._backend(b"")

    def do_POST(self):
        self._backend(self._read_body())

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":  # git sends large pushes so
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _backend(self, body: bytes):
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }
        result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = result.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        if result.returncode != 0 and not head:
            status, payload = 500, result.stderr
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # quiet: the test prints its own steps
        pass


def serve(root: Path, port: int = 0) -> ThreadingHTTPServer:
    """Start serving the bare repositories under ``root`` in a background thread; call ``.shutdown()``."""
    handler = type("Handler", (GitHandler,), {"root": Path(root).resolve()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder holding bare repositories (NAME.git)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = serve(args.root, args.port)
    print(f"serving {args.root}/*.git at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
