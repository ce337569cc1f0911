"""Search over a site's chunks inside the app process: a numpy matrix of unit vectors
(dot product = cosine) and, beside it, a BM25 keyword index (bm25s).

Each site's index is built from ``ChunkRepository.for_site`` and cached; every search
first reads ``ChunkRepository.version`` (one cheap read) and rebuilds when it moved, so
content stored by a crawl worker or another app process is seen on the next search. A
large site's index takes long to build (about a second at 10,000 chunks), and during a
crawl its version moves with every page: its searches are answered from the index they
have while the new one is built in the background, one build per site at a time.
Only chunks embedded by this retriever's embedder (same ``embedding_model``) are
searched: after a change of model they are invisible until re-embedded.

``Passage.score`` is always the cosine similarity of question and passage under the
site's embedding model, clamped to 0..1, whichever ranking chose the passage; the
answering step can compare it with a threshold to decide "not in the knowledge base"
(see docs/benchmarks.md, "Retrieval (issue 4)", for the scores answers get).
"""

import asyncio
import logging
from collections import OrderedDict
from enum import StrEnum

import bm25s
import numpy as np

from ragsell.application.ports.ai import Embedder, Retriever
from ragsell.application.ports.repositories import ChunkRepository
from ragsell.domain.chunking import text_for_embedding
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Chunk, Passage

log = logging.getLogger(__name__)


class SearchMode(StrEnum):
    DENSE = "dense"
    KEYWORD = "keyword"
    # Reciprocal-rank fusion of the dense and keyword rankings.
    HYBRID = "hybrid"


# Dense alone is the default (docs/benchmarks.md, "Retrieval (issue 4)"). On the Python
# FAQ questions, fusion gained 1.7 points of Recall@5 only while each question was also its
# answer's heading, word for word; with the answers' own words to go on (headings taken
# out), it lost 7.4 points of Recall@5 and 13 of Recall@1 to dense search alone.
DEFAULT_MODE = SearchMode.DENSE
# Each ranking contributes 1 / (RRF_K + rank) for its first FUSION_DEPTH results.
RRF_K = 60
FUSION_DEPTH = 50
DEFAULT_CACHE_BYTES = 512 * 1024 * 1024
# From this many chunks a site is searched in its previous index while the next is built;
# smaller sites are rebuilt at once (milliseconds), so a change shows in the next answer.
STALE_WHILE_BUILDING_CHUNKS = 2_000


def _keyword_tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)


def top(scores: np.ndarray, count: int) -> np.ndarray:
    """Indexes of the ``count`` highest scores, highest first."""
    count = min(count, len(scores))
    if count <= 0:
        return np.empty(0, dtype=np.intp)
    best = np.argpartition(-scores, count - 1)[:count]
    return best[np.argsort(-scores[best], kind="stable")]


class SiteIndex:
    """One site's searchable chunks as of one content version."""

    def __init__(self, version: int, chunks: list[Chunk], dimensions: int, *, keywords: bool) -> None:
        self.version = version
        self.chunks = chunks
        self.vectors = np.frombuffer(b"".join(chunk.vector for chunk in chunks), dtype="<f4").reshape(-1, dimensions)
        self.size_bytes = self.vectors.nbytes + sum(len(chunk.text) for chunk in chunks)
        self.keywords: bm25s.BM25 | None = None
        if keywords and chunks:
            self.keywords = bm25s.BM25()
            texts = [text_for_embedding(chunk.title, chunk.heading_path, chunk.text) for chunk in chunks]
            self.keywords.index(_keyword_tokens(texts), show_progress=False)

    def keyword_scores(self, query: str) -> np.ndarray:
        (tokens,) = _keyword_tokens([query])
        if self.keywords is None or not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return self.keywords.get_scores(tokens)


