"""The in-process retriever over a site's chunks, on test doubles of its two ports."""

import asyncio
from collections.abc import Sequence

import numpy as np
import pytest

from ragsell.adapters.local.numpy_retriever import STALE_WHILE_BUILDING_CHUNKS, NumpyRetriever, SearchMode
from ragsell.application.ports.ai import Embedder
from ragsell.application.ports.repositories import ChunkRepository
from ragsell.domain.ids import ChunkId, SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource

SHOP = SiteId("site-shop")
BAKERY = SiteId("site-bakery")
AXES = ("refund", "shipping", "bread", "cake", "hours", "warranty", "price", "gluten")


class AxisEmbedder(Embedder):
    """Each word of AXES is one dimension; a text's vector is its normalised word counts
    (a text with none of them points along "hours" negated, to get a negative cosine)."""

    def __init__(self, model: str = "test/axes") -> None:
        self.model = model
        self.dimensions = len(AXES)
        self.calls = 0

    def vector(self, text: str) -> bytes:
        words = text.lower().split()
        counts = np.array([words.count(axis) for axis in AXES], dtype="<f4")
        if not counts.any():
            counts[AXES.index("hours")] = -1.0
        return (counts / np.linalg.norm(counts)).astype("<f4").tobytes()

    async def embed(self, texts: Sequence[str]) -> list[bytes]:
        self.calls += 1
        return [self.vector(text) for text in texts]


class ChunkStore(ChunkRepository):
    """The ChunkRepository port in a dict, counting the reads the retriever makes."""

    def __init__(self) -> None:
        self.sources: dict[tuple[SiteId, ChunkSource, str], list[Chunk]] = {}
        self.versions: dict[SiteId, int] = {}
        self.loads = 0
        # While cleared, reads of a site's chunks wait (a slow store, a large site).
        self.open = asyncio.Event()
        self.open.set()

    async def replace_source(self, site_id: SiteId, source: ChunkSource, source_key: str, chunks: list[Chunk]) -> None:
        self.sources[(site_id, source, source_key)] = list(chunks)
        self.versions[site_id] = self.versions.get(site_id, 0) + 1

    async def for_site(self, site_id: SiteId) -> list[Chunk]:
        self.loads += 1
        await self.open.wait()
        return [chunk for (site, _, _), chunks in self.sources.items() if site == site_id for chunk in chunks]

    async def version(self, site_id: SiteId) -> int:
        return self.versions.get(site_id, 0)


def chunk(
    site_id: SiteId,
    text: str,
    *,
    url: str = "https://example.com/help",
    heading: tuple[str, ...] = ("Help",),
    model: str = "test/axes",
    source: ChunkSource = ChunkSource.PAGE,
) -> Chunk:
    return Chunk(
        id=ChunkId(f"chunk-{site_id}-{text}"),
        site_id=site_id,
        source=source,
        source_key=url,
        title="Help centre",
        heading_path=heading,
        text=text,
        position=0,
        embedding_model=model,
        vector=AxisEmbedder().vector(text),
    )


async def store_page(store: ChunkStore, site_id: SiteId, url: str, *texts: str, model: str = "test/axes") -> None:
    await store.replace_source(
        site_id, ChunkSource.PAGE, url, [chunk(site_id, text, url=url, model=model) for text in texts]
    )


@pytest.fixture
async def store() -> ChunkStore:
    store = ChunkStore()
    await store_page(store, SHOP, "https://shop.example/refunds", "refund within 30 days", "shipping takes 3 days")
    await store_page(store, BAKERY, "https://bakery.example/menu", "refund of bread and cake", "gluten free bread")
    return store


async def test_only_the_sites_own_passages_are_found(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())

    shop = await retriever.search(SHOP, "refund", limit=10)
    bakery = await retriever.search(BAKERY, "refund", limit=10)

    assert {passage.text for passage in shop} == {"refund within 30 days", "shipping takes 3 days"}
    assert {passage.text for passage in bakery} == {"refund of bread and cake", "gluten free bread"}


async def test_passages_come_best_first_with_scores_between_0_and_1(store: ChunkStore) -> None:
    await store_page(store, SHOP, "https://shop.example/about", "nothing relevant here")
    retriever = NumpyRetriever(store, AxisEmbedder())

    passages = await retriever.search(SHOP, "shipping hours", limit=10)

    assert passages[0].text == "shipping takes 3 days"
    assert passages[0].score == pytest.approx(2**-0.5, abs=1e-6)
    assert [passage.score for passage in passages] == sorted((passage.score for passage in passages), reverse=True)
    assert all(0.0 <= passage.score <= 1.0 for passage in passages)
    # A passage pointing away from the question (negative cosine) scores 0.
    assert passages[-1].text == "nothing relevant here"
    assert passages[-1].score == 0.0


async def test_passages_from_pages_cite_them_and_snippets_cite_nothing(store: ChunkStore) -> None:
    snippet = chunk(SHOP, "price list", source=ChunkSource.SNIPPET, url="snippet-1")
    await store.replace_source(SHOP, ChunkSource.SNIPPET, "snippet-1", [snippet])
    retriever = NumpyRetriever(store, AxisEmbedder())

    refund = await retriever.search(SHOP, "refund", limit=1)
    price = await retriever.search(SHOP, "price", limit=1)

    assert refund[0].citation is not None
    assert refund[0].citation.url == "https://shop.example/refunds"
    assert refund[0].citation.heading == "Help"
    assert price[0].text == "price list"
    assert price[0].citation is None


