"""One crawl of a site: every URL met gets its outcome recorded; new and changed pages
are embedded; unchanged ones are not; pages gone are removed with their chunks."""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

from ragsell.application.errors import NotFound, QuotaExceeded
from ragsell.application.knowledge.indexing import ChunkIndexer
from ragsell.application.ports.repositories import PageRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.ports.web import CrawledPage, CrawlRequest, ExtractedPage, SiteCrawler, Validators
from ragsell.application.usage.quota import Quota
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.ids import SiteId
from ragsell.domain.jobs import CrawlJob, CrawlProgress
from ragsell.domain.knowledge import ChunkSource, Page, content_hash
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter

PAGE_BATCH = 500
ProgressReport = Callable[[CrawlProgress], Awaitable[None]]


async def all_pages(pages: PageRepository, site_id: SiteId) -> AsyncIterator[Page]:
    after: str | None = None
    while batch := await pages.list_for_site(site_id, after_url=after, limit=PAGE_BATCH):
        for page in batch:
            yield page
        after = batch[-1].url


class CrawlSite:
    def __init__(
        self,
        sites: SiteRepository,
        pages: PageRepository,
        crawler: SiteCrawler,
        indexer: ChunkIndexer,
        quota: Quota,
        clock: Clock,
    ) -> None:
        self._sites = sites
        self._pages = pages
        self._crawler = crawler
        self._indexer = indexer
        self._quota = quota
        self._clock = clock

    async def __call__(self, job: CrawlJob, report: ProgressReport) -> CrawlProgress:
        site = await self._sites.get(job.owner_id, job.site_id)
        if site is None:
            raise NotFound("The site no longer exists.")
        before = {page.url: page async for page in all_pages(self._pages, site.id)}
        request = CrawlRequest(
            site_url=site.url,
            settings=site.crawl,
            page_limit=await self._quota.limit(site.owner_id, Meter.PAGES),
            known={
                page.url: Validators(etag=page.etag, last_modified=page.last_modified)
                for page in before.values()
                if page.outcome.keeps_content and page.embedding_model == self._indexer.model
            },
        )
        progress = CrawlProgress()
        seen: set[str] = set()
        async with contextlib.aclosing(self._crawler.crawl(request)) as crawled_pages:
            async for crawled in crawled_pages:
                seen.add(crawled.url)
                progress = await self._advance(site, crawled, before.get(crawled.url), progress, len(seen))
                await report(progress)
        for url, page in before.items():
            if url not in seen:
                await self._forget(site, page)
        return progress

    async def _advance(
        self, site: Site, crawled: CrawledPage, stored: Page | None, progress: CrawlProgress, seen: int
    ) -> CrawlProgress:
        if crawled.transient and stored is not None and stored.outcome.keeps_content:
            # Not checked this time: the page keeps its content until a crawl can check it.
            outcome = PageOutcome.FAILED
        else:
            outcome = await self._record(site, crawled, stored)
        failed = outcome is PageOutcome.FAILED
        return CrawlProgress(
            found=max(crawled.discovered, seen), done=progress.done + (not failed), failed=progress.failed + failed
        )

    async def _record(self, site: Site, crawled: CrawledPage, stored: Page | None) -> PageOutcome:
        now = self._clock.now()
        had_content = stored is not None and stored.outcome.keeps_content
        if crawled.outcome is PageOutcome.UNCHANGED and stored is not None and had_content:
            await self._pages.save(
                Page(
                    site_id=site.id,
                    url=crawled.url,
                    outcome=PageOutcome.UNCHANGED,
                    reason="",
                    title=stored.title,
                    checked_at=now,
                    content_hash=stored.content_hash,
                    etag=crawled.validators.etag or stored.etag,
                    last_modified=crawled.validators.last_modified or stored.last_modified,
                    chunk_count=stored.chunk_count,
                    embedding_model=stored.embedding_model,
                )
            )
            return PageOutcome.UNCHANGED
        if crawled.outcome is PageOutcome.INDEXED and crawled.page is not None:
            return await self._index(site, crawled, crawled.page, stored, now)
        if had_content and stored is not None:
            await self._drop_content(site, stored)
        outcome = PageOutcome.FAILED if crawled.outcome is PageOutcome.UNCHANGED else crawled.outcome
        await self._pages.save(
            Page(
                site_id=site.id, url=crawled.url, outcome=outcome, reason=crawled.reason[:300], title="", checked_at=now
            )
        )
        return outcome

    async def _index(
        self, site: Site, crawled: CrawledPage, extracted: ExtractedPage, stored: Page | None, now: datetime
    ) -> PageOutcome:
        digest = content_hash(extracted.title, extracted.sections)
        held = stored is not None and stored.outcome.keeps_content
        if (
            held
            and stored is not None
            and (stored.content_hash, stored.embedding_model) == (digest, self._indexer.model)
        ):
            outcome, chunk_count = PageOutcome.UNCHANGED, stored.chunk_count
        else:
            if not held:
                try:
                    await self._quota.reserve(
                        owner_id=site.owner_id, site_id=site.id, meter=Meter.PAGES, amount=1, now=now
                    )
                except QuotaExceeded:
                    await self._pages.save(
                        Page(
                            site_id=site.id,
                            url=crawled.url,
                            outcome=PageOutcome.OVER_PAGE_LIMIT,
                            reason="The plan's page limit is reached; upgrade or exclude pages to index this one.",
                            title=extracted.title,
                            checked_at=now,
                        )
                    )
                    return PageOutcome.OVER_PAGE_LIMIT
            outcome = PageOutcome.INDEXED
            chunk_count = await self._indexer.index(
                site.id, ChunkSource.PAGE, crawled.url, extracted.title, extracted.sections
            )
        await self._pages.save(
            Page(
                site_id=site.id,
                url=crawled.url,
                outcome=outcome,
                reason="",
                title=extracted.title,
                checked_at=now,
                content_hash=digest,
                etag=crawled.validators.etag,
                last_modified=crawled.validators.last_modified,
                chunk_count=chunk_count,
                embedding_model=self._indexer.model,
            )
        )
        return outcome

    async def _drop_content(self, site: Site, page: Page) -> None:
        await self._indexer.remove(site.id, ChunkSource.PAGE, page.url)
        await self._quota.release_held(owner_id=site.owner_id, site_id=site.id, meter=Meter.PAGES, amount=1)

    async def _forget(self, site: Site, page: Page) -> None:
        if page.outcome.keeps_content:
            await self._drop_content(site, page)
        await self._pages.remove(site.id, page.url)
