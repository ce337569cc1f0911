"""Server overhead to the first streamed byte of an answer (issue 5): a widget message
goes in, and the clock stops when the first ``event: token`` line comes back out, with the
language model replaced by a local OpenAI-compatible server that answers instantly.

    apt-get install -y python3-doc
    .venv/bin/python -m bench.indexed_corpus        # once: chunk and sentence vectors
    .venv/bin/python -m bench.first_byte            # both answerers, 300 messages each

For each answerer (``--answers``; ``openai`` against the instant server, ``extractive``
for reference) it runs ``taskset -c 0 ragsell serve`` (so the embedded store it starts is
on core 0 too) with a fresh data directory, a plans file with room for the run, and
RAGSELL_WORKER_IN_PROCESS=false. It signs up, connects a site through the dashboard API
and writes 10,000 chunks for it straight into the store with ``MongoChunkRepository``
(one ``replace_source`` a page, at the address ragsell leaves in DATA/mongo/serving.uri):
the Python documentation's chunks (FAQ pages first, then whole pages in order while they
fit), padded with random unit vectors to 10,000. Chunks carry sentence vectors only under
the extractive answerer, as indexing does.

Then it sends one message (it builds the site's index; timed apart), ``--warmup``
messages (not counted) and ``--messages`` timed ones, one at a time, on one kept-alive
connection read through a raw asyncio socket; the clock starts when the request is
written and stops at the read that brings the first ``event: token`` line. Each
conversation takes 20 messages from a fresh visitor id (the per-visitor limit is 20 a
minute); the per-site limit of 600 a minute is respected by pacing at one message every
60/550 s whenever a run sends more than 550 messages. The questions are the FAQ
questions whose best passage scores at or above the relevance threshold, in turn. Last,
``--changes`` times: one page's chunks are written again (the site's knowledge version
moves on, as during a crawl) and one message is timed.

Besides the times: ragsell's and its store's CPU time per timed message
(/proc/PID/task/*/schedstat), and the share of the server core other programs took
meanwhile (/proc/stat), as the machine may be shared. ``--nice -20`` (root) raises the priority of ragsell, its
store and this process, their sessions' too. ``--trace`` runs ragsell under
bench.traced_serve and prints where the time to the first token goes; ``--py-spy PATH``
profiles ragsell during the timed messages (``--keep`` keeps the profile). This process
and the instant model server run on the cores other than ``--core``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import httpx
import msgspec
import numpy as np

from bench.docs_corpus import PageChunk, faq_questions, load_chunks
from bench.indexed_corpus import DEFAULT_CACHE, indexed_chunks
from bench.pinned_serve import child_pids, pinned_serve
from bench.raw_http import RawConnection, RawResponse
from bench.retrieval import SITE, StaticChunks, padded_corpus
from ragsell.adapters.local.numpy_retriever import NumpyRetriever
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
from ragsell.adapters.mongo.chunks import MongoChunkRepository
from ragsell.adapters.mongo.client import connect
from ragsell.application.conversations.answering import RELEVANCE_THRESHOLD
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource

SIZE = 10_000
PER_CONVERSATION = 20
# Messages a minute a site may receive (MESSAGES_PER_SITE is 600): above this many
# messages in a run, requests are paced to stay under it.
SITE_BUDGET = 550
SITE_URL = "https://docs.python.org"
ORIGIN = SITE_URL
ANSWER = (
    "The documentation covers this in the section linked below: it explains what happens, "
    "why Python behaves that way, and what to write instead, with a short example."
)
TOKEN_LINE = re.compile(rb"(?:^|\n)event: token\r?\n")
PLANS = {
    "default": "bench",
    "plans": [
        {
            "name": "bench",
            "sites": 1,
            "pages": 100_000,
            "conversations": 100_000,
            "messages": 100_000,
            "voice_seconds": 0,
        }
    ],
}


# ---------------------------------------------------------------------------------------
# The instant language model: OpenAI chat completions, stream=true, answered at once.


def _sse(payload: object) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def _http_chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class InstantChatServer:
    """Streams ``ANSWER`` word by word the moment a request's body is in: a role chunk,
    one content chunk a word, the finish chunk, a usage chunk, ``[DONE]``; one HTTP chunk
    each, all in one write, on kept-alive connections. Runs its own event loop in a thread;
    ``arrivals`` holds the perf_counter time at which each request body was complete."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.prompt_characters: list[int] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> InstantChatServer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
                body = json.loads(await reader.readexactly(length))
                self.arrivals.append(time.perf_counter())
                self.prompt_characters.append(sum(len(message["content"]) for message in body["messages"]))
                writer.write(self._reply(body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _reply(body: dict) -> bytes:
        def chunk(delta: dict, finish: str | None = None) -> dict:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": body["model"],
                "choices": [choice],
            }

        words = ANSWER.split(" ")
        events = [_sse(chunk({"role": "assistant", "content": ""}))]
        events += [_sse(chunk({"content": word if i == 0 else f" {word}"})) for i, word in enumerate(words)]
        events.append(_sse(chunk({}, "stop")))
        if body.get("stream_options", {}).get("include_usage"):
            usage = {"prompt_tokens": 800, "completion_tokens": len(words), "total_tokens": 800 + len(words)}
            events.append(_sse({**chunk({}), "choices": [], "usage": usage}))
        events.append(_sse("[DONE]"))
        head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        return head + b"".join(_http_chunk(event) for event in events) + b"0\r\n\r\n"


# ---------------------------------------------------------------------------------------
# Widget requests through the raw client, and when the first token arrived.

JSON_REQUEST = {"origin": ORIGIN, "content-type": "application/json", "accept": "text/event-stream, application/json"}


async def post_json(connection: RawConnection, path: str, payload: object) -> RawResponse:
    return await connection.post(path, json.dumps(payload).encode(), JSON_REQUEST)


def token_arrival(response: RawResponse) -> float | None:
    """When the first ``event: token`` line had arrived; None without one."""
    found = TOKEN_LINE.search(response.received, response.head_end)
    return None if found is None else response.arrived_by(found.end() - 1)


# ---------------------------------------------------------------------------------------
# The knowledge base: 10,000 chunks, and the questions it answers.


def pages_that_fit(chunks: list[PageChunk], size: int) -> list[int]:
    """Indexes of whole pages' chunks, FAQ pages first, then the others in order, while
    they fit in ``size``."""
    pages: dict[str, list[int]] = {}
    for index, chunk in enumerate(chunks):
        pages.setdefault(chunk.url, []).append(index)
    ordered = sorted(pages, key=lambda url: "/faq/" not in url)
    chosen: list[int] = []
    for url in ordered:
        if len(chosen) + len(pages[url]) <= size:
            chosen += pages[url]
    return chosen


def site_chunks(indexed: list[Chunk], size: int, *, sentence_vectors: bool) -> list[Chunk]:
    """``size`` chunks of the bench SITE: whole pages, then random unit vectors."""
    chunks = [
        chunk if sentence_vectors else msgspec.structs.replace(chunk, sentence_vectors=b"") for chunk in indexed[:size]
    ]
    dimensions = len(chunks[0].vector) // 4
    return padded_corpus(chunks, size, dimensions)


async def answerable_questions(chunks: list[Chunk], embedder: OnnxMiniLMEmbedder) -> tuple[list[str], int]:
    retriever = NumpyRetriever(StaticChunks(chunks), embedder)
    questions = [question.text for question in faq_questions()]
    kept = [q for q in questions if (await retriever.search(SITE, q, limit=1))[0].score >= RELEVANCE_THRESHOLD]
    return kept, len(questions)


async def write_chunks(uri: str, site_id: SiteId, chunks: list[Chunk]) -> float:
    client, db = await connect(uri, "ragsell")
    try:
        repository = MongoChunkRepository(db)
        started = time.perf_counter()
        site_owned = [msgspec.structs.replace(chunk, site_id=site_id) for chunk in chunks]
        for source_key, group in groupby(site_owned, key=lambda chunk: chunk.source_key):
            await repository.replace_source(site_id, ChunkSource.PAGE, source_key, list(group))
        return time.perf_counter() - started
    finally:
        await client.close()


# ---------------------------------------------------------------------------------------
# ragsell serve, pinned.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ragsell_serve(
    data_dir: Path, port: int, answers: str, model_url: str, core: int, nice: int, trace: Path | None
) -> contextlib.AbstractContextManager[subprocess.Popen]:
    settings = {"RAGSELL_ANSWERS": answers, "OPENAI_API_KEY": "test", "OPENAI_BASE_URL": model_url}
    return pinned_serve(
        data_dir, port, settings=settings, plans=PLANS, core=core, nice=nice, trace=trace, log_name=f"ragsell-{answers}"
    )


