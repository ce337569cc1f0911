"""Privacy requests on a site's pages: export or erase one visitor's data (found by
visitor id, email or phone), and the record of requests handled."""

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Request, Response, get, post
from litestar.params import FromPath

from ragsell.application.privacy.audit import ListPrivacyRequests
from ragsell.application.privacy.erase_visitor_data import EraseVisitorData, VisitorErasure
from ragsell.application.privacy.export_visitor_data import ExportVisitorData, VisitorExport
from ragsell.application.privacy.requests import VisitorQuery
from ragsell.application.sites.get_site import GetSite
from ragsell.domain.errors import DomainError, InvalidValue
from ragsell.domain.sites import Site
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.forms import Form, form_error, read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import PAGE_HEADERS, page
from ragsell.entrypoints.http.dashboard.security import Auth

KINDS = (("visitor_id", "Visitor id"), ("email", "Email address"), ("phone", "Phone number"))


def _query(form: Form) -> VisitorQuery:
    kind = form.choice("kind", tuple(key for key, _ in KINDS), "ways to find a visitor")
    value = form.text("value").strip()
    if not value:
        raise InvalidValue("Enter the visitor id, email address or phone number to look for.", field="value")
    return VisitorQuery(**{kind: value})


async def _privacy_page(
    request: Request,
    auth: Auth,
    site: Site,
    requests: ListPrivacyRequests,
    *,
    form: Form | None = None,
    error: DomainError | None = None,
    exported: VisitorExport | None = None,
    erased: VisitorErasure | None = None,
) -> Any:
    handled = [entry for entry in await requests(auth.owner.id) if entry.site_id in (site.id, None)]
    values = context(
        request,
        auth,
        section="privacy",
        site=site,
        form=form or Form({"kind": ["visitor_id"]}),
        error=error,
        kinds=KINDS,
        exported=exported,
        erased=erased,
        handled=handled,
    )
    return page("site_privacy.html", values, status=200 if error is None else 422)


@get("/sites/{site_id:str}/privacy", dependencies=AUTH, include_in_schema=False)
async def privacy_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    requests: FromDishka[ListPrivacyRequests],
) -> Any:
    return await _privacy_page(request, auth, await get_site(auth.owner.id, site_id), requests)


@post("/sites/{site_id:str}/privacy/export", dependencies=AUTH, include_in_schema=False)
async def export_visitor(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    export: FromDishka[ExportVisitorData],
    requests: FromDishka[ListPrivacyRequests],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    try:
        exported = await export(auth.owner.id, _query(form), site_id=site.id)
    except DomainError as error:
        return await _privacy_page(request, auth, site, requests, form=form, error=form_error(error))
    if form.text("format") == "json":
        headers = {**PAGE_HEADERS, "Content-Disposition": 'attachment; filename="visitor-data.json"'}
        return Response(msgspec.json.encode(exported), media_type="application/json", headers=headers)
    return await _privacy_page(request, auth, site, requests, form=form, exported=exported)


@post("/sites/{site_id:str}/privacy/erase", dependencies=AUTH, include_in_schema=False)
async def erase_visitor(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    erase: FromDishka[EraseVisitorData],
    requests: FromDishka[ListPrivacyRequests],
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    form = await read_form(request)
    try:
        if not form.checked("confirm"):
            raise InvalidValue("Tick the box to confirm: erased data cannot be brought back.", field="confirm")
        erased = await erase(auth.owner.id, _query(form), site_id=site.id)
    except DomainError as error:
        return await _privacy_page(request, auth, site, requests, form=form, error=form_error(error))
    return await _privacy_page(request, auth, site, requests, erased=erased)


PRIVACY_PAGES = [privacy_page, export_visitor, erase_visitor]
