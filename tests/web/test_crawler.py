"""The crawler on a local test website: robots.txt, sitemaps, links, redirects,
duplicates, caps, patterns, page limits and incremental re-crawls. Every URL met is
reported exactly once, with its outcome."""

import gzip
import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from ragsell.adapters.web import CrawlLimits, GuardedFetcher, WebSiteCrawler
from ragsell.application.ports.web import CrawledPage, CrawlRequest, Validators
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.sites import CrawlSettings
from tests.web.conftest import LocalSite, article, page, raw, redirect

FAST = CrawlLimits(delay_seconds=0, max_crawl_delay_seconds=0.01)


def text(topic: str) -> str:
    return (
        f"Everything you need to know about {topic}. Our team answers questions about {topic} every day, "
        f"and this page collects the answers that customers found most useful when they asked about {topic}."
    )


def build_site(site: LocalSite) -> None:
    home_links = (
        "/pricing",
        "/about",
        "/copy-of-about",
        "/faq?ref=newsletter",
        "/old-pricing",
        "/private/secret",
        "/brochure.pdf",
        "/report",
        "/huge",
        "/bomb",
        "/slow",
        "/hidden",
        "/gone",
        "/empty",
        site.url("/contact", host="www.site.test"),
        "https://elsewhere.test/partner",
        "mailto:sales@site.test",
    )
    site.routes.update(
        {
            "/robots.txt": raw(
                200,
                (
                    f"User-agent: *\nDisallow: /private/\nCrawl-delay: 5\nSitemap: {site.url('/sitemap-index.xml')}\n"
                ).encode(),
                content_type="text/plain",
            ),
            "/sitemap-index.xml": raw(
                200,
                f"<sitemapindex><sitemap><loc>{site.url('/sitemap-pages.xml')}</loc></sitemap></sitemapindex>".encode(),
                content_type="application/xml",
            ),
            "/sitemap-pages.xml": raw(
                200,
                (
                    f"<urlset><url><loc>{site.url('/')}</loc></url><url><loc>{site.url('/faq')}</loc></url>"
                    "<url><loc>https://elsewhere.test/ignored</loc></url></urlset>"
                ).encode(),
                content_type="text/xml",
            ),
            "/": page(article("Home", text("our shop"), links=home_links), etag='"home-1"'),
            "/pricing": page(article("Pricing", text("prices and plans")), etag='"pricing-1"'),
            "/about": page(article("About us", text("the company"))),
            "/copy-of-about": page(article("About us", text("the company"))),
            "/faq": page(article("FAQ", text("frequent questions"))),
            "/faq?ref=newsletter": page(
                article("FAQ", text("frequent questions"), head=f'<link rel="canonical" href="{site.url("/faq")}">')
            ),
            "/old-pricing": redirect("/pricing"),
            "/private/secret": page(article("Secret", text("secrets"))),
            "/report": raw(200, b"%PDF-1.4", content_type="application/pdf"),
            "/huge": page(article("Huge", text("size") * 2000)),
            "/bomb": raw(200, gzip.compress(b" " * 20_000_000), headers={"Content-Encoding": "gzip"}),
            "/slow": stalls_for(1.5),
            "/hidden": page(article("Hidden", text("hiding"), head='<meta name="robots" content="noindex">')),
            "/gone": page(article("Soon gone", text("things that disappear"))),
            "/empty": page("<html><body><script>app()</script></body></html>"),
            "/contact": page(article("Contact", text("reaching us"))),
        }
    )


def stalls_for(seconds: float):
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        handler.wfile.write(b"<html><body>")
        handler.wfile.flush()
        time.sleep(seconds)

    return handle


async def crawl(
    fetcher: GuardedFetcher,
    site: LocalSite,
    *,
    limits: CrawlLimits = FAST,
    page_limit: int = 100,
    known: dict[str, Validators] | None = None,
    **settings: object,
) -> dict[str, CrawledPage]:
    request = CrawlRequest(
        site_url=site.url("/"),
        settings=CrawlSettings(**settings),  # type: ignore[arg-type]
        page_limit=page_limit,
        known=known or {},
    )
    reported = [page async for page in WebSiteCrawler(fetcher, limits=limits).crawl(request)]
    urls = [page.url for page in reported]
    assert len(urls) == len(set(urls)), "a URL was reported twice"
    return {page.url.removeprefix(site.url("")): page for page in reported}


def outcomes(pages: dict[str, CrawledPage]) -> dict[str, tuple[PageOutcome, str]]:
    return {path: (page.outcome, page.reason) for path, page in pages.items()}


