"""The real app factory on the in-memory store, driven through Litestar's test client."""

from collections.abc import AsyncIterator

import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings, load_settings

BASE_URL = "http://testserver.local"


class TestOverrides(Provider):
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
async def client(settings: Settings, clock: ManualClock) -> AsyncIterator[AsyncTestClient]:
    container = make_container(settings, store=MemoryStoreProvider(), overrides=[TestOverrides(clock)])
    app = create_app(settings, container)
    async with AsyncTestClient(app=app, base_url=BASE_URL) as test_client:
        yield test_client
