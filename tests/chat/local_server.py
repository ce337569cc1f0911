"""What the local provider servers share: a threaded HTTP server on 127.0.0.1, chunked
streaming, and noticing that a client left a stream it had stopped reading."""

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_chunks(self, content_type: str, chunks: list[bytes], *, finished: bool) -> None:
        """A 200 answer sent as one HTTP chunk per piece, as a model's pieces trickle in;
        without its last chunk unless ``finished``."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        if finished:
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.close_connection = True

    def send_body(self, status: int, content_type: str, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def wait_for_hang_up(self, hung_up: threading.Event, released: threading.Event) -> None:
        """Sends nothing more; sets ``hung_up`` when the client closes its end."""
        connection: socket.socket = self.connection
        while not released.is_set():
            readable, _, _ = select.select([connection], [], [], 0.02)
            if not readable:
                continue
            try:
                if connection.recv(1, socket.MSG_PEEK):
                    continue
            except ConnectionError:
                pass
            hung_up.set()
            return

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def running(handler: type[Handler], released: threading.Event) -> Iterator[str]:
    """Serves on a free port of 127.0.0.1, yielding its base URL; ``released`` is set on
    the way out so that stalled answers end."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        released.set()
        server.shutdown()
        server.server_close()
        thread.join()
