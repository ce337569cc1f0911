"""Reading an owner's website. The crawler adapter is the only code that fetches URLs;
it obeys robots.txt, follows sitemaps and links, and extracts each page's text."""

from collections.abc import AsyncIterator
from typing import Protocol

import msgspec

from ragsell.domain.chunking import Section
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.sites import CrawlSettings


class Validators(msgspec.Struct, frozen=True, kw_only=True):
    """What the last crawl saw, for conditional requests."""

    etag: str | None = None
    last_modified: str | None = None


class ExtractedPage(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    sections: tuple[Section, ...]
    # The page's rel=canonical, normalized, when it names another URL of the site.
    canonical_url: str | None = None
    language: str | None = None


class CrawlRequest(msgspec.Struct, frozen=True, kw_only=True):
    site_url: str
    settings: CrawlSettings
    # The crawl stops reporting new pages past this many.
    page_limit: int
    known: dict[str, Validators] = {}


class CrawledPage(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    outcome: PageOutcome
    reason: str = ""
    page: ExtractedPage | None = None
    validators: Validators = Validators()
    # URLs the crawl has found so far (reported or still queued), for progress bars.
    discovered: int = 0
    # The crawl could not check the page this time (a server error, the crawl's time
    # limit, an unreadable robots.txt): this says nothing about the page, and what is
    # stored about it stands.
    transient: bool = False


class SiteCrawler(Protocol):
    def crawl(self, request: CrawlRequest) -> AsyncIterator[CrawledPage]:
        """Every URL the crawl met, once each, with its outcome; pages with the outcome
        INDEXED carry their extracted text (UNCHANGED ones answered 304 Not Modified)."""
