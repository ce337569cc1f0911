"""An owner's site becomes the assistant's knowledge: crawl through the API, pages with
outcomes, answers citing the crawled pages. The site is a real HTTP server on 127.0.0.1."""

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import msgspec
import pytest
from dishka import Provider, Scope, provide

from ragsell.adapters.web.crawler import CrawlLimits, WebSiteCrawler
from ragsell.adapters.web.fetcher import GuardedFetcher
from ragsell.application.knowledge.run_crawl_jobs import RunCrawlJobs
from ragsell.application.ports.web import SiteCrawler
from ragsell.entrypoints.settings import Settings
from tests.http.conftest import Owner, sign_up
from tests.http.sse import answer_text, parse_events


def html(title: str, body: str, links: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<nav><ul>{anchors}</ul></nav><main><h1>{title}</h1>{body}</main>"
        "<footer>Copyright Crumb Bakery</footer></body></html>"
    ).encode()


NAV = ("/", "/opening-hours", "/cakes")
BAKERY = {
    "/robots.txt": (b"User-agent: *\nDisallow: /private\n", "text/plain"),
    "/": (
        html(
            "Crumb Bakery",
            "<p>Crumb Bakery bakes sourdough bread and celebration cakes in Lisbon since 1998. "
            "Everything is baked by hand every morning from organic flour.</p>",
            (*NAV, "/private/staff"),
        ),
        "text/html",
    ),
    "/opening-hours": (
        html(
            "Opening hours",
            "<h2>Shop hours</h2><p>The shop is open Tuesday to Sunday from 7am to 7pm. "
            "We are closed on Mondays and on public holidays.</p>"
            "<h2>Orders</h2><p>Cake orders can be collected from 9am.</p>",
            NAV,
        ),
        "text/html",
    ),
    "/cakes": (
        html(
            "Celebration cakes",
            "<h2>Ordering a cake</h2><p>Order celebration cakes at least three days ahead. "
            "A two-tier chocolate cake serves twenty people and costs 65 euros.</p>",
            NAV,
        ),
        "text/html",
    ),
    "/private/staff": (html("Staff", "<p>Staff rota: secret.</p>"), "text/html"),
}


class BakeryHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = BAKERY.get(self.path)
        body, kind = found if found else (b"not here", "text/plain")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def bakery() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BakeryHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuickCrawler(Provider):
    """The real crawler, allowed to reach 127.0.0.1, without the politeness delay."""

    scope = Scope.APP

    @provide
    def crawler(self) -> SiteCrawler:
        fetcher = GuardedFetcher(user_agent="ragsell-test", allow_loopback=True)
        return WebSiteCrawler(fetcher, limits=CrawlLimits(delay_seconds=0.0))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, crawl_allow_loopback=True)


@pytest.fixture
def overrides() -> list[Provider]:
    return [QuickCrawler()]


async def crawl(app) -> None:
    container = app.state.dishka_container
    async with container() as request:
        runner = await request.get(RunCrawlJobs)
        assert await runner.run_next("test-worker") is not None


async def test_crawled_pages_answer_visitors_with_citations(app, owner: Owner, new_client, bakery: str) -> None:
    site = await owner.add_site(name="Crumb", url=bakery)
    started = await owner.client.post(f"/api/sites/{site['id']}/crawls", headers=owner.csrf)
    assert started.status_code == 202
    assert started.json()["state"] == "queued"
    again = await owner.client.post(f"/api/sites/{site['id']}/crawls", headers=owner.csrf)
    assert again.json()["id"] == started.json()["id"]

    await crawl(app)

    latest = (await owner.client.get(f"/api/sites/{site['id']}/crawls/latest")).json()
    assert latest["state"] == "done", latest
    assert latest["progress"]["percent"] == 100
    pages = {page["url"]: page for page in (await owner.client.get(f"/api/sites/{site['id']}/pages")).json()}
    assert pages[f"{bakery}/opening-hours"]["outcome"] == "indexed"
    assert pages[f"{bakery}/opening-hours"]["chunkCount"] >= 1
    assert pages[f"{bakery}/private/staff"]["outcome"] == "skipped_by_robots"

    visitor = await new_client()
    visitor_id = str(uuid.uuid4())
    base = f"/widget/v1/sites/{site['widgetKey']}"
    origin = {"origin": bakery}
    conversation = (await visitor.post(f"{base}/conversations", json={"visitorId": visitor_id}, headers=origin)).json()
    answer = await visitor.post(
        f"{base}/conversations/{conversation['conversationId']}/messages",
        json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": "Are you open on Mondays?"},
        headers=origin,
    )
    events = parse_events(answer.text)
    assert "closed on Mondays" in answer_text(events)
    citations = next(data["citations"] for name, data in events if name == "citations")
    assert citations[0]["url"] == f"{bakery}/opening-hours"
    assert citations[0]["title"] == "Opening hours"
    assert "Shop hours" in citations[0]["heading"]


async def test_recrawl_leaves_unchanged_pages_alone_and_removed_pages_go(
    app, owner: Owner, bakery: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await owner.add_site(name="Crumb", url=bakery)
    await owner.client.post(f"/api/sites/{site['id']}/crawls", headers=owner.csrf)
    await crawl(app)
    usage = {m["meter"]: m["used"] for m in (await owner.client.get("/api/usage")).json()["meters"]}
    indexed = usage["pages"]
    assert indexed == 3

    removed = await owner.client.delete(
        f"/api/sites/{site['id']}/pages", params={"url": f"{bakery}/cakes"}, headers=owner.csrf
    )
    assert removed.status_code == 204
    settings_now = (await owner.client.get(f"/api/sites/{site['id']}")).json()
    assert "/cakes" in settings_now["crawl"]["excludePatterns"]

    monkeypatch.setitem(BAKERY, "/opening-hours", (b"gone", "text/plain"))
    await owner.client.post(f"/api/sites/{site['id']}/crawls", headers=owner.csrf)
    await crawl(app)
    pages = {page["url"]: page for page in (await owner.client.get(f"/api/sites/{site['id']}/pages")).json()}
    assert pages[f"{bakery}/"]["outcome"] == "unchanged"
    assert pages[f"{bakery}/cakes"]["outcome"] == "excluded"
    assert pages[f"{bakery}/opening-hours"]["outcome"] in ("wrong_type", "failed")
    assert pages[f"{bakery}/opening-hours"]["chunkCount"] == 0
    usage = {m["meter"]: m["used"] for m in (await owner.client.get("/api/usage")).json()["meters"]}
    assert usage["pages"] == 1


async def test_another_owner_cannot_crawl_or_list_pages(owner: Owner, new_client, bakery: str) -> None:
    site = await owner.add_site(name="Crumb", url=bakery)
    stranger = await sign_up(await new_client(), email="stranger@example.com")
    for method, path in (
        ("POST", f"/api/sites/{site['id']}/crawls"),
        ("GET", f"/api/sites/{site['id']}/crawls/latest"),
        ("GET", f"/api/sites/{site['id']}/pages"),
    ):
        response = await stranger.client.request(method, path, headers=stranger.csrf)
        assert response.status_code == 404
