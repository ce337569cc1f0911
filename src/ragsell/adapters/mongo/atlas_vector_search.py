"""Dense retrieval inside MongoDB Atlas with ``$vectorSearch`` (RAGSELL_VECTOR_SEARCH=atlas).

The chunks collection holds one document per Chunk: its fields under their own names
(``site_id``, ``source``, ``source_key``, ``title``, ``heading_path``, ``text``,
``embedding_model``) and ``vector`` as a BSON float32 vector (Binary subtype 9). The
search index that ``$vectorSearch`` needs is ``vector_index_definition``; how to create
it is in docs/atlas-vector-search.md. Atlas only: the embedded store and plain MongoDB
have no ``$vectorSearch``.
"""

from typing import Any

import numpy as np
from pymongo.asynchronous.collection import AsyncCollection

from ragsell.application.ports.ai import Embedder, Retriever
from ragsell.domain.conversations import Citation
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import ChunkSource, Passage

VECTOR_INDEX_NAME = "chunk_vectors"
# Atlas advises 10 to 20 candidates per result; a site's chunks are a small part of the
# collection, so take the upper end. Atlas allows at most 10,000.
CANDIDATES_PER_RESULT = 20
MIN_CANDIDATES = 100
MAX_CANDIDATES = 10_000


def vector_index_definition(dimensions: int) -> dict[str, Any]:
    """The Atlas Vector Search index over the chunks: the vectors (unit length, so the
    dot product is the cosine) and the two fields every search filters on."""
    return {
        "fields": [
            {"type": "vector", "path": "vector", "numDimensions": dimensions, "similarity": "dotProduct"},
            {"type": "filter", "path": "site_id"},
            {"type": "filter", "path": "embedding_model"},
        ]
    }


def vector_search_pipeline(
    site_id: SiteId, query_vector: bytes, embedding_model: str, *, limit: int
) -> list[dict[str, Any]]:
    """The aggregation that finds the site's ``limit`` chunks closest to the query vector
    among those embedded by ``embedding_model``."""
    candidates = min(MAX_CANDIDATES, max(MIN_CANDIDATES, CANDIDATES_PER_RESULT * limit))
    return [
        {
            "$vectorSearch": {
                "index": VECTOR_INDEX_NAME,
                "path": "vector",
                "queryVector": np.frombuffer(query_vector, dtype="<f4").tolist(),
                "numCandidates": candidates,
                "limit": limit,
                "filter": {"$and": [{"site_id": {"$eq": site_id}}, {"embedding_model": {"$eq": embedding_model}}]},
            }
        },
        {
            "$project": {
                "_id": 0,
                "text": 1,
                "source": 1,
                "source_key": 1,
                "title": 1,
                "heading_path": 1,
                "sentence_vectors": 1,
                "score": {"$meta": "vectorSearchScore"},
            }
        },
    ]


def passage_from(document: dict[str, Any]) -> Passage:
    """A search result as a Passage. Atlas scores dotProduct as (1 + cosine) / 2; the
    Passage carries the cosine clamped to 0..1, as the in-process retriever does."""
    cosine = 2.0 * float(document["score"]) - 1.0
    citation = None
    if ChunkSource(document["source"]) is ChunkSource.PAGE:
        citation = Citation(
            url=document["source_key"], title=document["title"], heading=" > ".join(document["heading_path"])
        )
    return Passage(
        text=document["text"],
        score=min(1.0, max(0.0, cosine)),
        citation=citation,
        sentence_vectors=bytes(document.get("sentence_vectors") or b""),
    )


class AtlasRetriever(Retriever):
    def __init__(self, chunks: AsyncCollection[dict[str, Any]], embedder: Embedder) -> None:
        self._chunks = chunks
        self._embedder = embedder

    async def search(self, site_id: SiteId, query: str, *, limit: int) -> list[Passage]:
        if limit <= 0 or not query.strip():
            return []
        (query_vector,) = await self._embedder.embed([query])
        pipeline = vector_search_pipeline(site_id, query_vector, self._embedder.model, limit=limit)
        return [passage_from(document) async for document in await self._chunks.aggregate(pipeline)]
