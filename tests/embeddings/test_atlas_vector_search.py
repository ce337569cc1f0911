"""The Atlas Vector Search query and index ragsell uses (Atlas itself cannot run here)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

import bson
import numpy as np
import pytest

from ragsell.adapters.mongo.atlas_vector_search import (
    AtlasRetriever,
    passage_from,
    vector_index_definition,
    vector_search_pipeline,
)
from ragsell.application.ports.ai import Embedder
from ragsell.domain.conversations import Citation
from ragsell.domain.ids import SiteId

SITE = SiteId("site-1")
QUERY_VECTOR = np.array([0.6, 0.8, 0.0], dtype="<f4")


def test_the_pipeline_searches_one_sites_chunks_of_one_model() -> None:
    pipeline = vector_search_pipeline(SITE, QUERY_VECTOR.tobytes(), "local/all-MiniLM-L6-v2-int8", limit=5)

    assert pipeline == [
        {
            "$vectorSearch": {
                "index": "chunk_vectors",
                "path": "vector",
                "queryVector": pytest.approx([0.6, 0.8, 0.0]),
                "numCandidates": 100,
                "limit": 5,
                "filter": {
                    "$and": [
                        {"site_id": {"$eq": "site-1"}},
                        {"embedding_model": {"$eq": "local/all-MiniLM-L6-v2-int8"}},
                    ]
                },
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
    assert all(isinstance(value, float) for value in pipeline[0]["$vectorSearch"]["queryVector"])
    bson.encode({"pipeline": pipeline})  # a valid aggregate command body


@pytest.mark.parametrize(("limit", "candidates"), [(1, 100), (5, 100), (20, 400), (1000, 10_000)])
def test_candidates_are_twenty_a_result_within_atlas_bounds(limit: int, candidates: int) -> None:
    pipeline = vector_search_pipeline(SITE, QUERY_VECTOR.tobytes(), "m", limit=limit)

    assert pipeline[0]["$vectorSearch"]["numCandidates"] == candidates


def test_the_index_covers_the_vectors_and_both_filter_fields() -> None:
    assert vector_index_definition(384) == {
        "fields": [
            {"type": "vector", "path": "vector", "numDimensions": 384, "similarity": "dotProduct"},
            {"type": "filter", "path": "site_id"},
            {"type": "filter", "path": "embedding_model"},
        ]
    }


def test_atlas_scores_become_cosines_clamped_to_0_to_1() -> None:
    page = {
        "text": "t",
        "source": "page",
        "source_key": "https://a.example/x",
        "title": "X",
        "heading_path": ["A", "B"],
    }

    assert passage_from({**page, "score": 0.9}).score == pytest.approx(0.8)
    assert passage_from({**page, "score": 0.25}).score == 0.0
    assert passage_from({**page, "score": 1.0}).citation == Citation(
        url="https://a.example/x", title="X", heading="A > B"
    )
    assert passage_from({**page, "source": "snippet", "score": 1.0}).citation is None


class FixedEmbedder(Embedder):
    model = "test/fixed"
    dimensions = 3

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        return [QUERY_VECTOR.tobytes() for _ in texts]


class RecordingCollection:
    """Stands in for the chunks collection: keeps the pipelines, answers with ``results``."""

    def __init__(self, results: list[dict[str, Any]]) -> None:
        self.results = results
        self.pipelines: list[list[dict[str, Any]]] = []

    async def aggregate(self, pipeline: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        self.pipelines.append(pipeline)

        async def documents() -> AsyncIterator[dict[str, Any]]:
            for document in self.results:
                yield document

        return documents()


async def test_the_retriever_embeds_the_question_and_runs_the_pipeline() -> None:
    result = {"text": "Refunds in 30 days", "source": "snippet", "source_key": "s1", "title": "", "heading_path": []}
    chunks = RecordingCollection([{**result, "score": 0.95}])
    retriever = AtlasRetriever(chunks, FixedEmbedder())  # type: ignore[arg-type]

    (passage,) = await retriever.search(SITE, "refunds?", limit=3)

    assert passage.text == "Refunds in 30 days"
    assert passage.score == pytest.approx(0.9)
    assert chunks.pipelines == [vector_search_pipeline(SITE, QUERY_VECTOR.tobytes(), "test/fixed", limit=3)]


async def test_the_retriever_asks_nothing_for_an_empty_question() -> None:
    chunks = RecordingCollection([])

    assert await AtlasRetriever(chunks, FixedEmbedder()).search(SITE, " ", limit=3) == []  # type: ignore[arg-type]
    assert chunks.pipelines == []
