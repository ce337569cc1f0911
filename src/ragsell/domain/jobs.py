"""Crawl jobs: work kept in the store and claimed with a lease, so any number of
workers share it and a crashed worker's job is taken up again."""

from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import JobId, OwnerId, SiteId
from ragsell.domain.sites import CrawlSchedule

MAX_ATTEMPTS = 3
_SCHEDULE_INTERVALS = {CrawlSchedule.DAILY: timedelta(days=1), CrawlSchedule.WEEKLY: timedelta(days=7)}


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_active(self) -> bool:
        return self in (JobState.QUEUED, JobState.RUNNING)


class CrawlProgress(msgspec.Struct, frozen=True, kw_only=True):
    found: int = 0
    done: int = 0
    failed: int = 0

    def __post_init__(self) -> None:
        if min(self.found, self.done, self.failed) < 0 or self.done + self.failed > max(self.found, 0):
            raise InvalidValue("Progress counts pages found, then done or failed among them.")

    @property
    def percent(self) -> int:
        return 100 if self.found == 0 else min(100, (self.done + self.failed) * 100 // self.found)


class CrawlJob(msgspec.Struct, frozen=True, kw_only=True):
    id: JobId
    site_id: SiteId
    owner_id: OwnerId
    state: JobState
    created_at: datetime
    # Not to be started before this (scheduled re-crawls wait here).
    run_after: datetime
    attempts: int = 0
    worker: str | None = None
    lease_expires_at: datetime | None = None
    progress: CrawlProgress = CrawlProgress()
    finished_at: datetime | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        if (self.state is JobState.RUNNING) != (self.lease_expires_at is not None and self.worker is not None):
            raise InvalidValue("A running job, and only a running job, has a worker and a lease.")
        if (self.finished_at is not None) != (self.state in (JobState.DONE, JobState.FAILED)):
            raise InvalidValue("Finished jobs, and only they, have a finish time.")

    def claimable(self, now: datetime) -> bool:
        if self.state is JobState.QUEUED:
            return self.run_after <= now
        return self.state is JobState.RUNNING and self.lease_expires_at is not None and self.lease_expires_at <= now


def next_run(schedule: CrawlSchedule, after: datetime) -> datetime | None:
    """When a scheduled re-crawl is due after a crawl ends; None for manual sites."""
    interval = _SCHEDULE_INTERVALS.get(schedule)
    return None if interval is None else after + interval


def new_crawl(
    *, job_id: JobId, site_id: SiteId, owner_id: OwnerId, now: datetime, run_after: datetime | None = None
) -> CrawlJob:
    return CrawlJob(
        id=job_id,
        site_id=site_id,
        owner_id=owner_id,
        state=JobState.QUEUED,
        created_at=now,
        run_after=run_after or now,
    )
