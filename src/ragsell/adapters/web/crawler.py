"""Crawling one site: robots.txt first, then its sitemaps, the start page, the pages
known from the last crawl, and every same-site link found on the way (breadth first).

Politeness: at most two requests in flight, and requests to one host spaced by a
delay (the site's Crawl-delay when it asks for more, up to a cap). Every URL met is
reported once with its outcome. Pages past the plan's page limit are reported as
such, not fetched.
"""

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import NamedTuple
from urllib.parse import urlsplit

import msgspec

from ragsell.adapters.web.extraction import HtmlDocument, read_html
from ragsell.adapters.web.fetcher import AGENT_NAME, Fetched, FetchError, FetchKind, GuardedFetcher
from ragsell.adapters.web.robots import RobotsRules, read_robots
from ragsell.adapters.web.sitemaps import parse_sitemap
from ragsell.application.ports.web import CrawledPage, CrawlRequest, ExtractedPage, SiteCrawler, Validators
from ragsell.domain.crawling import PageOutcome, is_same_site, is_wanted
from ragsell.domain.errors import InvalidUrl
from ragsell.domain.urls import normalize_url, origin_of

logger = logging.getLogger(__name__)

# Links to these are reported as not web pages without being fetched.
_NOT_PAGES = frozenset({
    "avi", "css", "dmg", "doc", "docx", "exe", "gif", "gz", "ico", "jpeg", "jpg", "js", "json", "mov", "mp3", "mp4",
    "pdf", "png", "ppt", "pptx", "rar", "svg", "tar", "tgz", "ttf", "wav", "webm", "webp", "woff", "woff2", "xls",
    "xlsx", "zip",
})  # fmt: skip


class CrawlLimits(msgspec.Struct, frozen=True, kw_only=True):
    # Requests in flight at once (the site has one or two hosts: www and apex).
    concurrency: int = 2
    # Between the starts of two requests to one host.
    delay_seconds: float = 1.0
    # A robots.txt Crawl-delay is honoured up to this.
    max_crawl_delay_seconds: float = 10.0
    # URLs met in one crawl; links past this are not followed.
    max_urls: int = 10_000
    max_sitemaps: int = 20
    max_sitemap_urls: int = 50_000
    max_links_per_page: int = 500
    crawl_seconds: float = 3600.0

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= 2:
            raise ValueError("Crawl with one or two requests in flight.")


class WebSiteCrawler(SiteCrawler):
    def __init__(self, fetcher: GuardedFetcher, *, limits: CrawlLimits = CrawlLimits()) -> None:
        self._fetcher = fetcher
        self._limits = limits

    def crawl(self, request: CrawlRequest) -> AsyncIterator[CrawledPage]:
        return _Crawl(self._fetcher, self._limits, request).run()


def _normalized(url: str) -> str | None:
    try:
        return normalize_url(url, keep_query=True)
    except InvalidUrl:
        return None


