"""The knowledge page: crawling with live progress, the pages found, the owner's own
texts and Q&A pairs, and a box to try a question."""

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get, post
from litestar.params import FromPath

from ragsell.application.knowledge.add_snippet import AddSnippet, AddSnippetCommand
from ragsell.application.knowledge.crawl_status import CrawlStatus
from ragsell.application.knowledge.delete_snippet import DeleteSnippet
from ragsell.application.knowledge.list_pages import ListPages
from ragsell.application.knowledge.list_snippets import ListSnippets
from ragsell.application.knowledge.remove_page import RemovePage
from ragsell.application.knowledge.request_crawl import RequestCrawl
from ragsell.application.knowledge.try_answer import TriedAnswer, TryAnswer, TryAnswerCommand
from ragsell.application.sites.get_site import GetSite
from ragsell.domain.errors import DomainError
from ragsell.domain.knowledge import MAX_SNIPPET_TITLE_LENGTH, SnippetKind
from ragsell.domain.sites import Site
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.forms import Form, form_error, read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import page, query_string, redirect
from ragsell.entrypoints.http.dashboard.security import Auth

PAGE_SIZE = 50
SNIPPET_PAGE_SIZE = 20


class KnowledgeView:
    """Everything the knowledge page shows, read with the use cases."""

    def __init__(self, crawl_status: CrawlStatus, list_pages: ListPages, list_snippets: ListSnippets) -> None:
        self._crawl_status = crawl_status
        self._list_pages = list_pages
        self._list_snippets = list_snippets

    async def values(self, auth: Auth, site: Site, request: Request) -> dict[str, Any]:
        after = request.query_params.get("after")
        pages = await self._list_pages(auth.owner.id, site.id, after_url=after, limit=PAGE_SIZE + 1)
        more_pages = len(pages) > PAGE_SIZE
        pages = pages[:PAGE_SIZE]
        snippets = await self._list_snippets(auth.owner.id, site.id)
        shown = _whole(request.query_params.get("snippets"))
        base = f"/sites/{site.id}/knowledge"
        return {
            "job": await self._crawl_status(auth.owner.id, site.id),
            "pages": pages,
            "pages_after": after,
            "next_pages": f"{base}?{query_string(after=pages[-1].url)}#pages" if more_pages else None,
            "snippets": snippets[shown : shown + SNIPPET_PAGE_SIZE],
            "next_snippets": f"{base}?{query_string(snippets=shown + SNIPPET_PAGE_SIZE)}#snippets"
            if len(snippets) > shown + SNIPPET_PAGE_SIZE
            else None,
            "snippet_count": len(snippets),
        }


def _whole(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else 0


async def _knowledge_page(
    request: Request,
    auth: Auth,
    site: Site,
    view: KnowledgeView,
    *,
    form: Form | None = None,
    error: DomainError | None = None,
    tried: TriedAnswer | None = None,
    form_for: str = "",
) -> Any:
    values = context(
        request,
        auth,
        section="knowledge",
        site=site,
        form=form or Form({"kind": ["text"]}),
        error=error,
        form_for=form_for,
        tried=tried,
        **await view.values(auth, site, request),
    )
    return page("knowledge.html", values, status=422 if error is not None else 200)


@get("/sites/{site_id:str}/knowledge", dependencies=AUTH, include_in_schema=False)
async def knowledge_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    crawl_status: FromDishka[CrawlStatus],
    list_pages: FromDishka[ListPages],
    list_snippets: FromDishka[ListSnippets],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    view = KnowledgeView(crawl_status, list_pages, list_snippets)
    if question := request.query_params.get("answer", "").strip():
        # "Add an answer" from analytics: the Q&A form, filled in with the question.
        form = Form({"kind": ["qa"], "title": [question[:MAX_SNIPPET_TITLE_LENGTH]], "question": [question]})
        return await _knowledge_page(request, auth, site, view, form=form, form_for="snippet")
    return await _knowledge_page(request, auth, site, view)


@post("/sites/{site_id:str}/knowledge/crawl", dependencies=AUTH, include_in_schema=False)
async def crawl_now(auth: Auth, site_id: FromPath[str], request_crawl: FromDishka[RequestCrawl]) -> Any:
    await request_crawl(auth.owner.id, site_id)
    return redirect(f"/sites/{site_id}/knowledge#crawl", notice="crawl-started")


@post("/sites/{site_id:str}/knowledge/pages/remove", dependencies=AUTH, include_in_schema=False)
async def remove_page(request: Request, auth: Auth, site_id: FromPath[str], remove: FromDishka[RemovePage]) -> Any:
    form = await read_form(request)
    await remove(auth.owner.id, site_id, form.text("url"))
    return redirect(f"/sites/{site_id}/knowledge#pages", notice="page-removed")


@post("/sites/{site_id:str}/knowledge/snippets", dependencies=AUTH, include_in_schema=False)
async def add_snippet(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    add: FromDishka[AddSnippet],
    crawl_status: FromDishka[CrawlStatus],
    list_pages: FromDishka[ListPages],
    list_snippets: FromDishka[ListSnippets],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    try:
        kind = SnippetKind(form.choice("kind", tuple(SnippetKind), "kinds"))
        await add(
            AddSnippetCommand(
                owner_id=auth.owner.id,
                site_id=site.id,
                kind=kind,
                title=form.text("title").strip(),
                text=form.text("text").strip(),
                question=form.optional("question") if kind is SnippetKind.QA else None,
            )
        )
    except DomainError as error:
        view = KnowledgeView(crawl_status, list_pages, list_snippets)
        return await _knowledge_page(request, auth, site, view, form=form, error=form_error(error), form_for="snippet")
    return redirect(f"/sites/{site.id}/knowledge#snippets", notice="snippet-added")


@post("/sites/{site_id:str}/knowledge/snippets/{snippet_id:str}/delete", dependencies=AUTH, include_in_schema=False)
async def delete_snippet(
    auth: Auth, site_id: FromPath[str], snippet_id: FromPath[str], delete: FromDishka[DeleteSnippet]
) -> Any:
    await delete(auth.owner.id, site_id, snippet_id)
    return redirect(f"/sites/{site_id}/knowledge#snippets", notice="snippet-deleted")


@post("/sites/{site_id:str}/knowledge/try", dependencies=AUTH, include_in_schema=False)
async def try_answer(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    try_answer: FromDishka[TryAnswer],
    crawl_status: FromDishka[CrawlStatus],
    list_pages: FromDishka[ListPages],
    list_snippets: FromDishka[ListSnippets],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    view = KnowledgeView(crawl_status, list_pages, list_snippets)
    try:
        command = TryAnswerCommand(owner_id=auth.owner.id, site_id=site.id, question=form.text("question"))
        tried = await try_answer(command)
    except DomainError as error:
        return await _knowledge_page(request, auth, site, view, form=form, error=form_error(error), form_for="try")
    return await _knowledge_page(request, auth, site, view, form=form, tried=tried)


KNOWLEDGE_PAGES = [knowledge_page, crawl_now, remove_page, add_snippet, delete_snippet, try_answer]
