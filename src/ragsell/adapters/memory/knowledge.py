from collections import defaultdict

from ragsell.application.ports.repositories import ChunkRepository, PageRepository
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource, Page


class InMemoryPageRepository(PageRepository):
    def __init__(self) -> None:
        self._pages: dict[tuple[SiteId, str], Page] = {}

    async def save(self, page: Page) -> None:
        self._pages[(page.site_id, page.url)] = page

    async def get(self, site_id: SiteId, url: str) -> Page | None:
        return self._pages.get((site_id, url))

    async def list_for_site(self, site_id: SiteId, *, after_url: str | None, limit: int) -> list[Page]:
        urls = sorted(url for site, url in self._pages if site == site_id and (after_url is None or url > after_url))
        return [self._pages[(site_id, url)] for url in urls[:limit]]

    async def remove(self, site_id: SiteId, url: str) -> bool:
        return self._pages.pop((site_id, url), None) is not None

    async def erase_site(self, site_id: SiteId) -> None:
        for key in [key for key in self._pages if key[0] == site_id]:
            del self._pages[key]


class InMemoryChunkRepository(ChunkRepository):
    def __init__(self) -> None:
        self._chunks: dict[tuple[SiteId, ChunkSource, str], list[Chunk]] = {}
        self._versions: dict[SiteId, int] = defaultdict(int)

    async def replace_source(self, site_id: SiteId, source: ChunkSource, source_key: str, chunks: list[Chunk]) -> None:
        if any(
            chunk.site_id != site_id or chunk.source_key != source_key or chunk.source != source for chunk in chunks
        ):
            raise ValueError("chunks must belong to the source they replace")
        had = self._chunks.pop((site_id, source, source_key), None)
        if chunks:
            self._chunks[(site_id, source, source_key)] = sorted(chunks, key=lambda chunk: chunk.position)
        if had or chunks:
            self._versions[site_id] += 1

    async def for_site(self, site_id: SiteId) -> list[Chunk]:
        return [chunk for key in sorted(k for k in self._chunks if k[0] == site_id) for chunk in self._chunks[key]]

    async def version(self, site_id: SiteId) -> int:
        return self._versions.get(site_id, 0)

    async def erase_site(self, site_id: SiteId) -> None:
        keys = [key for key in self._chunks if key[0] == site_id]
        for key in keys:
            del self._chunks[key]
        if keys:
            self._versions[site_id] += 1
