"""The data map names every field the service stores: a realistic workload runs through
the real app on MongoDB (nx-27017), then every document of every collection is read and
each stored field path must be in ``adapters/mongo/data_map.py``."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import msgspec
import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.memory.mailer import InMemoryMailer
from ragsell.adapters.mongo import names
from ragsell.adapters.mongo.client import connect
from ragsell.adapters.mongo.data_map import DATA_MAP
from ragsell.application.knowledge.run_crawl_jobs import RunCrawlJobs
from ragsell.application.ports.mail import Mailer
from ragsell.application.ports.web import CrawledPage, CrawlRequest, SiteCrawler
from ragsell.application.retention.sweep import RetentionSweep
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings, Store
from ragsell.entrypoints.store import store_provider
from tests.http.conftest import PASSWORD, HarnessOverrides, Owner, browser, sign_up
from tests.http.sse import parse_events

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}


class NothingToCrawl(SiteCrawler):
    """A site with no pages: the crawl job runs and finishes without going out."""

    async def crawl(self, request: CrawlRequest) -> AsyncIterator[CrawledPage]:
        return
        yield


class Offline(Provider):
    scope = Scope.APP

    @provide
    def crawler(self) -> SiteCrawler:
        return NothingToCrawl()

    @provide
    def mailer(self) -> Mailer:
        return InMemoryMailer()


def field_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """The dotted path of every value stored in a document; array items add ``[]``."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from field_paths(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and value:
        for item in value:
            yield from field_paths(item, f"{prefix}[]")
    elif prefix:
        yield prefix


def mapped(path: str, fields: dict[str, Any]) -> bool:
    """Whether the map names ``path``; a ``*`` in the map stands for any one key, and an
    empty array or subdocument is named by the paths of what it would hold."""
    parts = path.split(".")
    return any(
        pattern.startswith((f"{path}.", f"{path}[]"))
        or (
            len(pattern.split(".")) == len(parts)
            and all(want in ("*", got) for want, got in zip(pattern.split("."), parts, strict=True))
        )
        for pattern in fields
    )


def test_the_map_names_exactly_the_collections_the_store_has_names_for() -> None:
    collections = {value for name, value in vars(names).items() if name.isupper() and isinstance(value, str)}
    assert set(DATA_MAP) == collections


@pytest.fixture
async def mongo_app(settings: Settings, clock: ManualClock, mongo_uri: str) -> AsyncIterator[tuple[Litestar, str]]:
    database = f"data_map_{uuid.uuid4().hex}"
    mongo = msgspec.structs.replace(settings, mongodb_database=database, store=Store.MONGO)
    container = make_container(
        mongo, store=store_provider(mongo, mongo_uri), overrides=[HarnessOverrides(clock), Offline()]
    )
    yield create_app(mongo, container), database
    client, db = await connect(mongo_uri, database)
    await client.drop_database(db.name)
    await client.close()
    await container.close()


async def _visitor_workload(client: httpx.AsyncClient, site: dict) -> str:
    base = f"/widget/v1/sites/{site['widgetKey']}"
    visitor = str(uuid.uuid4())

    async def post(path: str, body: dict) -> httpx.Response:
        response = await client.post(f"{base}{path}", json={"visitorId": visitor, **body}, headers=FROM_SITE)
        assert response.status_code < 300, response.text
        return response

    assert (await client.get(f"{base}/config", headers=FROM_SITE)).status_code == 200
    await post("/page-views", {"url": f"{SITE_ORIGIN}/pricing?utm=x", "referrer": "https://search.example/"})
    conversation = (await post("/conversations", {})).json()["conversationId"]
    for text in ("When are you open?", "Do you sell submarines?"):
        answer = await post(
            f"/conversations/{conversation}/messages", {"clientMessageId": str(uuid.uuid4()), "text": text}
        )
        reply = parse_events(answer.text)[-1][1]["messageId"]
    await post(f"/conversations/{conversation}/messages/{reply}/feedback", {"rating": "down"})
    await post(
        "/leads",
        {
            "conversationId": conversation,
            "name": "Bob Stone",
            "email": "bob@example.com",
            "phone": "+1 415 555 0123",
            "kind": "callback",
            "message": "Call me",
            "pageUrl": f"{SITE_ORIGIN}/pricing",
        },
    )
    return visitor


