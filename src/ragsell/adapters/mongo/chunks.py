"""Chunks: the embedded passages of a site's pages and snippets.

Three collections:

- ``chunks``: one document per Chunk, its fields under their own names (``id`` is the
  chunk id; ``_id`` is the store's own, so the same chunks can be stored again by a later
  replacement) and ``vector`` as a BSON float32 vector (Binary subtype 9 with its
  two-byte header, the form Atlas Vector Search indexes; ``for_site`` gives back exactly
  the bytes the Chunk held), plus ``source_ref`` (the key of its page or snippet in
  ``chunk_sources``) and ``generation`` (which replacement of the source wrote it).
- ``chunk_sources``: one small document per page or snippet that has chunks, naming the
  generation that is current. Only chunks of the current generation are the source's.
- ``knowledge_versions``: one document per site (``_id`` the site id) with two integers,
  ``generation`` (handed out to replacements) and ``version`` (what ``version`` returns),
  both moved by ``$inc`` alone.

A replacement inserts the new generation first, then makes it current with one
single-document write, then bumps the version, then deletes the older generations. If it
is interrupted at any point, readers see either the old chunks or the new ones, never a
mixture or a part of either; what it leaves behind is never read and goes with the next
replacement of that source (or the site's erasure). Only a stop between making a
generation current and bumping the version leaves readers that cache by version behind
until the site's next change.

Concurrent replacements of one source end with the one that started last (by generation)
when it had chunks. Atlas Vector Search reads ``chunks`` directly, so while a replacement
runs (or after one stopped midway, until the source is replaced again) it can see a
source's other generation too.

nx-27017 deletes by any filter but ``_id`` through a scan of the whole collection, and an
empty ``$in`` scans as well: old generations are found through the ``source_ref`` index
and deleted by ``_id``.
"""

from typing import Any

from bson.binary import Binary
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import Document, binary_to_float32_bytes, float32_bytes_to_binary
from ragsell.adapters.mongo.names import CHUNK_SOURCES, CHUNKS, KNOWLEDGE_VERSIONS
from ragsell.application.ports.repositories import ChunkRepository
from ragsell.domain.ids import ChunkId, SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource

GENERATION = "generation"
VERSION = "version"
SOURCE_REF = "source_ref"
# Documents a batch when reading a site's chunks: about 2-3 kB each with a 384-dimension vector.
_READ_BATCH = 2_000
# How often making a generation current is tried while other replacements of the same
# source keep moving it.
_ATTEMPTS = 10


def source_id(site_id: SiteId, source: ChunkSource, source_key: str) -> str:
    """The ``chunk_sources`` key of a page or snippet (site ids and sources hold no newline;
    the source key comes last, so any URL keeps the key unambiguous)."""
    if "\n" in site_id:
        raise ValueError("Not a site id.")
    return f"{site_id}\n{source.value}\n{source_key}"


