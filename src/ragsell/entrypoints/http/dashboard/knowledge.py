from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from ragsell.application.knowledge.add_snippet import AddSnippet, AddSnippetCommand
from ragsell.application.knowledge.crawl_status import CrawlStatus
from ragsell.application.knowledge.delete_snippet import DeleteSnippet
from ragsell.application.knowledge.list_pages import ListPages
from ragsell.application.knowledge.list_snippets import ListSnippets
from ragsell.application.knowledge.remove_page import RemovePage
from ragsell.application.knowledge.request_crawl import RequestCrawl
from ragsell.application.knowledge.try_answer import TryAnswer, TryAnswerCommand
from ragsell.domain.knowledge import SnippetKind
from ragsell.entrypoints.http.dashboard.schemas import (
    AddSnippetBody,
    CrawlJobView,
    KnowledgePageView,
    SnippetView,
    TriedAnswerView,
    TryAnswerBody,
    tried_answer_view,
)
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated
from ragsell.entrypoints.http.wire import view_of


class SnippetController(Controller):
    path = "/api/sites/{site_id:str}/snippets"
    tags = ["knowledge"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="Texts and Q&A pairs the owner added")
    async def list_snippets(
        self, auth: Auth, site_id: FromPath[str], list_snippets: FromDishka[ListSnippets]
    ) -> list[SnippetView]:
        return [view_of(snippet, SnippetView) for snippet in await list_snippets(auth.owner.id, site_id)]

    @post("/", status_code=HTTP_201_CREATED, summary="Add a text or a Q&A pair")
    async def add_snippet(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[AddSnippetBody], add_snippet: FromDishka[AddSnippet]
    ) -> SnippetView:
        snippet = await add_snippet(
            AddSnippetCommand(
                owner_id=auth.owner.id,
                site_id=site_id,
                kind=SnippetKind(data.kind),
                title=data.title,
                text=data.text,
                question=data.question,
            )
        )
        return view_of(snippet, SnippetView)

    @delete("/{snippet_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove a text or Q&A pair")
    async def delete_snippet(
        self, auth: Auth, site_id: FromPath[str], snippet_id: FromPath[str], delete_snippet: FromDishka[DeleteSnippet]
    ) -> None:
        await delete_snippet(auth.owner.id, site_id, snippet_id)


class PageController(Controller):
    path = "/api/sites/{site_id:str}"
    tags = ["knowledge"]
    dependencies = {"auth": Provide(authenticated)}

    @post("/crawls", status_code=HTTP_202_ACCEPTED, summary="Crawl the site now (or get the crawl already under way)")
    async def crawl_now(
        self, auth: Auth, site_id: FromPath[str], request_crawl: FromDishka[RequestCrawl]
    ) -> CrawlJobView:
        return view_of(await request_crawl(auth.owner.id, site_id), CrawlJobView)

    @get("/crawls/latest", summary="The latest crawl and its progress")
    async def latest_crawl(
        self, auth: Auth, site_id: FromPath[str], status: FromDishka[CrawlStatus]
    ) -> CrawlJobView | None:
        job = await status(auth.owner.id, site_id)
        return view_of(job, CrawlJobView) if job is not None else None

    @get("/pages", summary="Every page the crawls met, with its outcome, in URL order")
    async def list_pages(
        self,
        auth: Auth,
        site_id: FromPath[str],
        list_pages: FromDishka[ListPages],
        after: Annotated[str | None, QueryParameter(description="Only pages after this URL", max_length=2048)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[KnowledgePageView]:
        found = await list_pages(auth.owner.id, site_id, after_url=after, limit=limit)
        return [view_of(page, KnowledgePageView) for page in found]

    @delete("/pages", status_code=HTTP_204_NO_CONTENT, summary="Remove a page and keep it out of later crawls")
    async def remove_page(
        self,
        auth: Auth,
        site_id: FromPath[str],
        remove_page: FromDishka[RemovePage],
        url: Annotated[str, QueryParameter(min_length=1, max_length=2048)],
    ) -> None:
        await remove_page(auth.owner.id, site_id, url)

    @post(
        "/answers/try",
        status_code=200,
        summary="Ask as a visitor would: the answer and the passages behind it (not stored, not metered)",
    )
    async def try_answer(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[TryAnswerBody], try_answer: FromDishka[TryAnswer]
    ) -> TriedAnswerView:
        tried = await try_answer(TryAnswerCommand(owner_id=auth.owner.id, site_id=site_id, question=data.question))
        return tried_answer_view(tried)
