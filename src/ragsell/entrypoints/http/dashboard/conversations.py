from datetime import datetime
from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, patch
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET

from ragsell.application.conversations.owner_conversations import (
    GetTranscript,
    ListConversations,
    SearchConversations,
)
from ragsell.application.leads.list_leads import ListLeads
from ragsell.application.leads.set_lead_status import SetLeadStatus
from ragsell.application.ports.repositories import ListCursor
from ragsell.application.privacy.correct_lead import CorrectLead, CorrectLeadCommand
from ragsell.domain.errors import InvalidValue
from ragsell.domain.leads import LeadStatus
from ragsell.entrypoints.http.dashboard.schemas import (
    ConversationView,
    LeadChangeBody,
    LeadView,
    TranscriptView,
)
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated
from ragsell.entrypoints.http.wire import view_of

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page")]
Before = Annotated[datetime | None, QueryParameter(description="The next page: the last item's time")]
BeforeId = Annotated[
    str | None, QueryParameter(name="beforeId", max_length=64, description="The next page: the last item's id")
]


def list_cursor(before: datetime | None, before_id: str | None) -> ListCursor | None:
    """The page after (``before``, ``before_id``), from the two query parameters."""
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
        search: FromDishka[SearchConversations],
        before: Before = None,
        before_id: BeforeId = None,
        limit: Limit = 50,
        q: Annotated[str | None, QueryParameter(max_length=200, description="Only those where this was said")] = None,
    ) -> list[ConversationView]:
        if q is not None:
            found = await search(auth.owner.id, site_id, q, limit=limit)
        else:
            found = await list_conversations(auth.owner.id, site_id, before=list_cursor(before, before_id), limit=limit)
        return [view_of(conversation, ConversationView) for conversation in found]

    @get("/{conversation_id:str}", summary="A conversation's transcript")
    async def transcript(
        self,
        auth: Auth,
        site_id: FromPath[str],
        conversation_id: FromPath[str],
        get_transcript: FromDishka[GetTranscript],
    ) -> TranscriptView:
        return view_of(await get_transcript(auth.owner.id, site_id, conversation_id), TranscriptView)


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
        found = await list_leads(auth.owner.id, site_id, before=list_cursor(before, before_id), limit=limit)
        return [view_of(lead, LeadView) for lead in found]

    @patch("/{lead_id:str}", status_code=204, summary="Set a lead's status, or correct its contact details")
    async def change_lead(
        self,
        auth: Auth,
        site_id: FromPath[str],
        lead_id: FromPath[str],
        data: JSONBody[LeadChangeBody],
        set_status: FromDishka[SetLeadStatus],
        correct: FromDishka[CorrectLead],
    ) -> None:
        correction = CorrectLeadCommand(
            owner_id=auth.owner.id,
            site_id=site_id,
            lead_id=lead_id,
            name=data.name,
            email=data.email,
            phone=data.phone,
            message=data.message,
        )
        if correction.changes_nothing and data.status is UNSET:
            raise InvalidValue("Send a status or contact details to change.")
        # The correction first: a detail it refuses leaves the status unchanged too.
        if not correction.changes_nothing:
            await correct(correction)
        if data.status is not UNSET:
            await set_status(auth.owner.id, site_id, lead_id, LeadStatus(data.status))
