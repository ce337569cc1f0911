from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import JobQueue, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import JobId, OwnerId, SiteId
from ragsell.domain.jobs import CrawlJob, new_crawl
from ragsell.domain.sites import Site


async def _enqueue(jobs: JobQueue, site: Site, clock: Clock, ids: IdGenerator) -> CrawlJob:
    job = new_crawl(job_id=JobId(ids.new_id()), site_id=site.id, owner_id=site.owner_id, now=clock.now())
    return await jobs.enqueue(job)


class RequestCrawl:
    """Crawl now. A site has at most one active crawl: asking again returns that one."""

    def __init__(self, sites: SiteRepository, jobs: JobQueue, clock: Clock, ids: IdGenerator) -> None:
        self._sites = sites
        self._jobs = jobs
        self._clock = clock
        self._ids = ids

    async def __call__(self, owner_id: OwnerId, site_id: str) -> CrawlJob:
        site = await owned_site(self._sites, owner_id, site_id)
        return await _enqueue(self._jobs, site, self._clock, self._ids)


class OperatorRequestCrawl:
    """The same, for the operator's ``ragsell crawl SITE_ID``, which names no owner."""

    def __init__(self, sites: SiteRepository, jobs: JobQueue, clock: Clock, ids: IdGenerator) -> None:
        self._sites = sites
        self._jobs = jobs
        self._clock = clock
        self._ids = ids

    async def __call__(self, site_id: str) -> CrawlJob:
        site = await self._sites.get_for_operator(SiteId(site_id))
        if site is None:
            raise NotFound("There is no site with that id.")
        return await _enqueue(self._jobs, site, self._clock, self._ids)