def create_site(base: str, **settings: object) -> tuple[SiteId, str]:
    """Sign up, connect the site (with ``settings``, as the dashboard API names them);
    its id and widget key."""
    with httpx.Client(base_url=base, timeout=30) as client:
        account = {
            "name": "Bench",
            "email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse battery staple",
            "confirmsMinimumAge": True,
        }
        signed_up = client.post("/api/accounts", json=account)
        signed_up.raise_for_status()
        csrf = {"x-csrf-token": signed_up.json()["csrfToken"]}
        site = client.post("/api/sites", json={"name": "Python docs", "url": SITE_URL}, headers=csrf)
        site.raise_for_status()
        if settings:
            client.patch(f"/api/sites/{site.json()['id']}", json=settings, headers=csrf).raise_for_status()
        return SiteId(site.json()["id"]), site.json()["widgetKey"]


# ---------------------------------------------------------------------------------------
# The run.


@dataclass
class Timings:
    first_token: list[float] = field(default_factory=list)
    first_byte: list[float] = field(default_factory=list)
    to_model: list[float] = field(default_factory=list)
    model_to_token: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    # perf_counter times of each timed message: sent, first token line read.
    windows: list[tuple[float, float]] = field(default_factory=list)
    declined: int = 0
    errors: int = 0
    load: float = 0.0
    # Per timed message, ragsell and its store together: milliseconds on a core, and
    # milliseconds ready to run but waiting for one (other programs on the core).
    cpu_ms: float = 0.0
    store_cpu_ms: float = 0.0
    # Share of the server core's time that other programs took during the timed messages.
    foreign: float = 0.0
    # First token of a message sent right after one page of the site was replaced.
    after_change: list[float] = field(default_factory=list)


