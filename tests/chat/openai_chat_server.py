"""A local HTTP server that speaks OpenAI's chat completions with ``stream: true``:
Server-Sent Events of chat.completion.chunk objects, a usage chunk when asked for,
then ``data: [DONE]``."""

import contextlib
import json
import threading
from collections.abc import Iterator

import msgspec

from tests.chat.local_server import Handler, running


def chunk(model: str, *, content: str | None = None, finish_reason: str | None = None) -> dict:
    delta = {} if content is None else {"content": content}
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": [choice]}


def sse(payload: dict | str) -> bytes:
    return f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n".encode()


def answer_chunks(
    body: dict, pieces: list[str], *, finish_reason: str = "stop", usage: tuple[int, int] = (640, 33)
) -> list[bytes]:
    model = body["model"]
    chunks = [sse({**chunk(model, content=""), "choices": [{"index": 0, "delta": {"role": "assistant"}}]})]
    chunks += [sse(chunk(model, content=piece)) for piece in pieces]
    chunks.append(sse(chunk(model, finish_reason=finish_reason)))
    if body.get("stream_options", {}).get("include_usage"):
        counts = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
        chunks.append(sse({**chunk(model), "choices": [], "usage": counts}))
    return [*chunks, sse("[DONE]")]


# Asks the SDK to retry after 10 ms rather than after its own backoff, to keep tests quick.
QUICK_RETRY = {"retry-after-ms": "10"}


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    status: int


class Stall(msgspec.Struct, frozen=True, kw_only=True):
    """Sends the first ``pieces`` of the answer, then nothing more until the client leaves."""

    pieces: list[str]


class FakeOpenAIChat:
    """Answers chat completions; ``script`` is served in order (a Failure, a Stall, or
    raw SSE chunks), then an answer made of ``pieces`` that ends with ``finish_reason``
    and, when asked for, ``usage``. ``requests`` keeps every body."""

    def __init__(self) -> None:
        self.pieces = ["Hello", ", world."]
        self.finish_reason = "stop"
        self.usage = (640, 33)
        self.script: list[Failure | Stall | list[bytes]] = []
        self.requests: list[dict] = []
        self.hung_up = threading.Event()
        self.released = threading.Event()
        self.base_url = ""

    def next_reply(self, body: dict) -> Failure | Stall | list[bytes]:
        self.requests.append(body)
        if self.script:
            return self.script.pop(0)
        return answer_chunks(body, self.pieces, finish_reason=self.finish_reason, usage=self.usage)


@contextlib.contextmanager
def serving(fake: FakeOpenAIChat) -> Iterator[FakeOpenAIChat]:
    class OpenAIHandler(Handler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            reply = fake.next_reply(body)
            with contextlib.suppress(ConnectionError):
                if isinstance(reply, Failure):
                    error = {"error": {"message": "scripted failure", "type": "server_error", "code": None}}
                    self.send_body(reply.status, "application/json", json.dumps(error).encode(), QUICK_RETRY)
                elif isinstance(reply, Stall):
                    self.send_chunks(
                        "text/event-stream", answer_chunks(body, reply.pieces)[: 1 + len(reply.pieces)], finished=False
                    )
                    self.wait_for_hang_up(fake.hung_up, fake.released)
                else:
                    self.send_chunks("text/event-stream", reply, finished=True)

    with running(OpenAIHandler, fake.released) as url:
        fake.base_url = f"{url}/v1"
        yield fake
