from datetime import datetime
from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, patch
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from ragsell.application.conversations.owner_conversations import GetTranscript, ListConversations
from ragsell.application.leads.list_leads import ListLeads
from ragsell.application.leads.set_lead_status import SetLeadStatus
from ragsell.application.ports.repositories import ListCursor
from ragsell.domain.leads import LeadStatus
from ragsell.entrypoints.http.dashboard.schemas import (
    ConversationView,
    LeadStatusBody,
    LeadView,
    TranscriptView,
    conversation_view,
    lead_view,
    transcript_view,
)
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page")]
Before = Annotated[datetime | None, QueryParameter(description="The next page: the last item's time")]
BeforeId = Annotated[
    str | None, QueryParameter(name="beforeId", max_length=64, description="The next page: the last item's id")
]


def _cursor(before: datetime | None, before_id: str | None) -> ListCursor | None:
    return None if before is None else ListCursor(at=before, id=before_id or "")


class ConversationController(Controller):
    path = "/api/sites/{site_id:str}/conversations"
    tags = ["conversations"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="Conversations, most recently active first")
    async def list_conversations(
        self,
        auth: Auth,
        site_id: FromPath[str],
        list_conversations: FromDishka[ListConversations],
        before: Before = None,
        before_id: BeforeId = None,
        limit: Limit = 50,
    ) -> list[ConversationView]:
        cursor = _cursor(before, before_id)
        found = await list_conversations(auth.owner.id, site_id, before=cursor, limit=limit)
        return [conversation_view(conversation) for conversation in found]

    @get("/{conversation_id:str}", summary="A conversation's transcript")
    async def transcript(
        self,
        auth: Auth,
        site_id: FromPath[str],
        conversation_id: FromPath[str],
        get_transcript: FromDishka[GetTranscript],
    ) -> TranscriptView:
        return transcript_view(await get_transcript(auth.owner.id, site_id, conversation_id))


class LeadController(Controller):
    path = "/api/sites/{site_id:str}/leads"
    tags = ["leads"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="Leads, newest first")
    async def list_leads(
        self,
        auth: Auth,
        site_id: FromPath[str],
        list_leads: FromDishka[ListLeads],
        before: Before = None,
        before_id: BeforeId = None,
        limit: Limit = 50,
    ) -> list[LeadView]:
        found = await list_leads(auth.owner.id, site_id, before=_cursor(before, before_id), limit=limit)
        return [lead_view(lead) for lead in found]

    @patch("/{lead_id:str}", status_code=204, summary="Mark a lead new, contacted or closed")
    async def set_status(
        self,
        auth: Auth,
        site_id: FromPath[str],
        lead_id: FromPath[str],
        data: JSONBody[LeadStatusBody],
        set_status: FromDishka[SetLeadStatus],
    ) -> None:
        await set_status(auth.owner.id, site_id, lead_id, LeadStatus(data.status))
