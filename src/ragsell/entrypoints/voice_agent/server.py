"""The LiveKit agent server behind ``ragsell voice-agent``, driven from here rather than
by LiveKit's CLI: registered for explicit dispatch, one process per call, until SIGINT
or SIGTERM."""

import asyncio
import functools
import logging
import os
import signal
from collections.abc import Awaitable

from livekit.agents import AgentServer

from ragsell.domain.voice import VOICE_AGENT_NAME
from ragsell.entrypoints.settings import Settings
from ragsell.entrypoints.store import check_store
from ragsell.entrypoints.voice_agent.call import answer_call

log = logging.getLogger("ragsell.voice_agent")

# Processes started ahead of calls: a call waits for none, each one holds memory.
IDLE_PROCESSES = 2
# A call ends by its time limit; this long more covers its goodbye and closing.
DRAIN_MARGIN_SECONDS = 30


class AgentServerStopped(Exception):
    """The agent server stopped on its own (LiveKit could not be reached)."""


class DropPersonalFields(logging.Filter):
    """LiveKit puts what people said into log fields marked ``pii`` (``lk.pii.user_input``);
    ragsell's logs never carry them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for field in [name for name in vars(record) if "pii" in name.split(".")]:
            delattr(record, field)
        return True


def agent_server(settings: Settings, uri: str | None) -> AgentServer:
    server = AgentServer(
        ws_url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret,
        # Its health endpoint: on this machine only, on a free port.
        host="127.0.0.1",
        port=0,
        num_idle_processes=IDLE_PROCESSES,
        drain_timeout=settings.voice_call_max_minutes * 60 + DRAIN_MARGIN_SECONDS,
        # Imported once, before the call processes fork from the server that starts them.
        preload_modules=[answer_call.__module__],
    )
    server.rtc_session(functools.partial(answer_call, settings, uri), agent_name=VOICE_AGENT_NAME)
    return server


def serve(settings: Settings, uri: str | None) -> None:
    for handler in logging.getLogger().handlers:
        handler.addFilter(DropPersonalFields())
    # ragsell ends turns by Deepgram's endpointing: LiveKit's end-of-turn model (~244 MB)
    # need not be loaded for the call processes to share.
    os.environ.setdefault("LIVEKIT_AGENTS_PRELOAD_LOCAL_INFERENCE", "0")
    asyncio.run(_serve(settings, uri))


async def _serve(settings: Settings, uri: str | None) -> None:
    await check_store(settings, uri)
    server = agent_server(settings, uri)
    stop, hurry = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # The first asks for calls in progress to finish; a second ends them now.
        loop.add_signal_handler(signum, lambda: (hurry if stop.is_set() else stop).set())
    running = asyncio.create_task(server.run())
    try:
        await _whichever_first(asyncio.shield(running), stop.wait())
        if not running.done():
            log.info("voice agent stopping: no new calls; those in progress go on until they end")
            await _whichever_first(server.drain(), hurry.wait())
    finally:
        await server.aclose()
    try:
        await running
    except Exception as error:
        raise AgentServerStopped(f"the voice agent stopped: {error} (LiveKit at {settings.livekit_url}).") from error
    log.info("voice agent stopped")


async def _whichever_first(*awaitables: Awaitable[object]) -> None:
    """Waits until one of ``awaitables`` is done, then cancels the others."""
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
