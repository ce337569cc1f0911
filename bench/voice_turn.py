"""ragsell's own latency in a recorded voice turn: a ~1 s WAV recording goes up to
``POST /widget/v1/sites/KEY/conversations/ID/voice-turns``, and the clock stops at the
``transcript`` event, the first ``token``, the first ``speech`` and ``done``, with
Deepgram and Cartesia replaced by the local fakes of the tests, which answer instantly.

    apt-get install -y python3-doc
    .venv/bin/python -m bench.indexed_corpus        # once: chunk and sentence vectors
    .venv/bin/python -m bench.voice_turn            # 200 timed turns

The knowledge base is bench.first_byte's: a site connected through the dashboard API,
then 10,000 chunks of the Python documentation (FAQ pages first) written straight into
the embedded store, with sentence vectors for the default offline extractive answerer.
ragsell runs as ``taskset -c 0 ragsell serve`` (its store, a child process, on core 0
too) with RAGSELL_ANSWERS=extractive, RAGSELL_WORKER_IN_PROCESS=false, a plans file with
room for the run (voice seconds included), RAGSELL_DEEPGRAM_* and RAGSELL_CARTESIA_*
pointing at tests.fakes' FakeDeepgram and FakeCartesia, and
RAGSELL_VOICE_ALLOW_LOOPBACK=true. The site's owner turns voice on (PATCH voiceEnabled).

The fakes run in a process of their own (so that their work never holds this process's
GIL while it reads the answer), on the cores other than ragsell's, like this process.
FakeDeepgram hears each recording as the FAQ question asked next (one final Results per
4,000 bytes as the audio arrives, the rest and the Metadata after CloseStream, with the
recording's duration); FakeCartesia speaks each sentence at once, as
``--samples-per-character`` samples of a tone at 24 kHz (1,600: about 15 characters a
second, a real voice's pace; the fake's own default, 120, is 13 times less audio), in
base64 JSON messages as Cartesia's WebSocket sends them, 4,800 bytes (0.1 s) each (the
fake's chunk size).

One turn first (it builds the site's index; timed apart), ``--warmup`` turns (not
counted), then ``--turns`` timed ones, one at a time, on one kept-alive connection read
through a raw asyncio socket: the request's head and the whole recording in one write,
as a browser uploads a finished recording. The clock starts when the request is written
and each stage stops at the socket read that brings the end of that event. A fresh
visitor and conversation every 10 turns (the per-visitor limit is 12 voice turns a
minute); a run sending more than 550 turns is paced to stay under the site's 600
messages a minute. Each turn must end within ``--timeout`` seconds, and counts only if it
ends with ``done``, without an ``error`` event, its transcript is the question, and
FakeDeepgram heard it through the live stream (not sent again whole).

The fakes note (time.perf_counter, CLOCK_MONOTONIC: one clock for every process) when
Deepgram's stream was asked for and when it was over, when Cartesia's WebSocket was asked
for and when the first sentence came: with the events, they show where the time to the
first speech goes.

Besides the times: ragsell's and its store's CPU time per timed turn
(/proc/PID/task/*/schedstat), the share of the server core other programs took meanwhile
(/proc/stat), and the load average. ``--py-spy PATH`` profiles ragsell during the timed
turns (``--keep`` keeps the profile and the logs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from aiohttp import web
from tests.fakes.cartesia import FakeCartesia, tone
from tests.fakes.deepgram import FakeDeepgram

from bench.docs_corpus import load_chunks
from bench.first_byte import (
    ORIGIN,
    SITE_BUDGET,
    SIZE,
    answerable_questions,
    core_busy,
    cores,
    cpu_seconds,
    create_site,
    free_port,
    pages_that_fit,
    site_chunks,
    start_profiler,
    stop_profiler,
    write_chunks,
)
from bench.indexed_corpus import DEFAULT_CACHE, indexed_chunks
from bench.pinned_serve import child_pids, pinned_serve
from bench.raw_http import RawConnection
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
from ragsell.application.conversations.answering import RELEVANCE_THRESHOLD
from ragsell.domain.knowledge import Chunk

# Voice turns a visitor may take a minute (VOICE_TURNS_PER_VISITOR is 12).
PER_VISITOR = 10
RECORDING_RATE = 16_000
STAGES = ("transcript", "token", "speech", "done")
LABELS = {
    "transcript": "(a) transcript event",
    "token": "(b) first token event",
    "speech": "(c) first speech event",
    "done": "(d) done event",
}
# Where the time to the first speech goes: each mark, from the one before it.
MILESTONES = (
    (
        "deepgram-asked",
        "request written -> Deepgram stream asked for (conversation read, voice allowed, rate-limit hit, "
        "voice seconds left, first audio in, connection made)",
    ),
    ("deepgram-closed", "-> Deepgram stream over (audio sent, CloseStream, final Results, Metadata, close handshake)"),
    (
        "transcript",
        "-> transcript event read (the question through the typed message's path until its answer starts: "
        "conversation read again, message limits, quota reserved, question stored)",
    ),
    ("token", "-> first token event read (question embedded, retrieval, extractive answer)"),
    ("first-sentence", "-> first sentence at Cartesia (its WebSocket opened meanwhile)"),
    ("speech", "-> first speech event read (first audio chunk decoded, re-encoded, sent)"),
)
FAKES_MARKS = ("deepgram-asked", "deepgram-closed", "cartesia-asked", "first-sentence")
EVENT_LINE = re.compile(rb"(?:^|\n)event: (\w+)\r?\n")
EVENT_END = re.compile(rb"\r?\n\r?\n")
GOAL_SPEECH_P95_MS = 150.0


def plans(voice_seconds: int) -> dict:
    return {
        "default": "bench",
        "plans": [
            {
                "name": "bench",
                "sites": 1,
                "pages": 100_000,
                "conversations": 100_000,
                "messages": 100_000,
                "voice_seconds": voice_seconds,
            }
        ],
    }


def wav_recording(seconds: float) -> bytes:
    """``seconds`` of a 440 Hz tone as a 16 kHz mono WAV file, as a browser could upload it."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(RECORDING_RATE)
        audio.writeframes(tone(int(RECORDING_RATE * seconds), RECORDING_RATE))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# The instant providers, in a process of their own.