class MongoChunkRepository(ChunkRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._chunks = db[CHUNKS]
        self._sources = db[CHUNK_SOURCES]
        self._versions = db[KNOWLEDGE_VERSIONS]

    async def replace_source(self, site_id: SiteId, source: ChunkSource, source_key: str, chunks: list[Chunk]) -> None:
        if any(
            chunk.site_id != site_id or chunk.source_key != source_key or chunk.source != source for chunk in chunks
        ):
            raise ValueError("chunks must belong to the source they replace")
        key = source_id(site_id, source, source_key)
        generation = await self._next_generation(site_id)
        if chunks:
            await self._chunks.insert_many([_document(chunk, key, generation) for chunk in chunks])
            current = await self._make_current(key, site_id, source, source_key, generation)
            changed = current
        else:
            # No chunks: the source's record goes, which hides its chunks in one write.
            removed = await self._sources.find_one_and_delete({"_id": key, GENERATION: {"$lt": generation}})
            current = changed = removed is not None
        if changed:
            await self._versions.update_one({"_id": site_id}, {"$inc": {VERSION: 1}}, upsert=True)
        # Older generations go; when a replacement that started later has made its own
        # chunks current already, this one's go instead.
        stale = {"$lt": generation} if current else generation
        await self._delete({SOURCE_REF: key, GENERATION: stale})

    async def _delete(self, query: Document) -> None:
        ids = [document["_id"] async for document in self._chunks.find(query, {"_id": 1})]
        if ids:
            await self._chunks.delete_many({"_id": {"$in": ids}})

    async def _next_generation(self, site_id: SiteId) -> int:
        document = await self._versions.find_one_and_update(
            {"_id": site_id}, {"$inc": {GENERATION: 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(document[GENERATION])

    async def _make_current(
        self, key: str, site_id: SiteId, source: ChunkSource, source_key: str, generation: int
    ) -> bool:
        """Point the source at ``generation``; False when a later generation is current.

        Not an upsert with a guard: nx-27017 answers an upsert whose filter misses an
        existing ``_id`` by doing nothing (MongoDB raises a duplicate key error)."""
        for _ in range(_ATTEMPTS):
            moved = await self._sources.update_one(
                {"_id": key, GENERATION: {"$lt": generation}}, {"$set": {GENERATION: generation}}
            )
            if moved.matched_count:
                return True
            try:
                await self._sources.insert_one(
                    {
                        "_id": key,
                        "site_id": site_id,
                        "source": source.value,
                        "source_key": source_key,
                        GENERATION: generation,
                    }
                )
                return True
            except DuplicateKeyError:
                found = await self._sources.find_one({"_id": key})
                if found is not None and found[GENERATION] > generation:
                    return False
        raise RuntimeError("The chunk source kept changing; its new chunks were not made current.")

    async def for_site(self, site_id: SiteId) -> list[Chunk]:
        # The current generations first: a generation is current only once all its chunks
        # are stored, and its chunks are deleted only after a later one became current
        # and the version moved on.
        current = {
            (document["source"], document["source_key"]): document[GENERATION]
            async for document in self._sources.find({"site_id": site_id})
        }
        kept: list[tuple[tuple[str, str, int, Any], Chunk]] = []
        cursor = self._chunks.find({"site_id": site_id}).batch_size(_READ_BATCH)
        async for document in cursor:
            place = (document["source"], document["source_key"])
            if current.get(place) == document[GENERATION]:
                kept.append(((*place, document["position"], document["_id"]), _chunk(document)))
        kept.sort(key=lambda pair: pair[0])
        return [chunk for _, chunk in kept]

    async def version(self, site_id: SiteId) -> int:
        document = await self._versions.find_one({"_id": site_id}, {VERSION: 1})
        return 0 if document is None else int(document.get(VERSION, 0))


def _document(chunk: Chunk, key: str, generation: int) -> Document:
    return {
        "id": chunk.id,
        "site_id": chunk.site_id,
        "source": chunk.source.value,
        "source_key": chunk.source_key,
        "title": chunk.title,
        "heading_path": list(chunk.heading_path),
        "text": chunk.text,
        "position": chunk.position,
        "embedding_model": chunk.embedding_model,
        "vector": float32_bytes_to_binary(chunk.vector),
        "sentence_vectors": Binary(chunk.sentence_vectors),
        SOURCE_REF: key,
        GENERATION: generation,
    }


def _chunk(document: Document) -> Chunk:
    return Chunk(
        id=ChunkId(document["id"]),
        site_id=SiteId(document["site_id"]),
        source=ChunkSource(document["source"]),
        source_key=document["source_key"],
        title=document["title"],
        heading_path=tuple(document["heading_path"]),
        text=document["text"],
        position=document["position"],
        embedding_model=document["embedding_model"],
        vector=binary_to_float32_bytes(document["vector"]),
        sentence_vectors=bytes(document.get("sentence_vectors") or b""),
    )
