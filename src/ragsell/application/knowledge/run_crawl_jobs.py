"""A worker's turn: claim the next due crawl, run it under a lease kept alive by a
heartbeat, record how it ended, and queue the site's next scheduled crawl."""

import asyncio
import logging
from datetime import timedelta

from ragsell.application.knowledge.crawl_site import CrawlSite
from ragsell.application.ports.ai import EmbeddingUnavailable
from ragsell.application.ports.repositories import JobQueue, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.domain.errors import DomainError
from ragsell.domain.ids import JobId
from ragsell.domain.jobs import MAX_ATTEMPTS, CrawlJob, CrawlProgress, new_crawl, next_run

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
HEARTBEAT = LEASE / 4


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease)."""


class RunCrawlJobs:
    def __init__(
        self, jobs: JobQueue, crawl_site: CrawlSite, sites: SiteRepository, clock: Clock, ids: IdGenerator
    ) -> None:
        self._jobs = jobs
        self._crawl_site = crawl_site
        self._sites = sites
        self._clock = clock
        self._ids = ids

    async def run_next(self, worker: str) -> CrawlJob | None:
        """Run one due job to its end; None when nothing was due."""
        job = await self._jobs.claim(worker=worker, now=self._clock.now(), lease=LEASE)
        if job is None:
            return None
        if job.attempts > MAX_ATTEMPTS:
            await self._jobs.finish(
                job.id, worker=worker, now=self._clock.now(), error="Stopped after repeated failures."
            )
            return job
        try:
            error = await self._run(job, worker)
        except EmbeddingUnavailable:
            # Left running: once its lease runs out a worker takes it up again, and the
            # pages embedded so far are not embedded twice.
            log.warning("embedder unavailable; the crawl will resume", extra={"job_id": job.id})
            return job
        if await self._jobs.finish(job.id, worker=worker, now=self._clock.now(), error=error):
            await self._schedule_next(job)
        return job

    async def _run(self, job: CrawlJob, worker: str) -> str | None:
        """None when the crawl ended well, else what went wrong in words for the owner."""
        progress = CrawlProgress()

        async def report(latest: CrawlProgress) -> None:
            nonlocal progress
            progress = latest

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT.total_seconds())
                now = self._clock.now()
                if not await self._jobs.renew(job.id, worker=worker, now=now, lease=LEASE, progress=progress):
                    raise LeaseLost

        crawl = asyncio.create_task(self._crawl_site(job, report))
        beat = asyncio.create_task(heartbeat())
        try:
            done, _ = await asyncio.wait({crawl, beat}, return_when=asyncio.FIRST_COMPLETED)
            if beat in done:
                beat.result()
            final = crawl.result()
            await self._jobs.renew(job.id, worker=worker, now=self._clock.now(), lease=LEASE, progress=final)
            return None
        except (LeaseLost, EmbeddingUnavailable):
            raise
        except DomainError as error:
            return error.message
        except Exception as error:
            log.exception("crawl failed", extra={"job_id": job.id, "site_id": job.site_id})
            return f"The crawl stopped on an unexpected error ({type(error).__name__})."
        finally:
            crawl.cancel()
            beat.cancel()
            await asyncio.wait({crawl, beat})
            for task in (crawl, beat):
                if not task.cancelled():
                    task.exception()  # retrieved, so asyncio does not report it again

    async def _schedule_next(self, job: CrawlJob) -> None:
        site = await self._sites.get(job.owner_id, job.site_id)
        if site is None:
            return
        now = self._clock.now()
        due = next_run(site.crawl.schedule, now)
        if due is not None:
            job_id = JobId(self._ids.new_id())
            await self._jobs.enqueue(
                new_crawl(job_id=job_id, site_id=site.id, owner_id=site.owner_id, now=now, run_after=due)
            )
