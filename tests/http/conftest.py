"""The real app factory on the in-memory store, driven through Litestar's test client."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import msgspec
import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.adapters.system.clock import SystemClock
from ragsell.application.ports.ai import Embedder
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings, Store, load_settings
from ragsell.entrypoints.store import store_provider
from tests.conftest import shared_embedder

BASE_URL = "http://testserver.local"


class HarnessOverrides(Provider):
    """A clock the tests move, one shared embedder, and argon2id with small parameters so
    sign-ups are quick."""

    scope = Scope.APP

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self._clock = clock

    @provide
    def clock(self) -> Clock:
        return self._clock

    @provide
    def embedder(self) -> Embedder:
        return shared_embedder()

    @provide
    async def hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher(memory_kib=1024, time_cost=1)
        yield hasher
        hasher.close()


@pytest.fixture
def clock() -> ManualClock:
    # Starts at the real time: the store's TTL indexes remove records by the real clock.
    return ManualClock(SystemClock().now())


@pytest.fixture
def settings() -> Settings:
    return load_settings({}, public_url=BASE_URL, store="memory")


@pytest.fixture(params=["memory", "mongo"])
async def store(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Provider]:
    """Every HTTP test runs on the in-memory harness and on MongoDB over TCP (nx-27017)."""
    if request.param == "memory":
        yield MemoryStoreProvider()
        return
    mongo = msgspec.structs.replace(settings, mongodb_database=f"http_{uuid.uuid4().hex}", store=Store.MONGO)
    yield store_provider(mongo, request.getfixturevalue("mongo_uri"))


@pytest.fixture
def overrides() -> list[Provider]:
    """Providers a test module adds on top of the harness's."""
    return []


@pytest.fixture
async def app(
    settings: Settings, store: Provider, clock: ManualClock, overrides: list[Provider]
) -> AsyncIterator[Litestar]:
    container = make_container(settings, store=store, overrides=[HarnessOverrides(clock), *overrides])
    application = create_app(settings, container)
    yield application
    await container.close()


def browser(app: Litestar, base_url: str = BASE_URL) -> httpx.AsyncClient:
    """A client for ``app`` with a cookie jar of its own. Requests run in the test's event
    loop, which the store's client is bound to."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
async def new_client(app: Litestar) -> AsyncIterator[Callable[[], Awaitable[httpx.AsyncClient]]]:
    """Each call gives another browser: its own cookie jar, the same server."""
    async with AsyncExitStack() as stack:

        async def make() -> httpx.AsyncClient:
            return await stack.enter_async_context(browser(app))

        yield make


@pytest.fixture
async def client(new_client: Callable[[], Awaitable[httpx.AsyncClient]]) -> httpx.AsyncClient:
    return await new_client()


class Owner:
    """A signed-up owner's browser: its client and the CSRF header its pages send."""

    def __init__(self, client: httpx.AsyncClient, csrf_token: str, body: dict) -> None:
        self.client = client
        self.csrf = {"x-csrf-token": csrf_token}
        self.id = body["owner"]["id"]

    async def add_site(self, name: str = "Acme", url: str = "https://acme.example") -> dict:
        response = await self.client.post("/api/sites", json={"name": name, "url": url}, headers=self.csrf)
        assert response.status_code == 201, response.text
        return response.json()

    async def add_snippet(self, site_id: str, title: str, text: str) -> dict:
        response = await self.client.post(
            f"/api/sites/{site_id}/snippets", json={"kind": "text", "title": title, "text": text}, headers=self.csrf
        )
        assert response.status_code == 201, response.text
        return response.json()


PASSWORD = "correct horse battery staple"


async def sign_up(client: httpx.AsyncClient, email: str = "ann@example.com", name: str = "Ann") -> Owner:
    response = await client.post(
        "/api/accounts",
        json={"name": name, "email": email, "password": PASSWORD, "confirmsMinimumAge": True},
    )
    assert response.status_code == 201, response.text
    return Owner(client, response.json()["csrfToken"], response.json())


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Owner:
    return await sign_up(client)
