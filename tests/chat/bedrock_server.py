"""A local HTTP server that speaks Bedrock Runtime's ConverseStream: JSON errors the
way AWS sends them, and answers framed as application/vnd.amazon.eventstream."""

import contextlib
import json
import re
import struct
import threading
import zlib
from collections.abc import Iterator

import msgspec

from tests.chat.local_server import Handler, running

_PATH = re.compile(r"^/model/(?P<model>[^/]+)/converse-stream$")
_EVENT_STREAM = "application/vnd.amazon.eventstream"


def event_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude (total length, headers length, prelude CRC32),
    string headers, payload, message CRC32; integers big-endian."""
    encoded = b""
    for name, value in headers.items():
        raw = value.encode()
        encoded += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(raw)) + raw
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(event_type: str, body: dict) -> bytes:
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return event_frame(headers, json.dumps(body).encode())


def exception(exception_type: str, message: str) -> bytes:
    headers = {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"}
    return event_frame(headers, json.dumps({"message": message}).encode())


def answer_events(
    pieces: list[str], *, stop_reason: str = "end_turn", usage: tuple[int, int] = (812, 41)
) -> list[bytes]:
    index = {"contentBlockIndex": 0}
    return [
        event("messageStart", {"role": "assistant"}),
        *(event("contentBlockDelta", {**index, "delta": {"text": piece}}) for piece in pieces),
        event("contentBlockStop", index),
        event("messageStop", {"stopReason": stop_reason}),
        event(
            "metadata",
            {
                "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
                "metrics": {"latencyMs": 120},
            },
        ),
    ]


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    error_type: str
    message: str = "scripted failure"


class Stall(msgspec.Struct, frozen=True, kw_only=True):
    """Sends ``events`` then nothing more, until the client hangs up."""

    events: list[bytes]


class FakeBedrock:
    """Answers ConverseStream; ``script`` is served in order (a Failure, a Stall or a
    list of event frames), then ``answer`` every time. ``requests`` keeps
    (model id, body) of every request; ``hung_up`` is set when a client left a stalled
    stream."""

    def __init__(self) -> None:
        self.answer: list[bytes] = answer_events(["Hello", ", world."])
        self.script: list[Failure | Stall | list[bytes]] = []
        self.requests: list[tuple[str, dict]] = []
        self.hung_up = threading.Event()
        self.released = threading.Event()
        self.endpoint_url = ""

    def next_reply(self, model: str, body: dict) -> Failure | Stall | list[bytes]:
        self.requests.append((model, body))
        return self.script.pop(0) if self.script else self.answer


@contextlib.contextmanager
def serving(fake: FakeBedrock) -> Iterator[FakeBedrock]:
    class BedrockHandler(Handler):
        def do_POST(self) -> None:
            match = _PATH.match(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if match is None:
                self.send_error(404)
                return
            reply = fake.next_reply(match["model"], body)
            with contextlib.suppress(ConnectionError):
                if isinstance(reply, Failure):
                    error = json.dumps({"message": reply.message}).encode()
                    error_type = {"x-amzn-ErrorType": f"{reply.error_type}:http://internal.amazon.com/coral/"}
                    self.send_body(reply.status, "application/json", error, error_type)
                elif isinstance(reply, Stall):
                    self.send_chunks(_EVENT_STREAM, reply.events, finished=False)
                    self.wait_for_hang_up(fake.hung_up, fake.released)
                else:
                    self.send_chunks(_EVENT_STREAM, reply, finished=True)

    with running(BedrockHandler, fake.released) as url:
        fake.endpoint_url = url
        yield fake
