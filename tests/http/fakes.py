"""A clock whose sleep only moves time forward, injected into ApiSession so tests never wait, and a
fault-injecting HTTP server (stdlib, real sockets) for what pytest-httpserver cannot do: drip a body,
cut it off, send a gzip bomb, redirect between two origins."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class FakeClock:
    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += seconds


Seen = tuple[str, str, dict[str, str]]
Route = Callable[["FaultHandler"], None]


class FaultHandler(BaseHTTPRequestHandler):
    """Hands every request to its FaultServer's route for the path (query ignored)."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.fault.dispatch(self)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.fault.dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json(self, value: Any) -> None:
        self.reply(200, json.dumps(value).encode(), {"Content-Type": "application/json"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fault: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-answer is the point of these routes


class FaultServer:
    """A real socket server whose routes misbehave on purpose: drip bodies, cut them off, inflate them,
    redirect. It records every request (method, path with query, headers) in `seen`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), FaultHandler)
        self._server.fault = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def dispatch(self, handler: FaultHandler) -> None:
        self.seen.append((handler.command, handler.path, dict(handler.headers.items())))
        route = self.routes.get(urlsplit(handler.path).path)
        if route is None:
            handler.reply(404, b"no route")
        else:
            route(handler)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.seen]

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def drip(server: FaultServer, every: float, size: int = 100, *, chunked: bool = False) -> Route:
    """A 200 whose body arrives one byte every `every` seconds (Content-Length or chunked)."""

    def route(handler: FaultHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        try:
            for _ in range(size):
                if server.stopping.wait(every):
                    return
                handler.wfile.write(b"1\r\n \r\n" if chunked else b" ")
                handler.wfile.flush()
        except OSError:
            return  # the client gave up: what the test wants

    return route


def cut_off(declared: int, body: bytes) -> Route:
    """A 200 that promises `declared` bytes, sends `body` and closes the connection."""

    def route(handler: FaultHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(declared))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True

    return route


def gzip_bomb(members: int, member_mb: int = 16) -> tuple[bytes, int]:
    """A gzip body of `members` copies of one compressed member of zeros, and its inflated size."""
    member = gzip.compress(b"\0" * (member_mb << 20), compresslevel=9)
    return member * members, members * (member_mb << 20)


def redirect(status: int, location: str) -> Route:
    def route(handler: FaultHandler) -> None:
        handler.reply(status, b"", {"Location": location})

    return route


def answer(value: Any) -> Route:
    def route(handler: FaultHandler) -> None:
        handler.json(value)

    return route