class TimedDeepgram(FakeDeepgram):
    """FakeDeepgram noting (perf_counter: CLOCK_MONOTONIC, one clock for every process)
    when a live stream was asked for and when it was over, its close handshake done."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, float] = {}

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        self.marks.setdefault("deepgram-asked", time.perf_counter())
        try:
            return await super()._stream(request)
        finally:
            self.marks.setdefault("deepgram-closed", time.perf_counter())


class TimedCartesia(FakeCartesia):
    """FakeCartesia noting when its WebSocket was asked for and when the first sentence came."""

    def __init__(self, *, samples_per_character: int) -> None:
        super().__init__(samples_per_character=samples_per_character)
        self.marks: dict[str, float] = {}

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        self.marks.setdefault("cartesia-asked", time.perf_counter())
        return await super()._websocket(request)

    async def _speak(self, connection: web.WebSocketResponse, body: dict[str, Any], sent: int) -> int:
        self.marks.setdefault("first-sentence", time.perf_counter())
        return await super()._speak(connection, body, sent)


def _serve_fakes(pipe: Connection, samples_per_character: int, duration: float) -> None:
    """Runs the timed fakes until told to stop (None): sends their addresses and keys,
    then takes ("hear", the next recording's transcript), and ("heard", None), answered
    with the kinds of the Deepgram requests since and both fakes' marks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops this process
    with TimedDeepgram() as deepgram, TimedCartesia(samples_per_character=samples_per_character) as cartesia:
        deepgram.duration = duration
        pipe.send(
            {
                "deepgram_url": deepgram.url,
                "deepgram_key": deepgram.api_key,
                "cartesia_url": cartesia.url,
                "cartesia_key": cartesia.api_key,
            }
        )
        while (command := pipe.recv()) is not None:
            action, transcript = command
            if action == "heard":
                pipe.send(([request.kind for request in deepgram.requests], {**deepgram.marks, **cartesia.marks}))
                continue
            deepgram.transcript = transcript
            for fake in (deepgram, cartesia):
                fake.requests.clear()
                fake.marks.clear()
            pipe.send(True)


class InstantProviders:
    """The timed fakes in a child process (spawned, so that it starts from a clean
    interpreter), on this process's cores."""

    def __init__(self, samples_per_character: int, duration: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve_fakes, args=(child, samples_per_character, duration), name="instant-providers", daemon=True
        )
        self.addresses: dict[str, str] = {}

    def __enter__(self) -> InstantProviders:
        self._process.start()
        if not self._pipe.poll(60):
            self._process.kill()
            raise RuntimeError("the fake providers did not start in 60 s")
        self.addresses = self._pipe.recv()
        return self

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(OSError):
            self._pipe.send(None)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(10)

    def _ask(self, command: tuple[str, str | None]) -> Any:
        self._pipe.send(command)
        if not self._pipe.poll(10):
            raise RuntimeError("the fake providers did not answer in 10 s")
        return self._pipe.recv()

    def hear_next(self, transcript: str) -> None:
        """What FakeDeepgram hears in the next recording."""
        self._ask(("hear", transcript))

    def heard(self) -> tuple[list[str], dict[str, float]]:
        """How the last recording was heard (["stream"], or ["stream", "listen"] when the
        live stream failed and it was sent again whole), and the fakes' marks."""
        return self._ask(("heard", None))


# ---------------------------------------------------------------------------------------
# ragsell serve, pinned, with voice.


def ragsell_serve(
    data_dir: Path, port: int, providers: dict[str, str], voice_seconds: int, core: int, nice: int
) -> contextlib.AbstractContextManager[subprocess.Popen]:
    settings = {
        "RAGSELL_ANSWERS": "extractive",
        "RAGSELL_DEEPGRAM_API_KEY": providers["deepgram_key"],
        "RAGSELL_DEEPGRAM_BASE_URL": providers["deepgram_url"],
        "RAGSELL_CARTESIA_API_KEY": providers["cartesia_key"],
        "RAGSELL_CARTESIA_BASE_URL": providers["cartesia_url"],
        "RAGSELL_VOICE_ALLOW_LOOPBACK": "true",
    }
    return pinned_serve(data_dir, port, settings=settings, plans=plans(voice_seconds), core=core, nice=nice)


# ---------------------------------------------------------------------------------------
# Voice turns on one kept-alive connection, timing every read (bench/raw_http.py).


@dataclass
class Turn:
    status: int
    body: bytes
    sent: float
    # When the end of each kind of event first arrived, by event name.
    events: dict[str, float]
    speech_events: int


async def take_turn(connection: RawConnection, path: str, visitor: str, recording: bytes) -> Turn:
    """One recorded turn, and when the end of each kind of event first arrived."""
    headers = {
        "origin": ORIGIN,
        "content-type": "audio/wav",
        "accept": "text/event-stream",
        "x-visitor-id": visitor,
        "x-client-message-id": str(uuid.uuid4()),
    }
    response = await connection.post(path, recording, headers)
    events: dict[str, float] = {}
    speech_events = 0
    # Litestar writes each event as one HTTP chunk: its lines are never cut by framing.
    for found in EVENT_LINE.finditer(response.received, response.head_end):
        name = found.group(1).decode()
        speech_events += name == "speech"
        if name in events:
            continue
        end = EVENT_END.search(response.received, found.end())
        last = end.end() if end else len(response.received)
        events[name] = response.arrived_by(last - 1)
    return Turn(response.status, response.body, response.sent, events, speech_events)


@dataclass
class Timings:
    # Milliseconds from the request written, by stage.
    stages: dict[str, list[float]] = field(default_factory=lambda: {stage: [] for stage in STAGES})
    # Milliseconds from one of MILESTONES to the next.
    steps: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name, _ in MILESTONES})
    # Milliseconds from the transcript event read to Cartesia's WebSocket asked for.
    cartesia_asked: list[float] = field(default_factory=list)
    speech_events: list[int] = field(default_factory=list)
    body_bytes: list[int] = field(default_factory=list)
    answer_characters: list[int] = field(default_factory=list)
    declined: int = 0
    errors: int = 0
    load: float = 0.0
    cpu_ms: float = 0.0
    store_cpu_ms: float = 0.0
    foreign: float = 0.0


