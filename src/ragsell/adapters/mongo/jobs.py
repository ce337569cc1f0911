"""The crawl-job queue in the ``crawl_jobs`` collection.

- One active (queued or running) job per site: every job document has a ``slot``,
  ``active:<site id>`` while the job is active and ``job:<job id>`` once it is not, under
  a plain unique index. Of any number of concurrent enqueues for a site, the store lets
  exactly one insert succeed; the others find that job and return it (bringing it
  forward when it is queued for later than they asked).
- Jobs hold dates (run after, lease expiry, finish time), and nx-27017 corrupts dates
  written by update operators, so every transition replaces the whole document, guarded
  by its revision ``_rev``: a claim, renewal or finish goes through only if nobody changed
  the job since it was read. A claim that loses the race tries the next candidate, so two
  workers never hold the same job.
- Date filters are widened by a second (nx-27017 compares dates to the second) and the
  exact check is made in Python (``CrawlJob.claimable``).
"""

from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

import msgspec
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.dates import before, first_kept
from ragsell.adapters.mongo.leases import claim_candidates
from ragsell.adapters.mongo.names import CRAWL_JOBS
from ragsell.adapters.mongo.removal import remove_ids
from ragsell.application.ports.repositories import DuplicateKey, JobQueue
from ragsell.domain.ids import JobId, SiteId
from ragsell.domain.jobs import CrawlJob, CrawlProgress, JobState

_REVISION = "_rev"
_SLOT = "slot"
# How often an operation re-reads a job, or the site's active job, that keeps changing
# under it before giving up.
_ATTEMPTS = 10


def active_slot(site_id: SiteId) -> str:
    return f"active:{site_id}"


def _slot(job: CrawlJob) -> str:
    return active_slot(job.site_id) if job.state.is_active else f"job:{job.id}"


def _document(job: CrawlJob, revision: int) -> Document:
    return {**encode(job), _REVISION: revision, _SLOT: _slot(job)}


def _job(document: Document) -> CrawlJob:
    fields = dict(document)
    fields.pop(_REVISION, None)
    fields.pop(_SLOT, None)
    return decode(fields, CrawlJob)


class MongoJobQueue(JobQueue):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._jobs = db[CRAWL_JOBS]

    async def enqueue(self, job: CrawlJob) -> CrawlJob:
        for _ in range(_ATTEMPTS):
            if not job.state.is_active:
                # Only active jobs take the site's slot; an inactive one is added unless a
                # job is active (not atomic, and not something the application does).
                active = await self._settle_active(job)
                if active is not None:
                    return active
            try:
                await self._jobs.insert_one(_document(job, 0))
                return job
            except DuplicateKeyError:
                active = await self._settle_active(job)
                if active is not None:
                    return active
                if await self._jobs.find_one({"_id": job.id}, {"_id": 1}) is not None:
                    raise DuplicateKey("id") from None
                # The active job finished in between (the slot is free again), or it
                # changed while being brought forward: look again.
        raise RuntimeError("The site's crawl jobs kept changing; the job was not queued.")

    async def _settle_active(self, job: CrawlJob) -> CrawlJob | None:
        """The site's active job, brought forward to ``job.run_after`` when it is queued
        for later; None when there is none, or it changed before it could be moved."""
        document = await self._jobs.find_one({_SLOT: active_slot(job.site_id), "site_id": job.site_id})
        if document is None:
            return None
        active = _job(document)
        if active.state is not JobState.QUEUED or active.run_after <= job.run_after:
            return active
        forward = msgspec.structs.replace(active, run_after=job.run_after)
        return forward if await self._replace(document, forward) else None

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> CrawlJob | None:
        async with aclosing(self._candidates(now)) as candidates:
            async for document in candidates:
                job = _job(document)
                if not job.claimable(now):
                    continue
                claimed = msgspec.structs.replace(
                    job, state=JobState.RUNNING, worker=worker, lease_expires_at=now + lease, attempts=job.attempts + 1
                )
                if await self._replace(document, claimed):
                    return claimed
                # Another worker got there first (or the job moved on): the next one.
        return None

    def _candidates(self, now: datetime) -> AsyncIterator[Document]:
        return claim_candidates(self._jobs, queued=JobState.QUEUED.value, running=JobState.RUNNING.value, now=now)

    async def _replace(self, document: Document, job: CrawlJob) -> bool:
        """Store ``job`` over ``document`` unless the document changed since it was read."""
        revision = document.get(_REVISION, 0)
        replaced = await self._jobs.replace_one({"_id": job.id, _REVISION: revision}, _document(job, revision + 1))
        return replaced.matched_count == 1

    async def _change_held(self, job_id: JobId, worker: str, change: Callable[[CrawlJob], CrawlJob]) -> bool:
        """Apply ``change`` to the job while ``worker`` holds it; False once it does not."""
        for _ in range(_ATTEMPTS):
            document = await self._jobs.find_one({"_id": job_id})
            if document is None:
                return False
            job = _job(document)
            if job.state is not JobState.RUNNING or job.worker != worker:
                return False
            if await self._replace(document, change(job)):
                return True
        raise RuntimeError("The crawl job kept changing; it was not updated.")

    async def renew(
        self, job_id: JobId, *, worker: str, now: datetime, lease: timedelta, progress: CrawlProgress
    ) -> bool:
        return await self._change_held(
            job_id,
            worker,
            lambda job: msgspec.structs.replace(job, lease_expires_at=now + lease, progress=progress),
        )

    async def finish(self, job_id: JobId, *, worker: str, now: datetime, error: str | None) -> bool:
        return await self._change_held(
            job_id,
            worker,
            lambda job: msgspec.structs.replace(
                job,
                state=JobState.FAILED if error else JobState.DONE,
                worker=None,
                lease_expires_at=None,
                finished_at=now,
                error=error,
            ),
        )

    async def latest(self, site_id: SiteId, *, now: datetime) -> CrawlJob | None:
        cursor = (
            self._jobs.find({"site_id": site_id, "run_after": before(now)})
            .sort([("created_at", -1), ("_id", -1)])
            .batch_size(10)
        )
        found = await first_kept(cursor, decode=_job, keep=lambda job: job.run_after <= now, limit=1)
        return found[0] if found else None

    async def purge_finished(self, finished_before: datetime, *, now: datetime, dry_run: bool = False) -> int:
        finished = [JobState.DONE.value, JobState.FAILED.value]
        cursor = self._jobs.find({"state": {"$in": finished}, "finished_at": before(finished_before)})
        jobs = [_job(document) async for document in cursor]
        old = [job for job in jobs if job.finished_at is not None and job.finished_at < finished_before]
        latest = {site_id: await self.latest(site_id, now=now) for site_id in {job.site_id for job in old}}
        gone = [job.id for job in old if job != latest[job.site_id]]
        return len(gone) if dry_run else await remove_ids(self._jobs, gone)
