from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.contract.stores import MEMORY, Stores, fresh_database, memory_stores, mongo_stores, store_params, store_uri


@pytest.fixture(params=store_params())
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    """Every port's adapter of one store, empty."""
    kind: str = request.param
    if kind == MEMORY:
        yield memory_stores()
        return
    async with fresh_database(store_uri(kind, request)) as db:
        yield mongo_stores(kind, db)


@pytest.fixture(params=[p for p in store_params() if p.values[0] != MEMORY])
async def mongo_db(request: pytest.FixtureRequest) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """An empty database with every index, on nx-27017 (and MongoDB when configured)."""
    async with fresh_database(store_uri(request.param, request)) as db:
        yield db
