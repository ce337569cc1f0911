"""A visitor's recording is heard and dropped: after a voice turn, nothing the store holds
is the audio, in any form; what was said is kept as text, in voice messages."""

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from dishka import Provider

from ragsell.adapters.mongo.client import connect
from ragsell.entrypoints.settings import Settings, Store
from ragsell.entrypoints.store import store_provider
from tests.http.conftest import Owner
from tests.http.sse import parse_events
from tests.http.test_widget_voice import (  # noqa: F401 - fixtures
    QUESTION,
    cartesia,
    deepgram,
    livekit,
    recording,
    settings,
    site,
    take_turn,
    visitor,
)
from tests.http.widget_visitor import Visitor


@pytest.fixture
def database() -> str:
    return f"voice_{uuid.uuid4().hex}"


@pytest.fixture
async def store(settings: Settings, database: str, mongo_uri: str) -> AsyncIterator[Provider]:  # noqa: F811
    yield store_provider(msgspec.structs.replace(settings, mongodb_database=database, store=Store.MONGO), mongo_uri)


def stored_values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [item for child in value.values() for item in stored_values(child)]
    if isinstance(value, list):
        return [item for child in value for item in stored_values(child)]
    return [value]


async def test_the_recording_is_not_stored_and_what_was_said_is(
    owner: Owner,
    site: dict,  # noqa: F811
    visitor: Visitor,  # noqa: F811
    database: str,
    mongo_uri: str,
) -> None:
    audio = recording(0.5) + uuid.uuid4().bytes
    conversation_id = await visitor.start()

    events = parse_events((await take_turn(visitor, conversation_id, audio)).text)

    assert events[-1][0] == "done"
    client, db = await connect(mongo_uri, database)
    try:
        values = [
            value
            for name in await db.list_collection_names()
            async for document in db[name].find()
            for value in stored_values(document)
        ]
    finally:
        await client.close()
    marker = audio[-16:]
    assert not any(isinstance(value, bytes) and marker in value for value in values)
    assert not any(isinstance(value, str) and base64.b64encode(marker).decode()[:20] in value for value in values)
    assert QUESTION in values
