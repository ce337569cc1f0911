"""``ragsell voice-agent`` as an operator runs it: a real process. Without the voice
settings it says which to set; with them it registers with LiveKit for explicit dispatch
(here a local endpoint that records the registration) and stops on SIGTERM."""

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
from aiohttp import web
from livekit.protocol import agent

from ragsell.domain.voice import VOICE_AGENT_NAME
from ragsell.entrypoints.settings import PROVIDER_VARIABLES

RAGSELL = Path(sys.executable).parent / "ragsell"
API_KEY = "agent-test-key"
API_SECRET = "agent-test-secret-0123456789abcdef"
CALL_SETTINGS = (
    "RAGSELL_DEEPGRAM_API_KEY",
    "RAGSELL_CARTESIA_API_KEY",
    "RAGSELL_LIVEKIT_URL",
    "RAGSELL_LIVEKIT_API_KEY",
    "RAGSELL_LIVEKIT_API_SECRET",
)
START_TIMEOUT = 60
STOP_TIMEOUT = 30


def clean_env() -> dict[str, str]:
    """This machine's environment without any ragsell or speech-provider setting."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RAGSELL_", "LIVEKIT_")) and key not in PROVIDER_VARIABLES
    }


async def run_to_end(*env: tuple[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        RAGSELL,
        "voice-agent",
        env={**clean_env(), **dict(env)},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_without_the_voice_settings_it_names_them_and_exits_with_status_2(tmp_path: Path) -> None:
    status, stderr = await run_to_end(("RAGSELL_DATA_DIR", str(tmp_path / "data")), cwd=tmp_path)

    assert status == 2
    for name in (*CALL_SETTINGS, "DEEPGRAM_API_KEY", "CARTESIA_API_KEY", "LIVEKIT_URL", "`ragsell serve`"):
        assert name in stderr
    # Nothing was started: no store under the data directory.
    assert not (tmp_path / "data").exists()


async def test_with_one_setting_missing_it_says_which(tmp_path: Path) -> None:
    status, stderr = await run_to_end(
        ("DEEPGRAM_API_KEY", "dg"),
        ("CARTESIA_API_KEY", "ct"),
        ("LIVEKIT_URL", "wss://livekit.example"),
        ("LIVEKIT_API_KEY", API_KEY),
        cwd=tmp_path,
    )

    assert status == 2
    assert "missing: RAGSELL_LIVEKIT_API_SECRET." in stderr


async def test_on_the_in_memory_store_it_refuses_to_start(tmp_path: Path) -> None:
    status, stderr = await run_to_end(
        ("DEEPGRAM_API_KEY", "dg"),
        ("CARTESIA_API_KEY", "ct"),
        ("LIVEKIT_URL", "wss://livekit.example"),
        ("LIVEKIT_API_KEY", API_KEY),
        ("LIVEKIT_API_SECRET", API_SECRET),
        ("RAGSELL_STORE", "memory"),
        cwd=tmp_path,
    )

    assert (status, "RAGSELL_STORE=memory" in stderr) == (2, True)


class AgentEndpoint:
    """The part of a LiveKit server that agent servers register with: a WebSocket at
    /agent. It keeps each registration and the claims of the token it came with, and
    never answers, so the agent waits there until it is stopped."""

    def __init__(self) -> None:
        self.registrations: asyncio.Queue[tuple[dict, agent.RegisterWorkerRequest]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        claims = jwt.decode(
            request.headers["Authorization"].removeprefix("Bearer "),
            API_SECRET,
            algorithms=["HS256"],
            issuer=API_KEY,
        )
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        message = agent.WorkerMessage.FromString(await socket.receive_bytes())
        await self.registrations.put((claims, message.register))
        async for _ in socket:
            pass
        return socket


@pytest.fixture
async def livekit() -> AsyncIterator[AgentEndpoint]:
    endpoint = AgentEndpoint()
    app = web.Application()
    app.router.add_get("/agent", endpoint.handle)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    listener = socket.create_server(("127.0.0.1", 0))
    await web.SockSite(runner, listener).start()
    endpoint.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    yield endpoint
    await runner.cleanup()


async def test_it_registers_for_explicit_dispatch_logs_json_and_stops_on_sigterm(
    tmp_path: Path, mongo_uri: str, livekit: AgentEndpoint
) -> None:
    log_file = (tmp_path / "voice-agent.log").open("w+")
    process = await asyncio.create_subprocess_exec(
        RAGSELL,
        "voice-agent",
        env={
            **clean_env(),
            "RAGSELL_MONGODB_URI": mongo_uri,
            "RAGSELL_MONGODB_DATABASE": "voice_agent_command",
            "RAGSELL_DEEPGRAM_API_KEY": "dg-key",
            "RAGSELL_CARTESIA_API_KEY": "ct-key",
            "RAGSELL_LIVEKIT_URL": livekit.url,
            "RAGSELL_LIVEKIT_API_KEY": API_KEY,
            "RAGSELL_LIVEKIT_API_SECRET": API_SECRET,
            "RAGSELL_VOICE_ALLOW_LOOPBACK": "true",
        },
        cwd=tmp_path,
        # A file, not a pipe: a pipe nobody reads would stall the process once full.
        stdout=log_file,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        claims, registration = await asyncio.wait_for(livekit.registrations.get(), timeout=START_TIMEOUT)

        assert registration.agent_name == VOICE_AGENT_NAME
        assert registration.type == agent.JobType.JT_ROOM
        assert claims["video"]["agent"] is True

        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log_file.seek(0)
    output = log_file.read()
    log_file.close()

    assert status == 0, output
    events = [json.loads(line) for line in output.splitlines()]
    assert {"starting worker", "voice agent stopped"} <= {event["event"] for event in events}
    for secret in (API_SECRET, "dg-key", "ct-key"):
        assert secret not in output
