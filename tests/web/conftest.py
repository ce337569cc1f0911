"""A test website served on 127.0.0.1 by a real HTTP server, and a fetcher allowed to
reach it (and nothing else private). Host names ending in ``.test`` resolve to it."""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ragsell.adapters.web import FetchLimits, GuardedFetcher

Handler = Callable[[BaseHTTPRequestHandler], None]
SMALL_LIMITS = FetchLimits(page_bytes=64 * 1024, sitemap_bytes=64 * 1024, total_seconds=3, idle_seconds=0.3)


def reply(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    *,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def page(html: str, *, etag: str | None = None, **options: object) -> Handler:
    """An HTML page; with ``etag``, answers 304 to a request that already has it."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        if etag is not None and handler.headers.get("If-None-Match") == etag:
            reply(handler, 304, content_type="", headers={"ETag": etag})
            return
        headers = {"ETag": etag} if etag is not None else {}
        reply(handler, body=html.encode(), headers=headers, **options)  # type: ignore[arg-type]

    return handle


def raw(status: int, body: bytes = b"", **options: object) -> Handler:
    return lambda handler: reply(handler, status, body, **options)  # type: ignore[arg-type]


def redirect(location: str, status: int = 301) -> Handler:
    return raw(status, content_type="", headers={"Location": location})


def article(title: str, text: str, *, head: str = "", links: tuple[str, ...] = ()) -> str:
    anchors = " ".join(f'<a href="{link}">{link}</a>' for link in links)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{head}</head><body>"
        f"<nav>{anchors}</nav><main><h1>{title}</h1><p>{text}</p></main>"
        "<footer>Copyright Example Inc. All rights reserved.</footer></body></html>"
    )


@dataclass
class LocalSite:
    port: int
    routes: dict[str, Handler] = field(default_factory=dict)
    # (path, headers, monotonic time) of every request, in arrival order.
    requests: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def url(self, path: str = "/", host: str = "site.test") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up on a slow page is expected here, not an error."""


@pytest.fixture
def site() -> Iterator[LocalSite]:
    state = LocalSite(port=0)

    class Handle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers), time.monotonic()))
            state.routes.get(self.path, raw(404, b"<h1>Not found</h1>"))(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handle)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


async def resolve_test_names(host: str, port: int) -> list[str]:
    if host.endswith(".test"):
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def fetcher() -> GuardedFetcher:
    return GuardedFetcher(
        user_agent="ragsell/test (+http://ragsell.test)",
        limits=SMALL_LIMITS,
        resolver=resolve_test_names,
        allow_loopback=True,
    )


class Listener:
    """A socket listening on an address that no fetch may ever connect to."""

    def __init__(self, host: str, port: int = 0) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]

    def saw_no_connection(self) -> bool:
        self.socket.settimeout(0.1)
        try:
            connection, _ = self.socket.accept()
        except TimeoutError:
            return True
        connection.close()
        return False


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener("127.0.0.1")
    yield listening
    listening.socket.close()