def events_of(body: bytes, name: str) -> list[dict]:
    found = []
    for block in re.split(rb"\r?\n\r?\n", body):
        lines = block.decode().splitlines()
        if lines and lines[0] == f"event: {name}":
            found.append(json.loads(lines[1].removeprefix("data: ")))
    return found


def answer_text(body: bytes) -> str:
    return "".join(event["text"] for event in events_of(body, "token"))


def turn_transcript(body: bytes) -> str:
    return "".join(event["text"] for event in events_of(body, "transcript"))


async def converse(
    port: int,
    widget_key: str,
    providers: InstantProviders,
    questions: Sequence[str],
    count: int,
    interval: float,
    options: argparse.Namespace,
) -> Timings:
    timings = Timings()
    base = f"/widget/v1/sites/{widget_key}"
    recording = wav_recording(options.seconds)
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"origin": ORIGIN}, timeout=30) as starter,
        RawConnection("127.0.0.1", port, timeout=options.timeout, read_size=262_144) as connection,
    ):
        visitor = conversation = ""
        next_start = time.perf_counter()
        for number in range(count):
            if number % PER_VISITOR == 0:
                visitor = str(uuid.uuid4())
                started = await starter.post(f"{base}/conversations", json={"visitorId": visitor})
                if started.status_code != 201:
                    raise RuntimeError(f"starting a conversation: {started.status_code} {started.text[:300]}")
                conversation = started.json()["conversationId"]
            question = questions[number % len(questions)]
            await asyncio.to_thread(providers.hear_next, question)
            await asyncio.sleep(max(options.pause, next_start - time.perf_counter()))
            next_start = time.perf_counter() + interval
            path = f"{base}/conversations/{conversation}/voice-turns"
            async with asyncio.timeout(options.timeout):
                turn = await take_turn(connection, path, visitor, recording)
            heard, marks = await asyncio.to_thread(providers.heard)
            transcript = turn_transcript(turn.body)
            if (
                turn.status != 200
                or b"event: error" in turn.body
                or any(stage not in turn.events for stage in STAGES)
                or transcript != " ".join(question.split())
                or heard != ["stream"]
                or any(name not in marks for name in FAKES_MARKS)
            ):
                timings.errors += 1
                print(f"  turn {number}: heard as {heard}, {turn.status} {turn.body[:300]!r}", file=sys.stderr)
                continue
            timings.declined += b'"answered":false' in turn.body
            for stage in STAGES:
                timings.stages[stage].append((turn.events[stage] - turn.sent) * 1000)
            marks |= turn.events
            previous = turn.sent
            for name, _ in MILESTONES:
                timings.steps[name].append((marks[name] - previous) * 1000)
                previous = marks[name]
            timings.cartesia_asked.append((marks["cartesia-asked"] - marks["transcript"]) * 1000)
            timings.speech_events.append(turn.speech_events)
            timings.body_bytes.append(len(turn.body))
            timings.answer_characters.append(len(answer_text(turn.body)))
    return timings