async def _owner_workload(app: Litestar, owner: Owner) -> dict:
    client, csrf = owner.client, owner.csrf
    site = await owner.add_site()
    changed = await client.patch(
        f"/api/sites/{site['id']}",
        json={"retentionDays": 30, "country": "US", "allowedOrigins": [SITE_ORIGIN]},
        headers=csrf,
    )
    assert changed.status_code == 200, changed.text
    await owner.add_snippet(site["id"], "Hours", "We are open Monday to Friday from 9am to 5pm.")
    qa = await client.post(
        f"/api/sites/{site['id']}/snippets",
        json={"kind": "qa", "title": "Returns", "question": "Can I return?", "text": "Within 30 days."},
        headers=csrf,
    )
    assert qa.status_code == 201
    webhook = await client.put(
        f"/api/sites/{site['id']}/webhook", json={"url": "https://hooks.acme.example/leads"}, headers=csrf
    )
    assert webhook.status_code == 200, webhook.text
    assert (await client.post(f"/api/sites/{site['id']}/crawls", headers=csrf)).status_code == 202
    async with app.state.dishka_container(scope=Scope.REQUEST) as request:
        assert await (await request.get(RunCrawlJobs)).run_next("data-map-worker") is not None
    return site


async def test_every_stored_field_is_in_the_data_map(
    mongo_app: tuple[Litestar, str], mongo_uri: str, clock: ManualClock
) -> None:
    app, database = mongo_app
    async with browser(app) as owner_client, browser(app) as visitor_client, browser(app) as other_client:
        owner = await sign_up(owner_client)
        site = await _owner_workload(app, owner)
        visitor = await _visitor_workload(visitor_client, site)
        await _visitor_workload(visitor_client, site)
        csrf = owner.csrf
        [lead, *_] = (await owner_client.get(f"/api/sites/{site['id']}/leads")).json()
        await owner_client.patch(
            f"/api/sites/{site['id']}/leads/{lead['id']}",
            json={"name": "Robert Stone", "status": "contacted"},
            headers=csrf,
        )
        await owner_client.post(f"/api/sites/{site['id']}/privacy/export", json={"visitorId": visitor}, headers=csrf)
        await owner_client.post("/api/privacy/visitors/erase", json={"visitorId": visitor}, headers=csrf)
        assert (await owner_client.get("/api/account/export")).status_code == 200
        changed = await owner_client.post(
            "/api/account/password",
            json={"currentPassword": PASSWORD, "newPassword": "another horse battery staple"},
            headers=csrf,
        )
        assert changed.status_code == 200
        await other_client.post("/api/session", json={"email": "ann@example.com", "password": "wrong password!"})
        assert (await other_client.post("/api/password-resets", json={"email": "ann@example.com"})).status_code == 202
        leaving = await sign_up(other_client, email="leaving@example.com", name="Leaving")
        await leaving.add_site(name="Gone", url="https://gone.example")
        closed = await other_client.request("DELETE", "/api/account", json={"password": PASSWORD}, headers=leaving.csrf)
        assert closed.status_code == 200
    clock.advance(timedelta(hours=2))
    async with app.state.dishka_container(scope=Scope.REQUEST) as request:
        assert await (await request.get(RetentionSweep)).run_if_due() is not None

    client, db = await connect(mongo_uri, database)
    try:
        unmapped: dict[str, set[str]] = {}
        found = set(await db.list_collection_names())
        for collection in found:
            fields = DATA_MAP[collection].fields if collection in DATA_MAP else {}
            async for document in db[collection].find({}):
                missing = {path for path in field_paths(document) if not mapped(path, fields)}
                if missing:
                    unmapped.setdefault(collection, set()).update(missing)
    finally:
        await client.close()

    assert unmapped == {}
    # The workload reached (nearly) every collection, so the check above means something.
    assert set(DATA_MAP) - found <= {names.RATE_LIMITS, names.SESSIONS}
