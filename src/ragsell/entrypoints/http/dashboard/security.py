"""Dashboard sessions over HTTP: the cookie, the CSRF token and the same-origin rule."""

import hmac
from datetime import datetime

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler

from ragsell.application.accounts.current_owner import Authenticated, CurrentOwner
from ragsell.entrypoints.http.errors import Forbidden
from ragsell.entrypoints.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
# HTML forms cannot set headers: they send the token as this field instead.
CSRF_FIELD = "csrf_token"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class CrossSiteRequest(Forbidden):
    code = "cross_site_request"


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and Path=/.
    return "__Host-ragsell_session" if settings.uses_https else "ragsell_session"


def session_cookie(settings: Settings, token: str, expires_at: datetime, now: datetime) -> Cookie:
    return Cookie(
        key=cookie_name(settings),
        value=token,
        path="/",
        httponly=True,
        secure=settings.uses_https,
        samesite="lax",
        max_age=max(0, int((expires_at - now).total_seconds())),
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(cookie_name(settings), path="/")


def settings_of(connection: ASGIConnection) -> Settings:
    return connection.app.state.settings


def same_origin_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """State-changing dashboard requests must come from the dashboard's own pages.

    Browsers send Sec-Fetch-Site and Origin on cross-site requests; either one
    naming another site is refused, whatever cookies came with it.
    """
    if connection.scope["method"] in SAFE_METHODS:
        return
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CrossSiteRequest("Requests from other sites are not accepted.")
    origin = connection.headers.get("origin")
    if origin is None:
        return
    if origin not in own_origins(connection):
        raise CrossSiteRequest("Requests from other sites are not accepted.")


def own_origins(connection: ASGIConnection) -> set[str]:
    return {settings_of(connection).public_origin, f"{connection.url.scheme}://{connection.headers.get('host', '')}"}


def proves_same_origin(connection: ASGIConnection) -> bool:
    """The browser said the request comes from ragsell's own pages (not merely did not
    say otherwise, which is all the guard above asks)."""
    if connection.headers.get("sec-fetch-site") == "same-origin":
        return True
    return connection.headers.get("origin") in own_origins(connection)


async def sent_csrf_token(request: Request) -> str:
    """The token from the header or, on a form post that proves it is same-origin, from
    the form's ``csrf_token`` field: a form post is held to the header's rule and more."""
    if (header := request.headers.get(CSRF_HEADER)) is not None:
        return header
    if request.content_type[0] in FORM_TYPES and proves_same_origin(request):
        field = (await request.form()).get(CSRF_FIELD)
        return field if isinstance(field, str) else ""
    return ""


async def authenticated(request: Request) -> Authenticated:
    """The logged-in owner; on state-changing requests, also checks the CSRF token."""
    current_owner: CurrentOwner = await request.state.dishka_container.get(CurrentOwner)
    auth = await current_owner(request.cookies.get(cookie_name(settings_of(request))))
    if request.method not in SAFE_METHODS:
        sent = await sent_csrf_token(request)
        if not hmac.compare_digest(sent.encode(), auth.session.csrf_token.encode()):
            raise CsrfFailed("This request has no valid CSRF token; reload the page and try again.")
    return auth


Auth = NamedDependency[Authenticated]
"""A handler parameter ``auth: Auth`` gets the logged-in owner (see ``authenticated``)."""
