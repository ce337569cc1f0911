from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.dates import at_or_before, between, first_kept
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import LEADS
from ragsell.application.ports.repositories import LeadRepository, ListCursor
from ragsell.domain.ids import LeadId, SiteId, VisitorId
from ragsell.domain.leads import Lead, LeadStatus


class MongoLeadRepository(LeadRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._leads = db[LEADS]

    async def add(self, lead: Lead) -> None:
        with duplicate_key("id"):
            await self._leads.insert_one(encode(lead))

    async def get(self, site_id: SiteId, lead_id: LeadId) -> Lead | None:
        document = await self._leads.find_one({"_id": lead_id, "site_id": site_id})
        return None if document is None else decode(document, Lead)

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Lead]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {"site_id": site_id}
        if before is not None:
            query["created_at"] = at_or_before(before.at)
        cursor = self._leads.find(query).sort([("created_at", -1), ("_id", -1)]).batch_size(limit + 10)
        return await first_kept(
            cursor,
            decode=_lead,
            keep=lambda lead: before is None or before.admits(lead.created_at, lead.id),
            limit=limit,
        )

    async def set_status(self, site_id: SiteId, lead_id: LeadId, status: LeadStatus) -> bool:
        result = await self._leads.update_one({"_id": lead_id, "site_id": site_id}, {"$set": {"status": status.value}})
        return result.matched_count == 1

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Lead]:
        return await self._oldest_first({"site_id": site_id, "visitor_id": visitor_id})

    async def with_contact(self, site_id: SiteId, *, email: str | None = None, phone: str | None = None) -> list[Lead]:
        # One query per field rather than an $or, which nx-27017 answers with a scan.
        found: dict[LeadId, Lead] = {}
        for field, value in (("email", email), ("phone", phone)):
            if value is not None:
                found.update((lead.id, lead) for lead in await self._oldest_first({"site_id": site_id, field: value}))
        return sorted(found.values(), key=lambda lead: (lead.created_at, lead.id))

    async def _oldest_first(self, query: dict[str, Any]) -> list[Lead]:
        leads = [_lead(document) async for document in self._leads.find(query)]
        return sorted(leads, key=lambda lead: (lead.created_at, lead.id))

    async def replace(self, lead: Lead) -> bool:
        result = await self._leads.replace_one({"_id": lead.id, "site_id": lead.site_id}, encode(lead))
        return result.matched_count == 1

    async def remove(self, site_id: SiteId, lead_id: LeadId) -> bool:
        return (await self._leads.delete_one({"_id": lead_id, "site_id": site_id})).deleted_count == 1

    async def created_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Lead]:
        if limit <= 0:
            return []
        cursor = self._leads.find({"site_id": site_id, "created_at": between(since, until)}).sort(
            [("created_at", -1), ("_id", -1)]
        )
        return await first_kept(cursor, decode=_lead, keep=lambda lead: since <= lead.created_at <= until, limit=limit)


def _lead(document: Document) -> Lead:
    return decode(document, Lead)