async def test_at_most_limit_passages_come_back(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())

    assert len(await retriever.search(SHOP, "refund", limit=1)) == 1
    assert await retriever.search(SHOP, "refund", limit=0) == []
    assert await retriever.search(SHOP, "   ", limit=5) == []
    assert await retriever.search(SiteId("site-empty"), "refund", limit=5) == []


async def test_the_index_is_reused_while_the_content_is_unchanged(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())

    for _ in range(3):
        await retriever.search(SHOP, "refund", limit=3)

    assert store.loads == 1


async def test_content_stored_elsewhere_is_seen_on_the_next_search(store: ChunkStore) -> None:
    # Two app processes share the store; a crawl worker stores a new page.
    first, second = NumpyRetriever(store, AxisEmbedder()), NumpyRetriever(store, AxisEmbedder())
    await first.search(SHOP, "warranty", limit=1)
    await second.search(SHOP, "warranty", limit=1)

    await store_page(store, SHOP, "https://shop.example/warranty", "warranty lasts two years")

    for retriever in (first, second):
        (best,) = await retriever.search(SHOP, "warranty", limit=1)
        assert best.text == "warranty lasts two years"
        assert best.score == pytest.approx(1.0)


async def test_removed_content_is_no_longer_found(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())
    await retriever.search(SHOP, "refund", limit=5)

    await store.replace_source(SHOP, ChunkSource.PAGE, "https://shop.example/refunds", [])

    assert await retriever.search(SHOP, "refund", limit=5) == []


async def test_chunks_of_another_embedding_model_are_not_searched(store: ChunkStore) -> None:
    await store_page(store, SHOP, "https://shop.example/old", "refund refund refund", model="test/old-model")

    passages = await NumpyRetriever(store, AxisEmbedder()).search(SHOP, "refund", limit=10)
    under_old_model = await NumpyRetriever(store, AxisEmbedder("test/old-model")).search(SHOP, "refund", limit=10)

    assert "refund refund refund" not in {passage.text for passage in passages}
    assert [passage.text for passage in under_old_model] == ["refund refund refund"]


async def test_concurrent_searches_build_the_index_once(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())

    results = await asyncio.gather(*(retriever.search(SHOP, "refund", limit=1) for _ in range(5)))

    assert store.loads == 1
    assert {result[0].text for result in results} == {"refund within 30 days"}


async def test_a_large_site_is_searched_in_its_last_index_while_the_next_is_built_once(store: ChunkStore) -> None:
    texts = [f"refund case {number}" for number in range(STALE_WHILE_BUILDING_CHUNKS)]
    await store_page(store, SHOP, "https://shop.example/cases", *texts)
    retriever = NumpyRetriever(store, AxisEmbedder())
    await retriever.search(SHOP, "warranty", limit=1)
    store.open.clear()
    await store_page(store, SHOP, "https://shop.example/warranty", "warranty lasts two years")

    while_building = [await retriever.search(SHOP, "warranty", limit=1) for _ in range(3)]
    store.open.set()
    for _ in range(500):
        (best,) = await retriever.search(SHOP, "warranty", limit=1)
        if best.text == "warranty lasts two years":
            break
        await asyncio.sleep(0.01)

    assert {result[0].text for result in while_building} != {"warranty lasts two years"}
    assert best.text == "warranty lasts two years"
    assert store.loads == 2


async def test_a_small_site_waits_for_its_new_index_even_when_a_build_is_under_way(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder())
    await retriever.search(SHOP, "warranty", limit=1)
    store.open.clear()
    await store_page(store, SHOP, "https://shop.example/old-warranty", "warranty was one year")
    under_way = asyncio.ensure_future(retriever.search(SHOP, "warranty", limit=1))
    await asyncio.sleep(0)
    await store_page(store, SHOP, "https://shop.example/old-warranty", "warranty lasts two years")

    store.open.set()
    (best,) = await retriever.search(SHOP, "warranty", limit=1)

    assert best.text == "warranty lasts two years"
    assert (await under_way)[0].text in {"warranty was one year", "warranty lasts two years"}


async def test_a_small_cache_keeps_only_the_index_in_use(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder(), cache_bytes=1)

    for site in (SHOP, SHOP, BAKERY, SHOP):
        await retriever.search(site, "refund", limit=1)

    assert store.loads == 3


async def test_keyword_search_finds_words_the_vectors_do_not_know(store: ChunkStore) -> None:
    await store_page(store, SHOP, "https://shop.example/faq", "parcels to Reykjavik take a week")

    (best,) = await NumpyRetriever(store, AxisEmbedder(), mode=SearchMode.KEYWORD).search(SHOP, "Reykjavik", limit=5)

    assert best.text == "parcels to Reykjavik take a week"
    assert 0.0 <= best.score <= 1.0


async def test_keyword_search_without_a_shared_word_finds_nothing(store: ChunkStore) -> None:
    retriever = NumpyRetriever(store, AxisEmbedder(), mode=SearchMode.KEYWORD)

    assert await retriever.search(SHOP, "Reykjavik", limit=5) == []


async def test_hybrid_search_brings_the_best_of_both_rankings_to_the_top(store: ChunkStore) -> None:
    await store_page(store, SHOP, "https://shop.example/faq", "parcels to Reykjavik take a week")
    retriever = NumpyRetriever(store, AxisEmbedder(), mode=SearchMode.HYBRID)

    passages = await retriever.search(SHOP, "refund to Reykjavik", limit=2)

    # The best dense match and the best keyword match.
    assert {passage.text for passage in passages} == {"refund within 30 days", "parcels to Reykjavik take a week"}