class NumpyRetriever(Retriever):
    """Caches the indexes of the sites searched most recently, up to about
    ``cache_bytes`` of vectors and text (the index in use always stays)."""

    def __init__(
        self,
        chunks: ChunkRepository,
        embedder: Embedder,
        *,
        mode: SearchMode = DEFAULT_MODE,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self._chunks = chunks
        self._embedder = embedder
        self._mode = mode
        self._cache_bytes = cache_bytes
        self._cache: OrderedDict[SiteId, SiteIndex] = OrderedDict()
        # One build per site at a time, however many searches wait for it.
        self._builds: dict[SiteId, asyncio.Future[SiteIndex]] = {}

    async def search(self, site_id: SiteId, query: str, *, limit: int) -> list[Passage]:
        if limit <= 0 or not query.strip():
            return []
        index, (query_vector,) = await asyncio.gather(self._index(site_id), self._embedder.embed([query]))
        if not index.chunks:
            return []
        cosines = index.vectors @ np.frombuffer(query_vector, dtype="<f4")
        return [
            Passage(
                text=index.chunks[position].text,
                score=float(np.clip(cosines[position], 0.0, 1.0)),
                citation=index.chunks[position].citation,
                sentence_vectors=index.chunks[position].sentence_vectors,
            )
            for position in self._rank(index, query, cosines, limit)
        ]

    def _rank(self, index: SiteIndex, query: str, cosines: np.ndarray, limit: int) -> list[int]:
        if self._mode is SearchMode.DENSE:
            return top(cosines, limit).tolist()
        keyword_scores = index.keyword_scores(query)
        depth = limit if self._mode is SearchMode.KEYWORD else max(limit, FUSION_DEPTH)
        # Chunks that share no word with the query are no keyword match at all.
        keyword_ranking = top(keyword_scores, min(depth, int(np.count_nonzero(keyword_scores))))
        if self._mode is SearchMode.KEYWORD:
            return keyword_ranking.tolist()
        fused: dict[int, float] = {}
        for ranking in (top(cosines, depth), keyword_ranking):
            for rank, position in enumerate(ranking.tolist()):
                fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank + 1)
        return sorted(fused, key=lambda position: -fused[position])[:limit]

    async def _index(self, site_id: SiteId) -> SiteIndex:
        version = await self._chunks.version(site_id)
        cached = self._cache.get(site_id)
        if cached is not None and cached.version == version:
            self._cache.move_to_end(site_id)
            return cached
        build = self._builds.get(site_id)
        if build is None:
            build = self._builds[site_id] = asyncio.ensure_future(self._build(site_id, version))
            build.add_done_callback(lambda done: self._build_ended(site_id, done))
        if cached is not None and len(cached.chunks) >= STALE_WHILE_BUILDING_CHUNKS and not build.done():
            return cached
        # Shielded: one waiter giving up must not cancel the build for the others.
        index = await asyncio.shield(build)
        # The build under way was of an earlier version: the next one holds this one's content.
        return index if index.version >= version else await self._index(site_id)

    def _build_ended(self, site_id: SiteId, build: asyncio.Future[SiteIndex]) -> None:
        del self._builds[site_id]
        if not build.cancelled() and build.exception() is not None:
            # A search that waited for it has its error; one served the old index has not.
            log.warning("search index not rebuilt", extra={"site_id": site_id, "error": repr(build.exception())})

    async def _build(self, site_id: SiteId, version: int) -> SiteIndex:
        chunks = [
            chunk
            for chunk in await self._chunks.for_site(site_id)
            if chunk.embedding_model == self._embedder.model and chunk.dimensions == self._embedder.dimensions
        ]
        keywords = self._mode is not SearchMode.DENSE
        index = await asyncio.to_thread(SiteIndex, version, chunks, self._embedder.dimensions, keywords=keywords)
        self._cache[site_id] = index
        self._cache.move_to_end(site_id)
        self._evict(keep=site_id)
        return index

    def _evict(self, *, keep: SiteId) -> None:
        while sum(index.size_bytes for index in self._cache.values()) > self._cache_bytes:
            oldest = next(iter(self._cache))
            if oldest == keep:
                return
            del self._cache[oldest]
