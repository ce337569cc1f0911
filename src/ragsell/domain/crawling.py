"""Which URLs belong to a site's crawl, and what became of each."""

import fnmatch
from enum import StrEnum
from urllib.parse import urlsplit

from ragsell.domain.sites import CrawlSettings


class PageOutcome(StrEnum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    SKIPPED_BY_ROBOTS = "skipped_by_robots"
    EXCLUDED = "excluded"
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    DUPLICATE = "duplicate"
    NO_CONTENT = "no_content"
    OVER_PAGE_LIMIT = "over_page_limit"
    FAILED = "failed"

    @property
    def keeps_content(self) -> bool:
        return self in (PageOutcome.INDEXED, PageOutcome.UNCHANGED)


def _host(url: str) -> str:
    return urlsplit(url).netloc


def site_hosts(site_url: str, *, www_is_same_site: bool) -> frozenset[str]:
    host = _host(site_url)
    if not www_is_same_site:
        return frozenset({host})
    bare = host.removeprefix("www.")
    return frozenset({bare, f"www.{bare}"})


def is_same_site(url: str, site_url: str, *, www_is_same_site: bool) -> bool:
    """Same scheme and host as the site (www and apex counted as one when the owner says so).
    ``url`` and ``site_url`` are normalized URLs."""
    return urlsplit(url).scheme == urlsplit(site_url).scheme and _host(url) in site_hosts(
        site_url, www_is_same_site=www_is_same_site
    )


def _target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def pattern_matches(pattern: str, url: str) -> bool:
    """Owner patterns match the path (and query): ``/blog/*``, ``*.pdf``, ``/docs/*/v2/*``.
    A pattern with a scheme matches the whole URL."""
    target = url if "://" in pattern else _target(url)
    return fnmatch.fnmatchcase(target, pattern)


def is_wanted(url: str, crawl: CrawlSettings) -> bool:
    """Include patterns (none means everything), then exclude patterns."""
    included = not crawl.include_patterns or any(pattern_matches(p, url) for p in crawl.include_patterns)
    return included and not any(pattern_matches(p, url) for p in crawl.exclude_patterns)
