from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import SNIPPETS
from ragsell.application.ports.repositories import SnippetRepository
from ragsell.domain.ids import SiteId, SnippetId
from ragsell.domain.knowledge import Snippet


class MongoSnippetRepository(SnippetRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._snippets = db[SNIPPETS]

    async def add(self, snippet: Snippet) -> None:
        with duplicate_key("id"):
            await self._snippets.insert_one(encode(snippet))

    async def list_for_site(self, site_id: SiteId) -> list[Snippet]:
        cursor = self._snippets.find({"site_id": site_id}).sort([("created_at", 1), ("_id", 1)])
        return [decode(document, Snippet) async for document in cursor]

    async def remove(self, site_id: SiteId, snippet_id: SnippetId) -> bool:
        return (await self._snippets.delete_one({"_id": snippet_id, "site_id": site_id})).deleted_count == 1
