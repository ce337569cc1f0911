"""What every page handler shares: the logged-in owner, the page context, and errors
answered as pages (a missing session sends the browser to the log-in page)."""

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_500_INTERNAL_SERVER_ERROR

from ragsell.application.accounts.current_owner import Authenticated
from ragsell.application.errors import NotAuthenticated
from ragsell.domain.errors import DomainError
from ragsell.domain.sites import Site
from ragsell.entrypoints.http.dashboard.pages.rendering import notice_text, page, redirect
from ragsell.entrypoints.http.errors import domain_error_response
from ragsell.entrypoints.http.request_context import client_ip

log = logging.getLogger("ragsell.pages")

_TITLES = {400: "This request is not valid", 403: "Not allowed", 404: "Not found", 429: "Slow down"}


def context(request: Request, auth: Authenticated | None, **values: Any) -> dict[str, Any]:
    """The values every page template may use, and the page's own."""
    site: Site | None = values.get("site")
    return {
        "owner": None if auth is None else auth.owner,
        "csrf_token": "" if auth is None else auth.session.csrf_token,
        "notice": notice_text(request.query_params.get("notice")),
        "site": site,
        "section": "",
        "form": None,
        "error": None,
        **values,
    }


def client(request: Request) -> tuple[str, str]:
    """The client's address and user agent, as sessions record them."""
    settings = request.app.state.settings
    return client_ip(request, trust_proxy_headers=settings.trust_proxy_headers), request.headers.get("user-agent", "")


def _error_page(request: Request, status: int, message: str) -> Template:
    values = context(request, None, title=_TITLES.get(status, "Something went wrong"), message=message)
    return page("error.html", values, status=status)


def page_domain_error(request: Request, error: DomainError) -> Response[Any]:
    if isinstance(error, NotAuthenticated):
        # Back to the page after logging in; a form's post is not repeated.
        target = request.url.path if request.method == "GET" else "/"
        return redirect("/login" if target == "/" else f"/login?{urlencode({'next': target})}")
    # The status the JSON API would give, the message as a page.
    status = domain_error_response(request, error).status_code
    return _error_page(request, status, error.message)  # type: ignore[return-value]


def page_http_error(request: Request, error: HTTPException) -> Response[Any]:
    if isinstance(error, ValidationException):
        return _error_page(request, HTTP_400_BAD_REQUEST, "This address or form is not valid.")  # type: ignore[return-value]
    return _error_page(request, error.status_code, str(error.detail))  # type: ignore[return-value]


def page_internal_error(request: Request, error: Exception) -> Response[Any]:
    log.exception("unhandled error", extra={"path": request.url.path})
    message = "Something went wrong on our side; please try again."
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, message)  # type: ignore[return-value]


PAGE_EXCEPTION_HANDLERS = {
    DomainError: page_domain_error,
    HTTPException: page_http_error,
    Exception: page_internal_error,
}