async def converse(
    port: int, widget_key: str, questions: Sequence[str], count: int, interval: float, model: InstantChatServer | None
) -> Timings:
    timings = Timings()
    base = f"/widget/v1/sites/{widget_key}"
    async with RawConnection("127.0.0.1", port, timeout=600) as connection:
        visitor = conversation = ""
        next_start = time.perf_counter()
        for number in range(count):
            if number % PER_CONVERSATION == 0:
                visitor = str(uuid.uuid4())
                started = await post_json(connection, f"{base}/conversations", {"visitorId": visitor})
                if started.status != 201:
                    raise RuntimeError(f"starting a conversation: {started.status} {started.body[:300]!r}")
                conversation = json.loads(started.body)["conversationId"]
            await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
            next_start = time.perf_counter() + interval
            message = {
                "visitorId": visitor,
                "clientMessageId": str(uuid.uuid4()),
                "text": questions[number % len(questions)],
            }
            arrivals_before = len(model.arrivals) if model else 0
            exchange = await post_json(connection, f"{base}/conversations/{conversation}/messages", message)
            token = token_arrival(exchange)
            if exchange.status != 200 or token is None or b"event: error" in exchange.body:
                timings.errors += 1
                print(f"  message {number}: {exchange.status} {exchange.body[:300]!r}", file=sys.stderr)
                continue
            timings.declined += b'"answered":false' in exchange.body
            timings.first_token.append((token - exchange.sent) * 1000)
            timings.first_byte.append((exchange.first_byte - exchange.sent) * 1000)
            timings.whole.append((exchange.end - exchange.sent) * 1000)
            timings.windows.append((exchange.sent, token))
            if model and len(model.arrivals) > arrivals_before:
                arrival = model.arrivals[arrivals_before]
                timings.to_model.append((arrival - exchange.sent) * 1000)
                timings.model_to_token.append((token - arrival) * 1000)
    return timings


