"""The crawl worker loop: ``ragsell worker`` runs it alone, ``ragsell serve`` beside the
web server. Any number of them share the jobs in the store. Beside it runs the retention
sweep, about hourly, by one worker at a time."""

import asyncio
import contextlib
import logging
import os
import socket

from dishka import AsyncContainer, Scope

from ragsell.application.knowledge.run_crawl_jobs import LeaseLost, RunCrawlJobs
from ragsell.application.notifications.run_notifications import RunNotifications
from ragsell.application.retention.sweep import RetentionSweep
from ragsell.application.voice.close_overdue_calls import CloseOverdueCalls

log = logging.getLogger("ragsell.worker")

IDLE_SECONDS = 2.0
ERROR_BACKOFF_SECONDS = 10.0
STOP_GRACE_SECONDS = 5.0
# How often a worker asks whether the retention sweep is due (it runs about hourly).
SWEEP_CHECK_SECONDS = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_worker(container: AsyncContainer, stop: asyncio.Event, *, name: str | None = None) -> None:
    """Claim and run due crawls until ``stop`` is set; sleeps a little when none is due."""
    worker = name or worker_name()
    log.info("worker started", extra={"worker": worker})
    sweeps = asyncio.create_task(run_sweeps(container, stop))
    notifications = asyncio.create_task(run_notifications(container, stop, worker))
    try:
        await _run_crawls(container, stop, worker)
        await sweeps
        await notifications
    finally:
        # Cancelled (or failed): the sweep under way stops too; it is taken up next time.
        # So does a notification being sent: its lease runs out and it is sent again.
        sweeps.cancel()
        notifications.cancel()
        await asyncio.wait({sweeps, notifications})
    log.info("worker stopped", extra={"worker": worker})


async def _run_crawls(container: AsyncContainer, stop: asyncio.Event, worker: str) -> None:
    while not stop.is_set():
        pause = 0.0
        try:
            async with container(scope=Scope.REQUEST) as request:
                runner = await request.get(RunCrawlJobs)
                job = await runner.run_next(worker)
            if job is None:
                pause = IDLE_SECONDS
        except LeaseLost:
            log.warning("crawl taken over by another worker", extra={"worker": worker})
        except Exception:
            # The store may be briefly away; the loop goes on rather than dying.
            log.exception("worker turn failed", extra={"worker": worker})
            pause = ERROR_BACKOFF_SECONDS
        if pause:
            await _sleep_unless_stopped(stop, pause)


async def run_notifications(container: AsyncContainer, stop: asyncio.Event, worker: str) -> None:
    """Send due lead notifications (email, webhook) until ``stop`` is set, beside the crawls."""
    while not stop.is_set():
        pause = 0.0
        try:
            async with container(scope=Scope.REQUEST) as request:
                sent = await (await request.get(RunNotifications)).run_next(worker)
            if sent is None:
                pause = IDLE_SECONDS
        except Exception:
            log.exception("notification turn failed", extra={"worker": worker})
            pause = ERROR_BACKOFF_SECONDS
        if pause:
            await _sleep_unless_stopped(stop, pause)


async def run_sweeps(container: AsyncContainer, stop: asyncio.Event) -> None:
    """Run the retention sweep whenever it is due, and close live calls past their end,
    until ``stop`` is set."""
    while not stop.is_set():
        try:
            async with container(scope=Scope.REQUEST) as request:
                report = await (await request.get(RetentionSweep)).run_if_due()
                closed = await (await request.get(CloseOverdueCalls))()
            if report is not None:
                log.info("retention sweep", extra={"removed": report.removed})
            if closed:
                log.info("overdue calls closed", extra={"closed": closed})
        except Exception:
            log.exception("retention sweep failed")
        await _sleep_unless_stopped(stop, SWEEP_CHECK_SECONDS)


async def stop_worker(task: asyncio.Task[None], grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """Wait for a worker whose stop event is set; a crawl still running after the grace
    time is cancelled (its lease runs out and another worker resumes it)."""
    done, _ = await asyncio.wait({task}, timeout=grace_seconds)
    if not done:
        task.cancel()
        await asyncio.wait({task})