async def test_crawls_the_site_and_reports_every_url_once(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    pages = await crawl(fetcher, site)
    www_contact = site.url("/contact", host="www.site.test")
    assert outcomes(pages) == {
        "/": (PageOutcome.INDEXED, ""),
        "/faq": (PageOutcome.INDEXED, ""),
        "/pricing": (PageOutcome.INDEXED, ""),
        "/about": (PageOutcome.INDEXED, ""),
        "/copy-of-about": (PageOutcome.DUPLICATE, f"same text as {site.url('/about')}"),
        "/faq?ref=newsletter": (PageOutcome.DUPLICATE, f"its canonical URL is {site.url('/faq')}"),
        "/old-pricing": (PageOutcome.DUPLICATE, f"redirects to {site.url('/pricing')}"),
        "/private/secret": (PageOutcome.SKIPPED_BY_ROBOTS, "disallowed by robots.txt"),
        "/brochure.pdf": (PageOutcome.WRONG_TYPE, "not a web page (.pdf file)"),
        "/report": (PageOutcome.WRONG_TYPE, "not a web page (application/pdf)"),
        "/huge": (PageOutcome.TOO_LARGE, "larger than 64 KiB"),
        "/bomb": (PageOutcome.TOO_LARGE, "larger than 64 KiB"),
        "/slow": (PageOutcome.FAILED, "the server sent nothing for 0.3 s"),
        "/hidden": (PageOutcome.EXCLUDED, "the page asks not to be indexed (noindex)"),
        "/gone": (PageOutcome.INDEXED, ""),
        "/empty": (PageOutcome.NO_CONTENT, "no main text found"),
        www_contact: (PageOutcome.INDEXED, ""),  # www and apex are one site by default
    }
    assert "/robots.txt" in site.paths() and "/sitemap-pages.xml" in site.paths()
    assert "/private/secret" not in site.paths() and "/brochure.pdf" not in site.paths()


async def test_indexed_pages_carry_their_text_and_validators(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    pricing = (await crawl(fetcher, site))["/pricing"]
    assert pricing.page is not None
    assert pricing.page.title == "Pricing"
    assert pricing.page.language == "en"
    assert pricing.page.sections[0].text == text("prices and plans")
    assert "Copyright" not in pricing.page.sections[0].text
    assert pricing.validators == Validators(etag='"pricing-1"')


async def test_a_recrawl_skips_unchanged_pages_and_reports_the_ones_gone(
    site: LocalSite, fetcher: GuardedFetcher
) -> None:
    build_site(site)
    first = await crawl(fetcher, site)
    known = {site.url(path): page.validators for path, page in first.items() if page.outcome.keeps_content}
    del site.routes["/gone"]
    site.routes["/pricing"] = page(article("Pricing", text("new prices")), etag='"pricing-2"')
    second = await crawl(fetcher, site, known=known)
    assert second["/"].outcome is PageOutcome.UNCHANGED
    assert (second["/"].page, second["/"].validators) == (None, Validators(etag='"home-1"'))
    assert second["/pricing"].outcome is PageOutcome.INDEXED
    assert second["/pricing"].validators == Validators(etag='"pricing-2"')
    assert (second["/gone"].outcome, second["/gone"].reason) == (PageOutcome.FAILED, "not found (404)")


async def test_a_recrawl_still_visits_known_pages_no_longer_linked(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = page(article("Home", text("our shop")), etag='"home-1"')
    site.routes["/orphan"] = page(article("Orphan", text("lost pages")))
    known = {site.url("/"): Validators(etag='"home-1"'), site.url("/orphan"): Validators()}
    pages = await crawl(fetcher, site, known=known)
    assert outcomes(pages) == {"/": (PageOutcome.UNCHANGED, ""), "/orphan": (PageOutcome.INDEXED, "")}


async def test_stops_at_the_page_limit(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    pages = await crawl(fetcher, site, page_limit=2)
    indexed = [path for path, page in pages.items() if page.outcome is PageOutcome.INDEXED]
    assert indexed == ["/", "/faq"]  # the start page, then the sitemap's
    assert pages["/pricing"].outcome is PageOutcome.OVER_PAGE_LIMIT
    assert pages["/pricing"].reason == "the plan allows 2 pages"
    assert pages["/private/secret"].outcome is PageOutcome.SKIPPED_BY_ROBOTS  # still told apart
    assert "/pricing" not in site.paths()


async def test_follows_include_and_exclude_patterns(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    pages = await crawl(fetcher, site, include_patterns=("/pricing", "/about*"), exclude_patterns=("*copy*",))
    excluded = (PageOutcome.EXCLUDED, "excluded by the site's URL patterns")
    assert outcomes(pages)["/"] == excluded  # fetched for its links, not indexed
    assert pages["/pricing"].outcome is PageOutcome.INDEXED
    assert pages["/about"].outcome is PageOutcome.INDEXED
    assert outcomes(pages)["/copy-of-about"] == excluded
    assert outcomes(pages)["/faq"] == excluded
    assert "/copy-of-about" not in site.paths()


async def test_www_is_another_site_when_the_owner_says_so(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    pages = await crawl(fetcher, site, www_is_same_site=False)
    assert not any("www." in url for url in pages)


async def test_an_unreadable_robots_txt_stops_the_crawl(site: LocalSite, fetcher: GuardedFetcher) -> None:
    build_site(site)
    site.routes["/robots.txt"] = raw(500, b"oops", content_type="text/plain")
    pages = await crawl(fetcher, site, known={site.url("/pricing"): Validators()})
    reason = "robots.txt could not be read (server error (500))"
    assert outcomes(pages) == {
        "/": (PageOutcome.SKIPPED_BY_ROBOTS, reason),
        "/pricing": (PageOutcome.SKIPPED_BY_ROBOTS, reason),
    }
    assert site.paths() == ["/robots.txt"]


async def test_a_start_page_redirecting_off_the_site_is_reported(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = redirect("https://elsewhere.test/")
    pages = await crawl(fetcher, site)
    assert outcomes(pages) == {"/": (PageOutcome.EXCLUDED, "redirects to https://elsewhere.test/, outside the site")}


async def test_a_canonical_loop_keeps_one_page(site: LocalSite, fetcher: GuardedFetcher) -> None:
    def pointing_to(path: str, topic: str) -> str:
        return article(topic, text(topic), head=f'<link rel="canonical" href="{path}">')

    site.routes["/"] = page(pointing_to("/b", "a"))
    site.routes["/b"] = page(pointing_to("/", "b"))
    pages = await crawl(fetcher, site)
    assert outcomes(pages) == {
        "/": (PageOutcome.DUPLICATE, f"its canonical URL is {site.url('/b')}"),
        "/b": (PageOutcome.INDEXED, ""),
    }


async def test_honours_crawl_delay_up_to_the_cap(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/robots.txt"] = raw(200, b"User-agent: *\nCrawl-delay: 60\n", content_type="text/plain")
    site.routes["/"] = page(article("Home", text("home"), links=("/a", "/b")))
    site.routes["/a"] = page(article("A", text("a")))
    site.routes["/b"] = page(article("B", text("b")))
    await crawl(fetcher, site, limits=CrawlLimits(delay_seconds=0.01, max_crawl_delay_seconds=0.15))
    starts = [at for path, _, at in site.requests if path in ("/", "/a", "/b")]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 2
    assert all(0.12 <= gap < 1 for gap in gaps)  # Crawl-delay: 60, capped at 0.15 s


async def test_keeps_at_most_two_requests_in_flight(site: LocalSite, fetcher: GuardedFetcher) -> None:
    in_flight, most = 0, 0
    lock = threading.Lock()

    def slowly(topic: str):
        def handle(handler: BaseHTTPRequestHandler) -> None:
            nonlocal in_flight, most
            with lock:
                in_flight += 1
                most = max(most, in_flight)
            time.sleep(0.05)
            with lock:
                in_flight -= 1
            page(article(topic, text(topic)))(handler)

        return handle

    paths = [f"/p{n}" for n in range(6)]
    site.routes["/"] = page(article("Home", text("home"), links=tuple(paths)))
    site.routes.update({path: slowly(path) for path in paths})
    pages = await crawl(fetcher, site)
    assert sum(page.outcome is PageOutcome.INDEXED for page in pages.values()) == 7
    assert most == 2


async def test_reports_what_is_left_when_the_crawl_runs_out_of_time(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = page(article("Home", text("home"), links=("/a", "/b")))
    site.routes["/a"] = page(article("A", text("a")))
    site.routes["/b"] = page(article("B", text("b")))
    # robots.txt at 0 s, /sitemap.xml at 0.4 s, / at 0.8 s; /a would start after the limit.
    limits = CrawlLimits(concurrency=1, delay_seconds=0.4, crawl_seconds=0.6)
    pages = await crawl(fetcher, site, limits=limits)
    reason = "not fetched: the crawl reached its time limit (0.6 s)"
    assert outcomes(pages) == {
        "/": (PageOutcome.INDEXED, ""),
        "/a": (PageOutcome.FAILED, reason),
        "/b": (PageOutcome.FAILED, reason),
    }


def test_concurrency_is_one_or_two() -> None:
    with pytest.raises(ValueError):
        CrawlLimits(concurrency=3)
