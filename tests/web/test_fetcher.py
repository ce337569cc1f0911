"""The guarded fetcher against the local test website: caps on bytes (after
decompression), time and silence, redirects, content types, conditional requests."""

import gzip
import time
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from ragsell import __version__
from ragsell.adapters.web.fetcher import (
    FetchError,
    FetchKind,
    FetchLimits,
    GuardedFetcher,
    RedirectNotFollowed,
    user_agent,
)
from ragsell.application.ports.web import Validators
from ragsell.domain.crawling import PageOutcome
from tests.web.conftest import LocalSite, page, raw, redirect, resolve_test_names


async def failure(fetcher: GuardedFetcher, url: str, kind: FetchKind = FetchKind.PAGE) -> FetchError:
    with pytest.raises(FetchError) as raised:
        await fetcher.fetch(url, kind)
    return raised.value


async def test_fetches_a_page_with_our_user_agent(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = page("<h1>Hello</h1>", etag='"v1"')
    fetched = await fetcher.fetch(site.url(), FetchKind.PAGE)
    assert (fetched.status, fetched.media_type, fetched.charset) == (200, "text/html", "utf-8")
    assert fetched.body == b"<h1>Hello</h1>"
    assert fetched.validators.etag == '"v1"'
    _, headers, _ = site.requests[0]
    assert headers["User-Agent"] == "ragsell/test (+http://ragsell.test)"
    assert headers["Host"] == f"site.test:{site.port}"


def test_our_user_agent_names_the_version_and_where_to_read_about_it() -> None:
    assert user_agent("https://ragsell.example") == f"ragsell/{__version__} (+https://ragsell.example)"


async def test_reads_a_gzip_encoded_page(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = raw(200, gzip.compress(b"<p>compressed</p>"), headers={"Content-Encoding": "gzip"})
    assert (await fetcher.fetch(site.url(), FetchKind.PAGE)).body == b"<p>compressed</p>"


async def test_refuses_a_huge_page(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/huge"] = raw(200, b"<p>" + b"x" * 200_000 + b"</p>")
    error = await failure(fetcher, site.url("/huge"))
    assert (error.outcome, error.reason) == (PageOutcome.TOO_LARGE, "larger than 64 KiB")


async def test_refuses_a_huge_page_without_content_length(site: LocalSite, fetcher: GuardedFetcher) -> None:
    def chunked(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"x" * 10_000)

    site.routes["/stream"] = chunked
    assert (await failure(fetcher, site.url("/stream"))).outcome is PageOutcome.TOO_LARGE


async def test_stops_a_gzip_bomb_at_the_cap(site: LocalSite, fetcher: GuardedFetcher) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire, 50 MB inflated
    site.routes["/bomb"] = raw(200, bomb, headers={"Content-Encoding": "gzip"})
    error = await failure(fetcher, site.url("/bomb"))
    assert error.outcome is PageOutcome.TOO_LARGE


async def test_stops_a_deflate_bomb_at_the_cap(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/bomb"] = raw(200, zlib.compress(b"\0" * 50_000_000), headers={"Content-Encoding": "deflate"})
    assert (await failure(fetcher, site.url("/bomb"))).outcome is PageOutcome.TOO_LARGE


async def test_refuses_an_unknown_content_encoding(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/br"] = raw(200, b"\x1b\x00", headers={"Content-Encoding": "br"})
    error = await failure(fetcher, site.url("/br"))
    assert (error.outcome, error.reason) == (PageOutcome.FAILED, "unsupported content encoding br")


async def test_gives_up_on_a_server_that_goes_silent(site: LocalSite, fetcher: GuardedFetcher) -> None:
    def stalls(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"<p>start")
        handler.wfile.flush()
        time.sleep(1.5)

    site.routes["/slow"] = stalls
    started = time.monotonic()
    error = await failure(fetcher, site.url("/slow"))
    assert (error.outcome, error.reason) == (PageOutcome.FAILED, "the server sent nothing for 0.3 s")
    assert time.monotonic() - started < 1.0


async def test_gives_up_on_a_page_that_trickles_past_the_deadline(site: LocalSite) -> None:
    def trickles(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)

    site.routes["/drip"] = trickles
    limits = FetchLimits(total_seconds=0.5, idle_seconds=0.3)
    fetcher = GuardedFetcher(user_agent="ragsell/test", limits=limits, resolver=resolve_test_names, allow_loopback=True)
    error = await failure(fetcher, site.url("/drip"))
    assert (error.outcome, error.reason) == (PageOutcome.FAILED, "no complete answer within 0.5 s")


async def test_refuses_content_that_is_not_a_web_page(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/report.pdf"] = raw(200, b"%PDF-1.4", content_type="application/pdf")
    site.routes["/untyped"] = raw(200, b"<p>?</p>", content_type="")
    error = await failure(fetcher, site.url("/report.pdf"))
    assert (error.outcome, error.reason) == (PageOutcome.WRONG_TYPE, "not a web page (application/pdf)")
    assert (await failure(fetcher, site.url("/untyped"))).reason == "not a web page (no content type)"


async def test_accepts_xhtml_pages_and_xml_sitemaps(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/page"] = raw(200, b"<html/>", content_type="application/xhtml+xml")
    site.routes["/sitemap.xml"] = raw(200, b"<urlset/>", content_type="text/xml")
    site.routes["/sitemap.xml.gz"] = raw(200, gzip.compress(b"<urlset/>"), content_type="application/x-gzip")
    assert (await fetcher.fetch(site.url("/page"), FetchKind.PAGE)).body == b"<html/>"
    assert (await fetcher.fetch(site.url("/sitemap.xml"), FetchKind.SITEMAP)).body == b"<urlset/>"
    assert (await fetcher.fetch(site.url("/sitemap.xml.gz"), FetchKind.SITEMAP)).body == b"<urlset/>"
    assert (await failure(fetcher, site.url("/page"), FetchKind.SITEMAP)).outcome is PageOutcome.WRONG_TYPE


async def test_truncates_robots_txt_at_its_cap(site: LocalSite) -> None:
    site.routes["/robots.txt"] = raw(200, b"a" * 3000, content_type="text/plain")
    limits = FetchLimits(robots_bytes=1000)
    fetcher = GuardedFetcher(user_agent="ragsell/test", limits=limits, resolver=resolve_test_names, allow_loopback=True)
    assert (await fetcher.fetch(site.url("/robots.txt"), FetchKind.ROBOTS)).body == b"a" * 1000


async def test_follows_redirects_and_reports_where_it_landed(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/old"] = redirect("/newer", 301)
    site.routes["/newer"] = redirect(site.url("/new#top", host="www.site.test"), 308)
    site.routes["/new"] = page("<p>here</p>")
    fetched = await fetcher.fetch(site.url("/old"), FetchKind.PAGE)
    assert (fetched.url, fetched.body) == (site.url("/new", host="www.site.test"), b"<p>here</p>")
    assert site.requests[-1][1]["Host"] == f"www.site.test:{site.port}"


async def test_stops_after_five_redirects(site: LocalSite, fetcher: GuardedFetcher) -> None:
    for hop in range(6):
        site.routes[f"/r{hop}"] = redirect(f"/r{hop + 1}", 302)
    site.routes["/r5"] = page("<p>five hops away</p>")
    assert (await fetcher.fetch(site.url("/r0"), FetchKind.PAGE)).body == b"<p>five hops away</p>"
    site.routes["/r5"] = redirect("/r6", 302)
    error = await failure(fetcher, site.url("/r0"))
    assert (error.outcome, error.reason) == (PageOutcome.FAILED, "more than 5 redirects")
    assert site.paths()[-6:] == ["/r0", "/r1", "/r2", "/r3", "/r4", "/r5"]  # the sixth redirect is not followed


async def test_asks_before_following_a_redirect(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/away"] = redirect("https://elsewhere.test/")
    with pytest.raises(RedirectNotFollowed) as raised:
        await fetcher.fetch(site.url("/away"), FetchKind.PAGE, may_follow=lambda url: "site.test" in url)
    assert raised.value.outcome is PageOutcome.EXCLUDED
    assert raised.value.location == "https://elsewhere.test/"


async def test_reports_missing_pages_and_server_errors(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/broken"] = raw(503, b"down")
    missing, broken = await failure(fetcher, site.url("/gone")), await failure(fetcher, site.url("/broken"))
    assert (missing.outcome, missing.reason, missing.status) == (PageOutcome.FAILED, "not found (404)", 404)
    assert (broken.reason, broken.status) == ("server error (503)", 503)


async def test_reports_an_unknown_host(fetcher: GuardedFetcher) -> None:
    error = await failure(fetcher, "http://nowhere.invalid/")
    assert (error.outcome, error.reason) == (PageOutcome.FAILED, "the host nowhere.invalid was not found")


async def test_asks_conditionally_and_reports_not_modified(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = page("<p>same</p>", etag='"v1"')
    fetched = await fetcher.fetch(site.url(), FetchKind.PAGE, validators=Validators(etag='"v1"', last_modified="x"))
    assert fetched.not_modified
    assert fetched.validators.etag == '"v1"'
    _, headers, _ = site.requests[0]
    assert (headers["If-None-Match"], headers["If-Modified-Since"]) == ('"v1"', "x")


async def test_carries_the_x_robots_tag_header(site: LocalSite, fetcher: GuardedFetcher) -> None:
    site.routes["/"] = raw(200, b"<p>hi</p>", headers={"X-Robots-Tag": "noindex"})
    assert (await fetcher.fetch(site.url(), FetchKind.PAGE)).robots_tag == "noindex"
