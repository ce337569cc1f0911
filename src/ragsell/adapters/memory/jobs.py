from datetime import datetime, timedelta

import msgspec

from ragsell.application.ports.repositories import JobQueue
from ragsell.domain.ids import JobId, SiteId
from ragsell.domain.jobs import CrawlJob, CrawlProgress, JobState


class InMemoryJobQueue(JobQueue):
    """Claims check and change a job without an await in between: atomic on the event loop."""

    def __init__(self) -> None:
        self._jobs: dict[JobId, CrawlJob] = {}

    async def enqueue(self, job: CrawlJob) -> CrawlJob:
        active = next((j for j in self._jobs.values() if j.site_id == job.site_id and j.state.is_active), None)
        if active is not None:
            if active.state is JobState.QUEUED and active.run_after > job.run_after:
                active = msgspec.structs.replace(active, run_after=job.run_after)
                self._jobs[active.id] = active
            return active
        self._jobs[job.id] = job
        return job

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> CrawlJob | None:
        due = sorted(
            (job for job in self._jobs.values() if job.claimable(now)), key=lambda job: (job.run_after, job.id)
        )
        if not due:
            return None
        claimed = msgspec.structs.replace(
            due[0], state=JobState.RUNNING, worker=worker, lease_expires_at=now + lease, attempts=due[0].attempts + 1
        )
        self._jobs[claimed.id] = claimed
        return claimed

    def _held(self, job_id: JobId, worker: str) -> CrawlJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.state is JobState.RUNNING and job.worker == worker else None

    async def renew(
        self, job_id: JobId, *, worker: str, now: datetime, lease: timedelta, progress: CrawlProgress
    ) -> bool:
        job = self._held(job_id, worker)
        if job is None:
            return False
        self._jobs[job_id] = msgspec.structs.replace(job, lease_expires_at=now + lease, progress=progress)
        return True

    async def finish(self, job_id: JobId, *, worker: str, now: datetime, error: str | None) -> bool:
        job = self._held(job_id, worker)
        if job is None:
            return False
        self._jobs[job_id] = msgspec.structs.replace(
            job,
            state=JobState.FAILED if error else JobState.DONE,
            worker=None,
            lease_expires_at=None,
            finished_at=now,
            error=error,
        )
        return True

    async def latest(self, site_id: SiteId, *, now: datetime) -> CrawlJob | None:
        jobs = [job for job in self._jobs.values() if job.site_id == site_id and job.run_after <= now]
        return max(jobs, key=lambda job: (job.created_at, job.id), default=None)

    async def purge_finished(self, finished_before: datetime, *, now: datetime, dry_run: bool = False) -> int:
        old = [job for job in self._jobs.values() if job.finished_at is not None and job.finished_at < finished_before]
        gone = [job.id for job in old if job != await self.latest(job.site_id, now=now)]
        if not dry_run:
            for job_id in gone:
                del self._jobs[job_id]
        return len(gone)

    async def erase_site(self, site_id: SiteId) -> None:
        for job_id in [job.id for job in self._jobs.values() if job.site_id == site_id]:
            del self._jobs[job_id]
