"""Conversations (newest first, paged), a transcript with the visitor's page views, and leads."""

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter

from ragsell.application.conversations.owner_conversations import (
    MAX_PAGE_SIZE,
    GetTranscript,
    ListConversations,
    SearchConversations,
)
from ragsell.application.conversations.visitor_page_views import VisitorPageViews
from ragsell.application.leads.list_leads import ListLeads
from ragsell.application.leads.set_lead_status import SetLeadStatus
from ragsell.application.sites.get_site import GetSite
from ragsell.domain.errors import DomainError
from ragsell.domain.leads import LeadStatus
from ragsell.entrypoints.http.dashboard.conversations import Before, BeforeId, list_cursor
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.forms import read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import page, query_string, redirect
from ragsell.entrypoints.http.dashboard.security import Auth

PAGE_SIZE = 25


def next_page(path: str, items: list[Any], at: str) -> str | None:
    """The next page's address when there is one (``items`` holds one more than shown)."""
    if len(items) <= PAGE_SIZE:
        return None
    last = items[PAGE_SIZE - 1]
    return f"{path}?{query_string(before=getattr(last, at).isoformat(), beforeId=last.id)}"


@get("/sites/{site_id:str}/conversations", dependencies=AUTH, include_in_schema=False)
async def conversations_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    list_conversations: FromDishka[ListConversations],
    search: FromDishka[SearchConversations],
    before: Before = None,
    before_id: BeforeId = None,
    q: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    query = " ".join(q.split()) if q else None
    error, next_url = None, None
    if query:
        try:
            found = await search(auth.owner.id, site.id, query, limit=MAX_PAGE_SIZE)
        except DomainError as refused:
            found, error = [], refused.message
    else:
        found = await list_conversations(
            auth.owner.id, site.id, before=list_cursor(before, before_id), limit=PAGE_SIZE + 1
        )
        next_url = next_page(request.url.path, found, "last_message_at")
    values = context(
        request,
        auth,
        section="conversations",
        site=site,
        conversations=found[:PAGE_SIZE] if not query else found,
        paged=before is not None,
        next_url=next_url,
        query=query,
        error=error,
    )
    return page("conversations.html", values)


@get("/sites/{site_id:str}/conversations/{conversation_id:str}", dependencies=AUTH, include_in_schema=False)
async def transcript_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    conversation_id: FromPath[str],
    get_site: FromDishka[GetSite],
    get_transcript: FromDishka[GetTranscript],
    page_views: FromDishka[VisitorPageViews],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    transcript = await get_transcript(auth.owner.id, site.id, conversation_id)
    views = await page_views(auth.owner.id, site.id, transcript.conversation.visitor_id)
    values = context(
        request,
        auth,
        section="conversations",
        site=site,
        conversation=transcript.conversation,
        messages=transcript.messages,
        page_views=views,
    )
    return page("transcript.html", values)


@get("/sites/{site_id:str}/leads", dependencies=AUTH, include_in_schema=False)
async def leads_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    list_leads: FromDishka[ListLeads],
    before: Before = None,
    before_id: BeforeId = None,
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    found = await list_leads(auth.owner.id, site.id, before=list_cursor(before, before_id), limit=PAGE_SIZE + 1)
    values = context(
        request,
        auth,
        section="leads",
        site=site,
        leads=found[:PAGE_SIZE],
        statuses=[status.value for status in LeadStatus],
        csv_url=f"/api/sites/{site.id}/leads.csv",
        paged=before is not None,
        next_url=next_page(request.url.path, found, "created_at"),
    )
    return page("leads.html", values)


@post("/sites/{site_id:str}/leads/{lead_id:str}/status", dependencies=AUTH, include_in_schema=False)
async def set_lead_status(
    request: Request, auth: Auth, site_id: FromPath[str], lead_id: FromPath[str], set_status: FromDishka[SetLeadStatus]
) -> Any:
    form = await read_form(request)
    status = LeadStatus(form.choice("status", tuple(LeadStatus), "statuses"))
    await set_status(auth.owner.id, site_id, lead_id, status)
    leads = f"/sites/{site_id}/leads"
    back = form.text("back")
    return redirect(back if back.startswith(leads) else leads, notice="lead-updated")


CONVERSATION_PAGES = [conversations_page, transcript_page, leads_page, set_lead_status]
