"""What only the Mongo pages, chunks and job queue have: the stored form, replacements
interrupted part-way, the size of a large site, and refused job ids."""

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.chunks import MongoChunkRepository
from ragsell.adapters.mongo.jobs import MongoJobQueue
from ragsell.adapters.mongo.pages import MongoPageRepository
from ragsell.application.ports.repositories import DuplicateKey
from ragsell.domain.knowledge import Chunk, ChunkSource
from tests.contract.stores import chunk, crawl_job, owner, page, site

Database = AsyncDatabase[dict[str, Any]]
TEA = "https://shop.example.com/products/tea"


class Stop(Exception):
    """Stands for the process dying at that point."""


def stop(*_: Any, **__: Any) -> Any:
    raise Stop


def tea(site_id: str, count: int, text: str) -> list[Chunk]:
    return [chunk(site_id, TEA, position=n, text=f"{text} {n}") for n in range(count)]


async def stored_count(db: Database, site_id: str) -> int:
    return await db["chunks"].count_documents({"site_id": site_id})


async def test_a_chunk_is_stored_under_its_own_field_names_with_a_bson_float32_vector(mongo_db: Database) -> None:
    shop = site(owner().id)
    stored = chunk(shop.id, TEA, raw_vector=os.urandom(4 * 8))
    await MongoChunkRepository(mongo_db).replace_source(shop.id, ChunkSource.PAGE, TEA, [stored])

    document = await mongo_db["chunks"].find_one({"site_id": shop.id})

    assert document is not None
    for field in ("site_id", "source", "source_key", "title", "text", "position", "embedding_model"):
        assert document[field] == msgspec.to_builtins(stored)[field]
    assert document["id"] == stored.id
    assert document["heading_path"] == list(stored.heading_path)
    # Binary subtype 9, dtype FLOAT32 (0x27), no padding; nx-27017 gives it back as plain bytes.
    assert bytes(document["vector"]) == b"\x27\x00" + stored.vector


async def test_a_replacement_stopped_before_its_chunks_are_made_current_leaves_the_old_ones(
    mongo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = site(owner().id)
    chunks = MongoChunkRepository(mongo_db)
    old = tea(shop.id, 3, "Old")
    await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, old)
    version = await chunks.version(shop.id)

    with monkeypatch.context() as patch:
        patch.setattr(chunks, "_make_current", stop)
        with pytest.raises(Stop):
            await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea(shop.id, 4, "Lost"))

    assert await chunks.for_site(shop.id) == old
    assert await chunks.version(shop.id) == version
    assert await stored_count(mongo_db, shop.id) == 7

    new = tea(shop.id, 2, "New")
    await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, new)
    assert await chunks.for_site(shop.id) == new
    assert await stored_count(mongo_db, shop.id) == 2


async def test_a_replacement_stopped_while_inserting_leaves_the_old_chunks(
    mongo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = site(owner().id)
    chunks = MongoChunkRepository(mongo_db)
    old = tea(shop.id, 3, "Old")
    await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, old)
    insert_many = chunks._chunks.insert_many

    async def half_then_stop(documents: list[dict[str, Any]], **options: Any) -> None:
        await insert_many(documents[: len(documents) // 2], **options)
        raise Stop

    with monkeypatch.context() as patch:
        patch.setattr(chunks._chunks, "insert_many", half_then_stop)
        with pytest.raises(Stop):
            await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea(shop.id, 6, "Half"))

    assert await chunks.for_site(shop.id) == old


@pytest.mark.parametrize("replacement", [2, 0], ids=["new-chunks", "no-chunks"])
async def test_a_replacement_stopped_before_deleting_the_old_chunks_shows_only_the_new(
    mongo_db: Database, monkeypatch: pytest.MonkeyPatch, replacement: int
) -> None:
    shop = site(owner().id)
    chunks = MongoChunkRepository(mongo_db)
    await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea(shop.id, 3, "Old"))
    version = await chunks.version(shop.id)
    new = tea(shop.id, replacement, "New")

    with monkeypatch.context() as patch:
        patch.setattr(chunks, "_delete", stop)
        with pytest.raises(Stop):
            await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, new)

    assert await chunks.for_site(shop.id) == new
    assert await chunks.version(shop.id) != version
    assert await stored_count(mongo_db, shop.id) == 3 + replacement

    newest = tea(shop.id, 1, "Newest")
    await chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, newest)
    assert await chunks.for_site(shop.id) == newest
    assert await stored_count(mongo_db, shop.id) == 1


async def test_a_large_sites_chunks_are_read_whole_and_quickly(mongo_db: Database) -> None:
    shop = site(owner().id)
    chunks = MongoChunkRepository(mongo_db)
    sources = {f"https://shop.example.com/p/{n:02}": 1000 for n in range(10)}
    text = "Loose-leaf green tea from Shizuoka, steamed and rolled. " * 10
    expected: list[Chunk] = []
    for key, count in sources.items():
        batch = [
            msgspec.structs.replace(chunk(shop.id, key, position=p, text=text), vector=os.urandom(4 * 384))
            for p in range(count)
        ]
        await chunks.replace_source(shop.id, ChunkSource.PAGE, key, batch)
        expected.extend(batch)

    started = time.perf_counter()
    found = await chunks.for_site(shop.id)
    elapsed = time.perf_counter() - started

    assert found == expected
    # About a second on nx-27017 on a 2-core machine; a scan per chunk would take minutes.
    assert elapsed < 10, elapsed


async def test_a_job_id_is_taken_once(mongo_db: Database) -> None:
    jobs = MongoJobQueue(mongo_db)
    shop = site(owner().id)
    job = crawl_job(shop.id, created_at=datetime(2026, 6, 1, tzinfo=UTC))
    await jobs.enqueue(job)
    await jobs.claim(worker="w", now=job.run_after, lease=timedelta(minutes=1))
    assert await jobs.finish(job.id, worker="w", now=job.run_after, error=None)

    with pytest.raises(DuplicateKey):
        await jobs.enqueue(job)


async def test_a_page_is_one_document_keyed_by_site_and_url(mongo_db: Database) -> None:
    pages = MongoPageRepository(mongo_db)
    shop = site(owner().id)
    first = page(shop.id, TEA, title="First")
    await pages.save(first)
    await pages.save(msgspec.structs.replace(first, title="Second"))

    documents = await mongo_db["pages"].find({"site_id": shop.id}).to_list(None)

    assert [(d["_id"], d["url"], d["title"]) for d in documents] == [(f"{shop.id}\n{TEA}", TEA, "Second")]
