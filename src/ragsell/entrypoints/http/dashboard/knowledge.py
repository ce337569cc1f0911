from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from ragsell.application.knowledge.add_snippet import AddSnippet, AddSnippetCommand
from ragsell.application.knowledge.delete_snippet import DeleteSnippet
from ragsell.application.knowledge.list_snippets import ListSnippets
from ragsell.domain.knowledge import SnippetKind
from ragsell.entrypoints.http.dashboard.schemas import AddSnippetBody, SnippetView, snippet_view
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated


class SnippetController(Controller):
    path = "/api/sites/{site_id:str}/snippets"
    tags = ["knowledge"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="Texts and Q&A pairs the owner added")
    async def list_snippets(
        self, auth: Auth, site_id: FromPath[str], list_snippets: FromDishka[ListSnippets]
    ) -> list[SnippetView]:
        return [snippet_view(snippet) for snippet in await list_snippets(auth.owner.id, site_id)]

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
        return snippet_view(snippet)

    @delete("/{snippet_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove a text or Q&A pair")
    async def delete_snippet(
        self, auth: Auth, site_id: FromPath[str], snippet_id: FromPath[str], delete_snippet: FromDishka[DeleteSnippet]
    ) -> None:
        await delete_snippet(auth.owner.id, site_id, snippet_id)