def percentiles(values: Sequence[float]) -> str:
    if not values:
        return "- | -"
    p50, p95 = np.percentile(values, [50, 95])
    return f"{p50:.1f} ms | {p95:.1f} ms"


async def run_one(
    answers: str, round_: int, indexed: list[Chunk], questions: list[str], options: argparse.Namespace, workdir: Path
) -> Timings:
    name = f"{answers}-{round_}"
    data_dir = workdir / f"data-{name}"
    port = free_port()
    chunks = site_chunks(indexed, SIZE, sentence_vectors=answers == "extractive")
    trace = workdir / f"trace-{name}.jsonl" if options.trace else None
    with (
        InstantChatServer() as model,
        ragsell_serve(data_dir, port, answers, model.base_url, options.core, options.nice, trace) as server,
    ):
        base = f"http://127.0.0.1:{port}"
        site_id, widget_key = create_site(base)
        uri = (data_dir / "mongo" / "serving.uri").read_text().strip()
        written = await write_chunks(uri, site_id, chunks)
        pinned = {pid: cores(pid) for pid in [server.pid, *child_pids(server.pid)]}
        print(f"[{name}] {len(chunks):,} chunks written in {written:.1f} s; ragsell and its store on cores {pinned}")
        started = time.perf_counter()
        await converse(port, widget_key, questions, 1, 0.0, None)
        print(f"[{name}] first message (builds the site's index): {time.perf_counter() - started:.1f} s")
        total = 1 + options.warmup + options.messages + options.changes
        interval = 60 / SITE_BUDGET if total > SITE_BUDGET else 0.0
        await converse(port, widget_key, questions, options.warmup, interval, None)
        load = os.getloadavg()[0]
        store = child_pids(server.pid)
        before, store_before = cpu_seconds([server.pid, *store]), cpu_seconds(store)
        core_before, clock_before = core_busy(options.core), time.perf_counter()
        profiler = start_profiler(options, server.pid, workdir, name)
        try:
            timings = await converse(port, widget_key, questions, options.messages, interval, model)
        finally:
            stop_profiler(profiler)
        after, store_after = cpu_seconds([server.pid, *store]), cpu_seconds(store)
        core_after, clock_after = core_busy(options.core), time.perf_counter()
        count = max(len(timings.first_token), 1)
        timings.load = (load + os.getloadavg()[0]) / 2
        timings.cpu_ms = (after - before) / count * 1000
        timings.store_cpu_ms = (store_after - store_before) / count * 1000
        ours = after - before
        timings.foreign = max(0.0, core_after - core_before - ours) / (clock_after - clock_before)
        print(
            f"[{name}] {len(timings.first_token)} timed messages, {timings.declined} declined, "
            f"{timings.errors} errors; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after"
            + (f"; paced at one message every {interval * 1000:.0f} ms" if interval else "")
        )
        if model.prompt_characters:
            print(f"[{name}] prompt sent to the model: {np.median(model.prompt_characters):.0f} characters (median)")
        page = [chunk for chunk in chunks if chunk.source_key == chunks[0].source_key]
        for number in range(options.changes):
            await write_chunks(uri, site_id, page)  # the site's knowledge version moves on
            changed = await converse(port, widget_key, questions[number:], 1, interval, None)
            timings.after_change += changed.first_token
    if not options.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    if trace is not None:
        print_trace(name, trace, timings.windows)
    return timings


def cpu_seconds(pids: Sequence[int]) -> float:
    """Seconds the processes' threads have run so far (/proc/PID/task/*/schedstat)."""
    ran = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError):
                ran += int((task / "schedstat").read_text().split()[0])
    return ran / 1e9