def summary(values: Sequence[float]) -> str:
    if not values:
        return "- | - | - | -"
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"{p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | {max(values):.1f} ms"


# ---------------------------------------------------------------------------------------
# The run.


async def run(options: argparse.Namespace) -> None:
    # SIGTERM (or SIGINT) cancels the run, so that every process it started is stopped.
    main = asyncio.current_task()
    assert main is not None
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, main.cancel)
    if options.nice < 0:
        os.setpriority(os.PRIO_PROCESS, 0, options.nice)
    others = set(os.sched_getaffinity(0)) - {options.core}
    if others:
        os.sched_setaffinity(0, others)  # this process and the fakes stay off ragsell's core
    chunks = load_chunks()
    chosen = pages_that_fit(chunks, SIZE)
    embedder = OnnxMiniLMEmbedder(threads=1)
    try:
        indexed = await indexed_chunks(embedder, chunks, options.cache)
        indexed = [indexed[index] for index in chosen]
        site = site_chunks(indexed, SIZE, sentence_vectors=True)
        questions, asked = await answerable_questions(site, embedder)
    finally:
        embedder.close()
    print(
        f"{len(chosen):,} real chunks from whole pages, padded to {SIZE:,}; {len(questions)} of {asked} FAQ questions "
        f"score >= {RELEVANCE_THRESHOLD} and are heard in turn; ragsell on core {options.core}, this process and "
        f"the fake providers on {sorted(others)}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="ragsell-voice-turn-"))
    total = 1 + options.warmup + options.turns
    # Each turn is heard for the recording's length and spoken for a minute or two at most.
    voice_seconds = total * 600
    try:
        with (
            InstantProviders(options.samples_per_character, options.seconds) as providers,
            ragsell_serve(
                workdir / "data", free_port(), providers.addresses, voice_seconds, options.core, options.nice
            ) as server,
        ):
            port = int(server.args[server.args.index("--port") + 1])
            timings = await measure(port, server, providers, site, questions, options, workdir)
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    count = len(timings.stages["done"])
    print(
        f"\n{count} timed turns ({timings.declined} declined, {timings.errors} errors); load average "
        f"{timings.load:.2f}; other programs took {timings.foreign:.0%} of core {options.core}\n"
    )
    print("| from the request written to | p50 | p95 | p99 | max |\n| --- | --- | --- | --- | --- |")
    for stage in STAGES:
        print(f"| {LABELS[stage]} | {summary(timings.stages[stage])} |")
    gaps = {
        "transcript -> first token": ("transcript", "token"),
        "first token -> first speech": ("token", "speech"),
        "first speech -> done": ("speech", "done"),
    }
    print("\n| between stages | p50 | p95 | p99 | max |\n| --- | --- | --- | --- | --- |")
    for label, (start, end) in gaps.items():
        values = [b - a for a, b in zip(timings.stages[start], timings.stages[end], strict=True)]
        print(f"| {label} | {summary(values)} |")
    print("\n| where the time to the first speech goes | p50 | p95 | p99 | max |\n| --- | --- | --- | --- | --- |")
    for name, label in MILESTONES:
        print(f"| {label} | {summary(timings.steps[name])} |")
    print(f"| (beside: transcript event read -> Cartesia WebSocket asked for) | {summary(timings.cartesia_asked)} |")
    print(
        f"\nserver CPU a turn: {timings.cpu_ms:.1f} ms (of which store {timings.store_cpu_ms:.1f} ms); "
        f"answer {np.median(timings.answer_characters or [0]):.0f} characters and "
        f"{np.median(timings.speech_events or [0]):.0f} speech events a turn, "
        f"{np.median(timings.body_bytes or [0]) / 1e6:.2f} MB of events (median)"
    )
    p95 = float(np.percentile(timings.stages["speech"], 95)) if count else float("inf")
    verdict = "met" if p95 < GOAL_SPEECH_P95_MS else "not met"
    print(f"goal: first speech p95 under {GOAL_SPEECH_P95_MS:.0f} ms: {p95:.1f} ms, {verdict}")


async def measure(
    port: int,
    server: subprocess.Popen,
    providers: InstantProviders,
    site: list[Chunk],
    questions: list[str],
    options: argparse.Namespace,
    workdir: Path,
) -> Timings:
    base = f"http://127.0.0.1:{port}"
    site_id, widget_key = create_site(base, voiceEnabled=True)
    uri = (workdir / "data" / "mongo" / "serving.uri").read_text().strip()
    written = await write_chunks(uri, site_id, site)
    pinned = {pid: cores(pid) for pid in [server.pid, *child_pids(server.pid)]}
    print(f"{len(site):,} chunks written in {written:.1f} s; ragsell and its store on cores {pinned}")
    total = 1 + options.warmup + options.turns
    interval = 60 / SITE_BUDGET if total > SITE_BUDGET else 0.0
    started = time.perf_counter()
    first = await converse(port, widget_key, providers, questions, 1, 0.0, options)
    if first.errors:
        raise RuntimeError("the first voice turn failed; see above")
    print(f"first turn (builds the site's index): {time.perf_counter() - started:.1f} s")
    await converse(port, widget_key, providers, questions[1:], options.warmup, interval, options)
    load = os.getloadavg()[0]
    store = child_pids(server.pid)
    before, store_before = cpu_seconds([server.pid, *store]), cpu_seconds(store)
    core_before, clock_before = core_busy(options.core), time.perf_counter()
    profiler = start_profiler(options, server.pid, workdir, "voice-turn")
    try:
        timings = await converse(port, widget_key, providers, questions, options.turns, interval, options)
    finally:
        stop_profiler(profiler)
    after, store_after = cpu_seconds([server.pid, *store]), cpu_seconds(store)
    core_after, clock_after = core_busy(options.core), time.perf_counter()
    count = max(len(timings.stages["done"]), 1)
    timings.load = (load + os.getloadavg()[0]) / 2
    timings.cpu_ms = (after - before) / count * 1000
    timings.store_cpu_ms = (store_after - store_before) / count * 1000
    timings.foreign = max(0.0, core_after - core_before - (after - before)) / (clock_after - clock_before)
    print(
        f"load average {load:.2f} before the timed turns, {os.getloadavg()[0]:.2f} after"
        + (f"; paced at one turn every {interval * 1000:.0f} ms" if interval else "")
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200, help="timed voice turns")
    parser.add_argument("--warmup", type=int, default=20, help="untimed turns first")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of the WAV recording")
    parser.add_argument(
        "--samples-per-character", type=int, default=1_600, help="speech FakeCartesia sends per character (24 kHz)"
    )
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between one turn's end and the next")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a turn may take at most")
    parser.add_argument("--core", type=int, default=0, help="the core ragsell serve is pinned to")
    parser.add_argument("--nice", type=int, default=0, help="niceness of ragsell, its store and this process")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vector cache (bench.indexed_corpus)")
    parser.add_argument("--py-spy", help="path of py-spy: profile ragsell during the timed turns")
    parser.add_argument("--idle", action="store_true", help="with --py-spy: sample idle threads too")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, profiles)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
