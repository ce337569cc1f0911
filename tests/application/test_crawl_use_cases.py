"""Crawling a site into its knowledge base, on the memory adapters with a scripted crawler
(a test double of the SiteCrawler port: the real crawler has its own tests in tests/web)."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import pytest

from ragsell.application.knowledge.crawl_site import CrawlSite
from ragsell.application.knowledge.request_crawl import RequestCrawl
from ragsell.application.knowledge.run_crawl_jobs import RunCrawlJobs
from ragsell.application.ports.ai import Embedder
from ragsell.application.ports.web import CrawledPage, CrawlRequest, ExtractedPage, SiteCrawler, Validators
from ragsell.domain.chunking import Section
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.jobs import JobState
from ragsell.domain.knowledge import ChunkSource
from ragsell.domain.usage import Meter, Plan, PlanCatalogue
from tests.application.conftest import Harness

SITE_URL = "https://bakery.example/"


def page(path: str, text: str, title: str = "Bakery") -> CrawledPage:
    return CrawledPage(
        url=f"https://bakery.example{path}",
        outcome=PageOutcome.INDEXED,
        page=ExtractedPage(title=title, sections=(Section(heading_path=("About",), text=text),)),
    )


def failed(path: str, reason: str, *, transient: bool) -> CrawledPage:
    return CrawledPage(
        url=f"https://bakery.example{path}", outcome=PageOutcome.FAILED, reason=reason, transient=transient
    )


class ScriptedCrawler(SiteCrawler):
    def __init__(self) -> None:
        self.script: list[CrawledPage] = []
        self.requests: list[CrawlRequest] = []

    async def crawl(self, request: CrawlRequest) -> AsyncIterator[CrawledPage]:  # type: ignore[override]
        self.requests.append(request)
        for crawled in self.script:
            yield crawled


class CountingEmbedder(Embedder):
    def __init__(self, inner: Embedder) -> None:
        self.model = inner.model
        self.dimensions = inner.dimensions
        self.texts = 0
        self._inner = inner

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        self.texts += len(texts)
        return await self._inner.embed(texts)


@pytest.fixture
def crawler() -> ScriptedCrawler:
    return ScriptedCrawler()


@pytest.fixture
def harness(make_harness, crawler: ScriptedCrawler) -> Harness:
    plans = PlanCatalogue(
        plans=(Plan(name="small", sites=1, pages=3, conversations=10, messages=10, voice_seconds=0),), default="small"
    )
    harness = make_harness(plans=plans)
    harness.embedder = CountingEmbedder(harness.embedder)
    harness.indexer._embedder = harness.embedder
    harness.crawl_site = CrawlSite(harness.sites, harness.pages, crawler, harness.indexer, harness.quota, harness.clock)
    harness.request_crawl = RequestCrawl(harness.sites, harness.jobs, harness.clock, harness.ids)
    harness.run_jobs = RunCrawlJobs(harness.jobs, harness.crawl_site, harness.sites, harness.clock, harness.ids)
    return harness


async def crawl_once(harness: Harness, site) -> None:
    await harness.request_crawl(site.owner_id, site.id)
    job = await harness.run_jobs.run_next("worker-1")
    assert job is not None


async def test_a_crawl_indexes_new_pages_and_counts_them_against_the_plan(harness: Harness, crawler) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning."), page("/cakes", "Cakes need three days' notice.")]

    await crawl_once(harness, site)

    pages = await harness.pages.list_for_site(site.id, after_url=None, limit=10)
    assert [(p.url, p.outcome, p.chunk_count) for p in pages] == [
        ("https://bakery.example/", PageOutcome.INDEXED, 1),
        ("https://bakery.example/cakes", PageOutcome.INDEXED, 1),
    ]
    assert len(await harness.chunks.for_site(site.id)) == 2
    assert await harness.used(owner, Meter.PAGES) == 2
    latest = await harness.jobs.latest(site.id, now=harness.clock.now())
    assert latest is not None and latest.state is JobState.DONE and latest.progress.done == 2


async def test_unchanged_text_is_not_embedded_again(harness: Harness, crawler) -> None:
    site = await harness.site(await harness.owner(), SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning.")]
    await crawl_once(harness, site)
    embedded = harness.embedder.texts

    await crawl_once(harness, site)

    assert harness.embedder.texts == embedded
    (stored,) = await harness.pages.list_for_site(site.id, after_url=None, limit=10)
    assert stored.outcome is PageOutcome.UNCHANGED


async def test_a_page_that_could_not_be_checked_keeps_its_content(harness: Harness, crawler) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning.")]
    await crawl_once(harness, site)

    crawler.script = [failed("/", "server error (503)", transient=True)]
    await crawl_once(harness, site)

    (stored,) = await harness.pages.list_for_site(site.id, after_url=None, limit=10)
    assert stored.outcome is PageOutcome.INDEXED
    assert len(await harness.chunks.for_site(site.id)) == 1
    assert await harness.used(owner, Meter.PAGES) == 1


async def test_a_page_gone_loses_its_content_and_frees_its_place(harness: Harness, crawler) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning."), page("/old", "An old offer.")]
    await crawl_once(harness, site)

    crawler.script = [page("/", "We bake sourdough every morning."), failed("/old", "not found (404)", transient=False)]
    await crawl_once(harness, site)

    pages = {p.url: p for p in await harness.pages.list_for_site(site.id, after_url=None, limit=10)}
    assert pages["https://bakery.example/old"].outcome is PageOutcome.FAILED
    assert pages["https://bakery.example/old"].reason == "not found (404)"
    assert {c.source_key for c in await harness.chunks.for_site(site.id)} == {"https://bakery.example/"}
    assert await harness.used(owner, Meter.PAGES) == 1


async def test_pages_no_longer_found_are_removed(harness: Harness, crawler) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning."), page("/old", "An old offer.")]
    await crawl_once(harness, site)

    crawler.script = [page("/", "We bake sourdough every morning.")]
    await crawl_once(harness, site)

    assert [p.url for p in await harness.pages.list_for_site(site.id, after_url=None, limit=10)] == [
        "https://bakery.example/"
    ]
    assert await harness.used(owner, Meter.PAGES) == 1


async def test_pages_past_the_plans_limit_are_not_indexed(harness: Harness, crawler) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, SITE_URL)
    crawler.script = [page(f"/p{n}", f"Page number {n} about bread.") for n in range(5)]

    await crawl_once(harness, site)

    outcomes = [p.outcome for p in await harness.pages.list_for_site(site.id, after_url=None, limit=10)]
    assert outcomes.count(PageOutcome.INDEXED) == 3
    assert outcomes.count(PageOutcome.OVER_PAGE_LIMIT) == 2
    assert crawler.requests[0].page_limit == 3
    assert await harness.used(owner, Meter.PAGES) == 3


async def test_known_pages_are_asked_for_conditionally(harness: Harness, crawler) -> None:
    site = await harness.site(await harness.owner(), SITE_URL)
    first = page("/", "We bake sourdough every morning.")
    crawler.script = [
        CrawledPage(url=first.url, outcome=first.outcome, page=first.page, validators=Validators(etag='"v1"'))
    ]
    await crawl_once(harness, site)

    await crawl_once(harness, site)

    assert crawler.requests[1].known["https://bakery.example/"].etag == '"v1"'


async def test_a_finished_crawl_queues_the_next_scheduled_one(harness: Harness, crawler) -> None:
    site = await harness.site(await harness.owner(), SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning.")]
    await crawl_once(harness, site)

    assert await harness.run_jobs.run_next("worker-1") is None
    harness.clock.advance(timedelta(days=7, seconds=1))
    scheduled = await harness.run_jobs.run_next("worker-1")
    assert scheduled is not None and scheduled.site_id == site.id


async def test_a_crawl_that_cannot_run_is_recorded_as_failed_with_words_for_the_owner(
    harness: Harness, crawler
) -> None:
    site = await harness.site(await harness.owner(), SITE_URL)
    job = await harness.request_crawl(site.owner_id, site.id)
    await harness.sites.remove(site.owner_id, site.id)  # gone before a worker gets to it

    assert await harness.run_jobs.run_next("worker-1") is not None

    latest = await harness.jobs.latest(site.id, now=harness.clock.now())
    assert latest is not None and latest.id == job.id
    assert (latest.state, latest.error) == (JobState.FAILED, "The site no longer exists.")
    assert crawler.requests == []


async def test_two_workers_never_run_the_same_crawl(harness: Harness, crawler) -> None:
    site = await harness.site(await harness.owner(), SITE_URL)
    crawler.script = [page("/", "We bake sourdough every morning.")]
    await harness.request_crawl(site.owner_id, site.id)

    first, second = await asyncio.gather(harness.run_jobs.run_next("worker-1"), harness.run_jobs.run_next("worker-2"))
    assert [job is not None for job in (first, second)].count(True) == 1
    assert len(crawler.requests) == 1
    assert ChunkSource.PAGE in {c.source for c in await harness.chunks.for_site(site.id)}
