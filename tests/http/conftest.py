"""The real app factory on the in-memory store, driven through Litestar's test client."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings, load_settings

BASE_URL = "http://testserver.local"


class HarnessOverrides(Provider):
    """A clock the tests move, and argon2id with small parameters so sign-ups are quick."""

    scope = Scope.APP

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self._clock = clock

    @provide
    def clock(self) -> Clock:
        return self._clock

    @provide
    async def hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher(memory_kib=1024, time_cost=1)
        yield hasher
        hasher.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings() -> Settings:
    return load_settings({}, public_url=BASE_URL, store="memory")


@pytest.fixture
async def app(settings: Settings, clock: ManualClock) -> AsyncIterator[Litestar]:
    container = make_container(settings, store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)])
    application = create_app(settings, container)
    yield application
    await container.close()


@pytest.fixture
async def new_client(app: Litestar) -> AsyncIterator[Callable[[], Awaitable[AsyncTestClient]]]:
    """Each call gives another browser: its own cookie jar, the same server."""
    async with AsyncExitStack() as stack:

        async def make() -> AsyncTestClient:
            return await stack.enter_async_context(AsyncTestClient(app=app, base_url=BASE_URL))

        yield make


@pytest.fixture
async def client(new_client: Callable[[], Awaitable[AsyncTestClient]]) -> AsyncTestClient:
    return await new_client()


class Owner:
    """A signed-up owner's browser: its client and the CSRF header its pages send."""

    def __init__(self, client: AsyncTestClient, csrf_token: str, body: dict) -> None:
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


async def sign_up(client: AsyncTestClient, email: str = "ann@example.com", name: str = "Ann") -> Owner:
    response = await client.post(
        "/api/accounts",
        json={"name": name, "email": email, "password": PASSWORD, "confirmsMinimumAge": True},
    )
    assert response.status_code == 201, response.text
    return Owner(client, response.json()["csrfToken"], response.json())


@pytest.fixture
async def owner(client: AsyncTestClient) -> Owner:
    return await sign_up(client)