def _content_hash(document: HtmlDocument) -> str:
    digest = hashlib.sha256()
    for section in document.sections:
        digest.update("\x1f".join((*section.heading_path, " ".join(section.text.split()))).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


class _HostGate:
    """Spaces the starts of requests to one host by its delay."""

    def __init__(self, delay: float) -> None:
        self._default = delay
        self._delays: dict[str, float] = {}
        self._next: dict[str, float] = {}

    def slow_down(self, host: str, delay: float) -> None:
        self._delays[host] = max(self._default, delay)

    async def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        now = asyncio.get_running_loop().time()
        start = max(now, self._next.get(host, now))
        self._next[host] = start + self._delays.get(host, self._default)
        await asyncio.sleep(start - now)


class _Visit(NamedTuple):
    url: str
    fetched: Fetched | None = None
    final_url: str = ""
    document: HtmlDocument | None = None
    error: FetchError | None = None


class _Crawl:
    def __init__(self, fetcher: GuardedFetcher, limits: CrawlLimits, request: CrawlRequest) -> None:
        self._fetcher = fetcher
        self._limits = limits
        self._request = request
        self._site = normalize_url(request.site_url)
        self._gate = _HostGate(limits.delay_seconds)
        self._robots: dict[str, RobotsRules] = {}
        self._queue: deque[str] = deque()
        self._seen: set[str] = set()
        self._outcomes: dict[str, PageOutcome] = {}
        self._hashes: dict[str, str] = {}
        self._kept = 0
        self._deadline = 0.0

    def _same_site(self, url: str | None) -> bool:
        www = self._request.settings.www_is_same_site
        return url is not None and is_same_site(url, self._site, www_is_same_site=www)

    def _follows(self, location: str) -> bool:
        return self._same_site(_normalized(location))

    def _offer(self, url: str) -> bool:
        """Queues a URL not met before, within the bound; True when it is (or was) met."""
        if url not in self._seen and len(self._seen) < self._limits.max_urls:
            self._seen.add(url)
            self._queue.append(url)
        return url in self._seen

    def _report(
        self,
        url: str,
        outcome: PageOutcome,
        reason: str = "",
        *,
        page: ExtractedPage | None = None,
        validators: Validators = Validators(),
        transient: bool = False,
    ) -> CrawledPage:
        self._outcomes[url] = outcome
        self._kept += outcome.keeps_content
        return CrawledPage(
            url=url,
            outcome=outcome,
            reason=reason,
            page=page,
            validators=validators,
            discovered=len(self._seen),
            transient=transient,
        )

    async def _rules(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        if origin not in self._robots:
            await self._gate.wait(origin)
            rules = await read_robots(self._fetcher, origin)
            if rules.crawl_delay:
                self._gate.slow_down(
                    urlsplit(origin).netloc, min(rules.crawl_delay, self._limits.max_crawl_delay_seconds)
                )
            self._robots[origin] = rules
        return self._robots[origin]

    async def _refusal(self, url: str, *, patterns: bool = True) -> CrawledPage | None:
        """The outcome of a URL that the patterns or robots.txt rule out, or None."""
        if patterns and not is_wanted(url, self._request.settings):
            return self._report(url, PageOutcome.EXCLUDED, "excluded by the site's URL patterns")
        rules = await self._rules(url)
        if not rules.allows(url):
            return self._report(
                url,
                PageOutcome.SKIPPED_BY_ROBOTS,
                rules.unreachable_reason or "disallowed by robots.txt",
                transient=rules.unreachable_reason is not None,
            )
        return None

    async def _screen(self, url: str) -> CrawledPage | None:
        """The outcome of a URL that is not to be fetched, or None. The start page is
        fetched even when the patterns exclude it: its links lead to the wanted pages."""
        if (refusal := await self._refusal(url, patterns=url != self._site)) is not None:
            return refusal
        extension = urlsplit(url).path.rpartition("/")[2].rpartition(".")[2].lower()
        if extension in _NOT_PAGES:
            return self._report(url, PageOutcome.WRONG_TYPE, f"not a web page (.{extension} file)")
        return None

    async def run(self) -> AsyncIterator[CrawledPage]:
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self._limits.crawl_seconds
        self._offer(self._site)
        for url in await self._sitemap_pages():
            self._offer(url)
        for url in sorted(self._request.known):
            if self._same_site(url):
                self._offer(url)
            else:
                yield self._report(url, PageOutcome.EXCLUDED, "no longer part of the site")
        limit = self._request.page_limit
        pending: dict[asyncio.Task[_Visit], str] = {}
        try:
            while self._queue or pending:
                while self._queue and len(pending) < self._limits.concurrency:
                    screened = await self._screen(self._queue[0])
                    if screened is None and pending and self._kept + len(pending) >= limit:
                        break  # a page in flight may not count: wait for it
                    url = self._queue.popleft()
                    if screened is not None:
                        yield screened
                    elif loop.time() >= self._deadline:
                        reason = f"not fetched: the crawl reached its time limit ({self._limits.crawl_seconds:g} s)"
                        yield self._report(url, PageOutcome.FAILED, reason, transient=True)
                    elif self._kept >= limit:
                        yield self._report(url, PageOutcome.OVER_PAGE_LIMIT, f"the plan allows {limit} pages")
                    else:
                        pending[asyncio.create_task(self._visit(url))] = url
                if not pending:
                    continue
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in [task for task in pending if task in done]:
                    del pending[task]
                    for page in await self._settle(task.result()):
                        yield page
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _sitemap_pages(self) -> list[str]:
        """Page URLs from the sitemaps robots.txt names and /sitemap.xml, following indexes."""
        rules = await self._rules(self._site)
        candidates = (*rules.sitemaps, f"{origin_of(self._site)}/sitemap.xml")
        to_read = deque(url for url in map(_normalized, candidates) if url and self._same_site(url))
        read: set[str] = set()
        pages: list[str] = []
        room = self._limits.max_sitemap_urls
        loop = asyncio.get_running_loop()
        while to_read and len(read) < self._limits.max_sitemaps and room > 0 and loop.time() < self._deadline:
            url = to_read.popleft()
            if url in read or not (await self._rules(url)).allows(url):
                continue
            read.add(url)
            try:
                await self._gate.wait(url)
                fetched = await self._fetcher.fetch(url, FetchKind.SITEMAP, may_follow=self._follows)
            except FetchError:
                continue
            sitemap = await asyncio.to_thread(parse_sitemap, fetched.body, max_locations=room)
            room -= len(sitemap.pages) + len(sitemap.sitemaps)
            pages.extend(url for url in map(_normalized, sitemap.pages) if url and self._same_site(url))
            to_read.extend(url for url in map(_normalized, sitemap.sitemaps) if url and self._same_site(url))
        return pages

    async def _visit(self, url: str) -> _Visit:
        try:
            await self._gate.wait(url)
            known = self._request.known.get(url)
            fetched = await self._fetcher.fetch(url, FetchKind.PAGE, validators=known, may_follow=self._follows)
        except FetchError as error:
            return _Visit(url, error=error)
        if fetched.not_modified:
            return _Visit(url, fetched, url)
        final_url = _normalized(fetched.url) or url  # redirects were followed only to normal URLs
        try:
            document = await asyncio.to_thread(
                read_html,
                fetched.body,
                url=final_url,
                charset=fetched.charset,
                robots_tag=fetched.robots_tag,
                agent=AGENT_NAME,
            )
        except Exception:
            logger.exception("Could not read the page %s", final_url)
            return _Visit(url, error=FetchError(PageOutcome.FAILED, "the page could not be read"))
        return _Visit(url, fetched, final_url, document)

    async def _settle(self, visit: _Visit) -> list[CrawledPage]:
        if visit.error is not None:
            error = visit.error
            return [self._report(visit.url, error.outcome, error.reason, transient=error.transient)]
        assert visit.fetched is not None
        if visit.fetched.not_modified:
            known = self._request.known.get(visit.url, Validators())
            validators = Validators(
                etag=visit.fetched.validators.etag or known.etag,
                last_modified=visit.fetched.validators.last_modified or known.last_modified,
            )
            return [self._report(visit.url, PageOutcome.UNCHANGED, validators=validators)]
        pages = []
        url = visit.final_url
        if url != visit.url:
            pages.append(self._report(visit.url, PageOutcome.DUPLICATE, f"redirects to {url}"))
            if url in self._seen:
                return pages  # the target is crawled under its own URL
            self._seen.add(url)
            if (refusal := await self._refusal(url)) is not None:
                return [*pages, refusal]
        assert visit.document is not None
        self._follow_links(visit.document)
        return [*pages, await self._judge(url, visit.document, visit.fetched.validators)]

    def _follow_links(self, document: HtmlDocument) -> None:
        links = [link for link in document.links if self._same_site(link)]
        for link in links[: self._limits.max_links_per_page]:
            self._offer(link)

    async def _defers_to(self, canonical: str) -> bool:
        """Whether a page gives way to its canonical URL: yes unless that one is off the
        site, cannot be crawled or ended without content (then this page stands for it)."""
        if not self._same_site(canonical) or not is_wanted(canonical, self._request.settings):
            return False
        if not (await self._rules(canonical)).allows(canonical) or not self._offer(canonical):
            return False
        return self._outcomes.get(canonical, PageOutcome.INDEXED).keeps_content

    async def _judge(self, url: str, document: HtmlDocument, validators: Validators) -> CrawledPage:
        if not is_wanted(url, self._request.settings):
            return self._report(url, PageOutcome.EXCLUDED, "excluded by the site's URL patterns")
        if document.noindex:
            return self._report(url, PageOutcome.EXCLUDED, "the page asks not to be indexed (noindex)")
        canonical = document.canonical_url
        if canonical is not None and await self._defers_to(canonical):
            return self._report(url, PageOutcome.DUPLICATE, f"its canonical URL is {canonical}")
        if not document.sections:
            return self._report(url, PageOutcome.NO_CONTENT, "no main text found")
        digest = _content_hash(document)
        if digest in self._hashes:
            return self._report(url, PageOutcome.DUPLICATE, f"same text as {self._hashes[digest]}")
        self._hashes[digest] = url
        page = ExtractedPage(
            title=document.title,
            sections=document.sections,
            canonical_url=canonical if self._same_site(canonical) else None,
            language=document.language,
        )
        return self._report(url, PageOutcome.INDEXED, page=page, validators=validators)