def core_busy(core: int) -> float:
    """Seconds the core has spent busy since boot (/proc/stat: all but idle and iowait)."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name == f"cpu{core}":
            ticks = [int(field) for field in fields]
            return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    raise RuntimeError(f"no cpu{core} in /proc/stat")


def cores(pid: int) -> str:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                return line.split(":", 1)[1].strip()
    return "?"


# ---------------------------------------------------------------------------------------
# Where the time goes (--trace): bench.traced_serve's timestamps inside each message.

MILESTONES = (
    ("request-in", "client sent -> request in the app (socket, uvicorn)"),
    ("response-start", "-> response headers (site, conversation, limits, quota, question stored)"),
    ("search-start", "-> retrieval starts"),
    ("search-end", "-> retrieval done (question embedding, version read, ranking)"),
    ("model-called", "-> model called (history read, prompt)"),
    ("model-first-piece", "-> first piece from the model"),
    ("first-body", "-> first token event handed to uvicorn (sanitizer, SSE encoding)"),
    ("client-token", "-> first token line read by the client"),
)


def print_trace(answers: str, path: Path, windows: list[tuple[float, float]]) -> None:
    events = [json.loads(line) for line in path.read_text().splitlines()]
    steps: dict[str, list[float]] = {name: [] for name, _ in MILESTONES}
    store_ms: dict[str, list[float]] = {"before headers": [], "in retrieval": [], "after retrieval": [], "all": []}
    store_count: list[int] = []
    embed_ms: list[float] = []
    commands: dict[str, int] = {}
    for sent, token in windows:
        inside = [event for event in events if sent <= event[0] <= token]
        first = {name: when for when, name, _ in reversed(inside)}
        first["client-token"] = token
        if any(name not in first for name, _ in MILESTONES):
            continue
        previous = sent
        for name, _ in MILESTONES:
            steps[name].append((first[name] - previous) * 1000)
            previous = first[name]
        opened: dict[int, tuple[float, str]] = {}
        spans: list[tuple[float, float, str]] = []
        for when, name, detail in inside:
            if name == "store-start":
                opened[detail[1]] = (when, detail[0])
            elif name == "store-end" and detail[1] in opened:
                start, command = opened.pop(detail[1])
                spans.append((start, when, command))
        store_count.append(len(spans))
        for _, _, command in spans:
            commands[command] = commands.get(command, 0) + 1

        def total(low: float, high: float, spans: list[tuple[float, float, str]] = spans) -> float:
            return sum(end - start for start, end, _ in spans if low <= start < high) * 1000

        store_ms["before headers"].append(total(sent, first["response-start"]))
        store_ms["in retrieval"].append(total(first["search-start"], first["search-end"]))
        store_ms["after retrieval"].append(total(first["search-end"], token))
        store_ms["all"].append(total(sent, token))
        starts = [when for when, name, _ in inside if name == "embed-start"]
        ends = [when for when, name, _ in inside if name == "embed-end"]
        embed_ms.append(sum(end - start for start, end in zip(starts, ends, strict=False)) * 1000)
    count = len(store_count)
    print(f"\n[{answers}] where the time to the first token goes ({count} traced messages)\n")
    print("| step | p50 | p95 |\n| --- | --- | --- |")
    for name, label in MILESTONES:
        print(f"| {label} | {percentiles(steps[name])} |")
    print(f"| sum of the steps' medians | {sum(np.median(steps[name]) for name, _ in MILESTONES):.1f} ms | |")
    print("\n| inside those steps | p50 | p95 |\n| --- | --- | --- |")
    for label, values in store_ms.items():
        print(f"| store commands' time, {label} | {percentiles(values)} |")
    print(f"| question embedding (all embed calls) | {percentiles(embed_ms)} |")
    per_message = ", ".join(f"{name} {number / max(count, 1):.1f}" for name, number in sorted(commands.items()))
    print(f"\nstore commands per message before the first token: {np.median(store_count):.0f} ({per_message})")


def start_profiler(options: argparse.Namespace, pid: int, workdir: Path, answers: str) -> subprocess.Popen | None:
    if not options.py_spy:
        return None
    output = workdir / f"profile-{answers}.txt"
    print(f"[{answers}] profiling with py-spy into {output}")
    command = [options.py_spy, "record", "--pid", str(pid), "--rate", "250", "--nonblocking", "--format", "raw"]
    command += ["--output", str(output)]
    return subprocess.Popen([*command, *(["--idle"] if options.idle else [])], stdout=subprocess.DEVNULL)


def stop_profiler(profiler: subprocess.Popen | None) -> None:
    if profiler is None:
        return
    profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
    try:
        profiler.wait(60)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait(10)


async def run(options: argparse.Namespace) -> None:
    # SIGTERM (or SIGINT) cancels the run, so that every process it started is stopped.
    main = asyncio.current_task()
    assert main is not None
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, main.cancel)
    if options.nice < 0:
        os.setpriority(os.PRIO_PROCESS, 0, options.nice)  # the client and the instant model, too
    others = set(os.sched_getaffinity(0)) - {options.core}
    if others:
        os.sched_setaffinity(0, others)  # the client and the instant model stay off ragsell's core
    chunks = load_chunks()
    chosen = pages_that_fit(chunks, SIZE)
    embedder = OnnxMiniLMEmbedder(threads=1)
    try:
        indexed = await indexed_chunks(embedder, chunks, options.cache)
        indexed = [indexed[index] for index in chosen]
        questions, asked = await answerable_questions(site_chunks(indexed, SIZE, sentence_vectors=False), embedder)
    finally:
        embedder.close()
    print(
        f"{len(chosen):,} real chunks from whole pages, padded to {SIZE:,}; {len(questions)} of {asked} FAQ questions "
        f"score >= {RELEVANCE_THRESHOLD} and are asked in turn; "
        f"ragsell on core {options.core}, this process on {sorted(others)}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="ragsell-first-byte-"))
    results: list[tuple[str, int, Timings]] = []
    try:
        for round_ in range(1, options.rounds + 1):
            for answers in options.answers:
                timings = await run_one(answers, round_, indexed, questions, options, workdir)
                results.append((answers, round_, timings))
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        "\n| answers | round | load average | first token p50 | p95 | response headers p50 | p95 "
        "| whole answer p50 | p95 | server CPU a message | of which store | other programs on the core |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for answers, round_, timings in results:
        print(
            f"| {answers} | {round_} | {timings.load:.1f} | {percentiles(timings.first_token)} | "
            f"{percentiles(timings.first_byte)} | {percentiles(timings.whole)} | {timings.cpu_ms:.1f} ms | "
            f"{timings.store_cpu_ms:.1f} ms | {timings.foreign:.0%} |"
        )
    if options.changes:
        print(f"\n| answers | round | first token after one page changed ({options.changes} times) |")
        print("| --- | --- | --- |")
        for answers, round_, timings in results:
            values = ", ".join(f"{value / 1000:.2f}" for value in timings.after_change)
            print(f"| {answers} | {round_} | {values} s |")
    phases = [(round_, timings) for answers, round_, timings in results if answers == "openai" and timings.to_model]
    if phases:
        print("\n| openai: phase | round | p50 | p95 |\n| --- | --- | --- | --- |")
        for round_, timings in phases:
            print(
                f"| request sent -> chat completion request at the model | {round_} | {percentiles(timings.to_model)} |"
            )
            print(f"| model request in -> first token line out | {round_} | {percentiles(timings.model_to_token)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300, help="timed messages per answerer")
    parser.add_argument("--warmup", type=int, default=20, help="untimed messages first")
    parser.add_argument("--answers", nargs="+", default=["openai", "extractive"], choices=["openai", "extractive"])
    parser.add_argument("--changes", type=int, default=3, help="messages timed right after a page changed")
    parser.add_argument("--rounds", type=int, default=1, help="run every answerer this many times, in turn")
    parser.add_argument("--core", type=int, default=0, help="the core ragsell serve is pinned to")
    parser.add_argument("--nice", type=int, default=0, help="niceness of ragsell, its store and this process")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vector cache (bench.indexed_corpus)")
    parser.add_argument("--py-spy", help="path of py-spy: profile ragsell during the timed messages")
    parser.add_argument("--idle", action="store_true", help="with --py-spy: sample idle threads too")
    parser.add_argument("--trace", action="store_true", help="run ragsell under bench.traced_serve: time its steps")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, profiles)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
