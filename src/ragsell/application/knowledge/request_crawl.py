from ragsell.application.ports.repositories import JobQueue, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import JobId, OwnerId
from ragsell.domain.jobs import CrawlJob, JobState


class RequestCrawl:
    """Crawl now. A site has at most one active crawl: asking again returns that one."""

    def __init__(self, sites: SiteRepository, jobs: JobQueue, clock: Clock, ids: IdGenerator) -> None:
        self._sites = sites
        self._jobs = jobs
        self._clock = clock
        self._ids = ids

    async def __call__(self, owner_id: OwnerId, site_id: str) -> CrawlJob:
        site = await owned_site(self._sites, owner_id, site_id)
        now = self._clock.now()
        job = CrawlJob(
            id=JobId(self._ids.new_id()),
            site_id=site.id,
            owner_id=site.owner_id,
            state=JobState.QUEUED,
            created_at=now,
            run_after=now,
        )
        return await self._jobs.enqueue(job)
