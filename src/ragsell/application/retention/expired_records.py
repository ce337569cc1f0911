"""Records that expire by time alone: raw page views, sessions, rate-limit windows,
finished crawl jobs and old privacy-request records. Stores with TTL indexes remove some
of them too, but late (nx-27017: only when read), so the sweep removes them for sure."""

from datetime import datetime

from ragsell.application.ports.metering import RateLimiter
from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.application.ports.repositories import JobQueue, PageViewRepository, SessionRepository
from ragsell.domain.retention import RetentionPolicy


class ExpiredRecords:
    def __init__(
        self,
        page_views: PageViewRepository,
        sessions: SessionRepository,
        limiter: RateLimiter,
        jobs: JobQueue,
        requests: PrivacyRequestLog,
        policy: RetentionPolicy,
    ) -> None:
        self._page_views = page_views
        self._sessions = sessions
        self._limiter = limiter
        self._jobs = jobs
        self._requests = requests
        self._policy = policy

    async def sweep(self, now: datetime, *, dry_run: bool) -> dict[str, int]:
        policy = self._policy
        return {
            "page_views": await self._page_views.purge_expired(now, dry_run=dry_run),
            "sessions": await self._sessions.purge_expired(now, dry_run=dry_run),
            "rate_limit_windows": await self._limiter.purge_expired(now, dry_run=dry_run),
            "crawl_jobs": await self._jobs.purge_finished(now - policy.finished_crawl_jobs, now=now, dry_run=dry_run),
            "privacy_requests": await self._requests.purge_before(now - policy.privacy_requests, dry_run=dry_run),
        }
