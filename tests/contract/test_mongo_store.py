"""What only the Mongo adapters have: indexes, codecs, the connection."""

import socket
import struct
from datetime import timedelta
from typing import Any

import pytest
from bson.binary import Binary, BinaryVectorDtype
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.client import connect, redact
from ragsell.adapters.mongo.codecs import (
    binary_to_float32_bytes,
    binary_to_vector,
    float32_bytes_to_binary,
    vector_to_binary,
)
from ragsell.adapters.mongo.errors import StoreUnavailable
from ragsell.adapters.mongo.indexes import INDEXES, ensure_indexes
from ragsell.adapters.mongo.owners import MongoOwnerRepository
from ragsell.adapters.mongo.probe import MongoStoreProbe
from ragsell.adapters.mongo.site_data import MongoSiteDataEraser
from ragsell.domain.ids import SiteId
from tests.contract.stores import owner, site

Database = AsyncDatabase[dict[str, Any]]


async def test_every_index_is_in_place_and_ensuring_them_again_changes_nothing(mongo_db: Database) -> None:
    await ensure_indexes(mongo_db)

    for collection, models in INDEXES.items():
        # Compared by fields and options, not by name (nx-27017 names indexes its own way,
        # and reports descending keys as ascending).
        found = {
            (tuple(field for field, _ in spec["key"]), bool(spec.get("unique")), spec.get("expireAfterSeconds"))
            for spec in (await mongo_db[collection].index_information()).values()
        }
        for model in models:
            document = model.document
            wanted = (tuple(document["key"]), bool(document.get("unique")), document.get("expireAfterSeconds"))
            assert wanted in found, (collection, wanted)


async def test_a_page_url_is_unique_within_its_site(mongo_db: Database) -> None:
    pages = mongo_db["pages"]
    await pages.insert_one({"site_id": "a", "url": "https://example.com/"})
    await pages.insert_one({"site_id": "b", "url": "https://example.com/"})

    with pytest.raises(DuplicateKeyError):
        await pages.insert_one({"site_id": "a", "url": "https://example.com/"})


async def test_dates_come_back_timezone_aware_in_utc(mongo_db: Database) -> None:
    ada = owner()
    await MongoOwnerRepository(mongo_db).add(ada)

    stored = await mongo_db["owners"].find_one({"_id": ada.id})

    assert stored is not None
    assert stored["created_at"].utcoffset() == timedelta(0)
    assert stored["created_at"] == ada.created_at


async def test_a_float32_vector_round_trips_through_the_store(mongo_db: Database) -> None:
    vector = [0.1, -2.5, 3.25, 1e-7]
    await mongo_db["chunks"].insert_one(
        {"_id": "c1", "site_id": site(owner().id).id, "embedding": vector_to_binary(vector)}
    )

    stored = await mongo_db["chunks"].find_one({"_id": "c1"})

    assert stored is not None
    as_float32 = list(struct.unpack("<4f", struct.pack("<4f", *vector)))
    assert binary_to_vector(stored["embedding"]) == as_float32


def test_vectors_are_stored_in_the_bson_vector_format_atlas_indexes() -> None:
    encoded = vector_to_binary([1.0, 2.0])

    assert encoded.subtype == 9
    assert encoded == Binary.from_vector([1.0, 2.0], BinaryVectorDtype.FLOAT32)
    assert binary_to_vector(bytes(encoded)) == [1.0, 2.0]  # as nx-27017 hands it back
    assert binary_to_vector(struct.pack("<2f", 1.0, 2.0)) == [1.0, 2.0]
    with pytest.raises(ValueError):
        binary_to_vector(b"\x00\x01\x02")
    raw = struct.pack("<3f", 0.5, -1.0, 2.0)
    assert float32_bytes_to_binary(raw) == Binary.from_vector([0.5, -1.0, 2.0], BinaryVectorDtype.FLOAT32)
    assert binary_to_float32_bytes(bytes(float32_bytes_to_binary(raw))) == raw


async def test_an_unreachable_store_is_reported_clearly_without_the_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(StoreUnavailable, match="Cannot reach MongoDB at") as raised:
        await connect(f"mongodb://ragsell:s3cret-pw@127.0.0.1:{port}/?directConnection=true", "x", timeout_seconds=0.3)

    assert "s3cret-pw" not in str(raised.value)
    assert "***" in str(raised.value)


async def test_a_malformed_uri_is_reported_clearly() -> None:
    with pytest.raises(StoreUnavailable, match="is not valid"):
        await connect("http://localhost:27017", "x")


def test_credentials_are_left_out_of_uris_in_messages() -> None:
    assert redact("mongodb+srv://app:pw@cluster0.example.net/db") == "mongodb+srv://***@cluster0.example.net/db"
    assert redact("mongodb://127.0.0.1:27017/") == "mongodb://127.0.0.1:27017/"


async def test_the_probe_says_whether_the_store_answers(mongo_db: Database) -> None:
    assert await MongoStoreProbe(mongo_db).ping() is True


async def test_erasing_a_site_also_removes_its_pages_and_chunks(mongo_db: Database) -> None:
    for site_id in ("erased", "kept"):
        await mongo_db["pages"].insert_one({"site_id": site_id, "url": "https://example.com/"})
        await mongo_db["chunks"].insert_one(
            {"site_id": site_id, "source": "page", "source_key": "https://example.com/"}
        )

    await MongoSiteDataEraser(mongo_db).erase_site(SiteId("erased"))

    for collection in ("pages", "chunks"):
        assert [d["site_id"] async for d in mongo_db[collection].find({}, {"_id": 0, "site_id": 1})] == ["kept"]
