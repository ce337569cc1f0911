"""A local HTTP server that speaks OpenAI's embeddings API (POST /v1/embeddings), with
scripted failures in front of its answers."""

import base64
import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import msgspec
import numpy as np


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    status: int = 500
    headers: dict[str, str] = {}
    # Seconds to wait before answering (past the client's time-out, to test it).
    delay: float = 0.0


def vector_for(text: str, dimensions: int) -> np.ndarray:
    """A deterministic vector per text, not normalised (the client must do it)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).normal(size=dimensions).astype("<f4") * 3


class FakeOpenAI:
    """Answers like OpenAI; ``failures`` are served, in order, before any answer.
    ``requests`` keeps every request body received."""

    def __init__(self, *, native_dimensions: int = 1536) -> None:
        self.native_dimensions = native_dimensions
        self.failures: list[Failure] = []
        self.requests: list[dict] = []
        self.base_url = ""

    def answer(self, body: dict) -> tuple[int, dict[str, str], dict, float]:
        self.requests.append(body)
        if self.failures:
            failure = self.failures.pop(0)
            error = {"error": {"message": "scripted failure", "type": "server_error", "param": None, "code": None}}
            return failure.status, failure.headers, error, failure.delay
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        if any(not text for text in inputs):
            return 400, {}, {"error": {"message": "'$.input' is invalid.", "type": "invalid_request_error"}}, 0.0
        dimensions = body.get("dimensions", self.native_dimensions)
        data = []
        for index, text in enumerate(inputs):
            vector = vector_for(text, dimensions)
            if body.get("encoding_format", "float") == "base64":
                embedding: object = base64.b64encode(vector.tobytes()).decode()
            else:
                embedding = [float(value) for value in vector]
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(len(text.split()) for text in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return 200, {}, {"object": "list", "data": data, "model": body["model"], "usage": usage}, 0.0


@contextlib.contextmanager
def serving(fake: FakeOpenAI) -> Iterator[FakeOpenAI]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/v1/embeddings":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, headers, payload, delay = fake.answer(body)
            time.sleep(delay)
            encoded = json.dumps(payload).encode()
            with contextlib.suppress(ConnectionError):  # a client that timed out has gone
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
