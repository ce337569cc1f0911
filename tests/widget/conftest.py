from collections.abc import AsyncIterator

import httpx
import pytest

from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import load_settings


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The real app, as a browser on another site fetches the widget's files from it."""
    settings = load_settings({}, public_url="http://ragsell.test", store="memory")
    container = make_container(settings, store=MemoryStoreProvider())
    app = create_app(settings, container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ragsell.test") as client:
        yield client
    await container.close()
