"""The owner's privacy requests: a visitor's data exported or erased (on one site or all
of the owner's), the record of requests made, the account's own data exported, and the
account deleted."""

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from ragsell.application.privacy.audit import ListPrivacyRequests
from ragsell.application.privacy.delete_account import DeleteAccount, DeleteAccountCommand
from ragsell.application.privacy.erase_visitor_data import EraseVisitorData
from ragsell.application.privacy.export_account import ExportAccount
from ragsell.application.privacy.export_visitor_data import ExportVisitorData
from ragsell.entrypoints.http.dashboard.privacy_schemas import (
    AccountClosedView,
    AccountExportView,
    DeleteAccountBody,
    PrivacyRequestView,
    VisitorBody,
    VisitorErasureView,
    VisitorExportView,
)
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated, clear_session_cookie, settings_of
from ragsell.entrypoints.http.wire import view_of

# Exports hold personal data: no cache keeps a copy.
_NO_STORE = {"Cache-Control": "no-store"}


class PrivacyController(Controller):
    path = "/api"
    tags = ["privacy"]
    dependencies = {"auth": Provide(authenticated)}

    @post("/sites/{site_id:str}/privacy/export", status_code=200, summary="Export a visitor's data on one site")
    async def export_site_visitor(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[VisitorBody], export: FromDishka[ExportVisitorData]
    ) -> Response[VisitorExportView]:
        found = await export(auth.owner.id, data.query(), site_id=site_id)
        return Response(view_of(found, VisitorExportView), headers=_NO_STORE)

    @post("/sites/{site_id:str}/privacy/erase", status_code=200, summary="Erase a visitor's data on one site")
    async def erase_site_visitor(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[VisitorBody], erase: FromDishka[EraseVisitorData]
    ) -> VisitorErasureView:
        return view_of(await erase(auth.owner.id, data.query(), site_id=site_id), VisitorErasureView)

    @post("/privacy/visitors/export", status_code=200, summary="Export a visitor's data on all your sites")
    async def export_visitor(
        self, auth: Auth, data: JSONBody[VisitorBody], export: FromDishka[ExportVisitorData]
    ) -> Response[VisitorExportView]:
        return Response(view_of(await export(auth.owner.id, data.query()), VisitorExportView), headers=_NO_STORE)

    @post("/privacy/visitors/erase", status_code=200, summary="Erase a visitor's data on all your sites")
    async def erase_visitor(
        self, auth: Auth, data: JSONBody[VisitorBody], erase: FromDishka[EraseVisitorData]
    ) -> VisitorErasureView:
        return view_of(await erase(auth.owner.id, data.query()), VisitorErasureView)

    @get("/privacy/requests", summary="The privacy requests you made, newest first")
    async def requests(self, auth: Auth, list_requests: FromDishka[ListPrivacyRequests]) -> list[PrivacyRequestView]:
        return [view_of(request, PrivacyRequestView) for request in await list_requests(auth.owner.id)]

    @get("/account/export", summary="Export everything your account holds")
    async def export_account(self, auth: Auth, export: FromDishka[ExportAccount]) -> Response[AccountExportView]:
        return Response(view_of(await export(auth.owner), AccountExportView), headers=_NO_STORE)

    @delete("/account", status_code=200, summary="Delete your account (asks for your password again)")
    async def delete_account(
        self, request: Request, auth: Auth, data: JSONBody[DeleteAccountBody], delete_account: FromDishka[DeleteAccount]
    ) -> Response[AccountClosedView]:
        closed = await delete_account(
            DeleteAccountCommand(owner=auth.owner, password=data.password, immediately=data.immediately)
        )
        response = Response(view_of(closed, AccountClosedView), headers=_NO_STORE)
        clear_session_cookie(response, settings_of(request))
        return response
