"""CORS for the widget API, per site: only the site's allowed origins, and ragsell's own
origin (where its demo page runs), get an answer a browser will use. A site with an empty
list admits no other browser origin at all.

The use cases check the origin again on every request; this layer decides what
the browser is told, including for preflight requests, which never reach a handler.
"""

from collections.abc import Awaitable, Callable

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import WidgetKey, is_widget_key

PREFIX = "/widget/v1/sites/"
ALLOWED_METHODS = b"GET, POST"
ALLOWED_HEADERS = b"content-type, x-visitor-id, x-client-message-id"
PREFLIGHT_MAX_AGE = b"600"

OriginsLookup = Callable[[Scope, str], Awaitable[frozenset[str]]]


def site_origins_lookup(own_origin: str) -> OriginsLookup:
    """The origins a site's widget is admitted from: its allowed origins and ``own_origin``;
    none for an unknown widget key. (The site repository remembers sites by widget key
    for a moment, so this costs no store round trip on a busy site.)"""

    async def lookup(scope: Scope, widget_key: str) -> frozenset[str]:
        if not is_widget_key(widget_key):
            return frozenset()
        sites: SiteRepository = await scope["app"].state.dishka_container.get(SiteRepository)
        site = await sites.by_widget_key(WidgetKey(widget_key))
        return frozenset((*site.allowed_origins, own_origin)) if site is not None else frozenset()

    return lookup


async def _refuse_preflight(send: Send) -> None:
    body = msgspec.json.encode(
        {"code": "origin_not_allowed", "message": "This site's widget is not enabled on this origin."}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _accept_preflight(send: Send, origin: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-methods", ALLOWED_METHODS),
                (b"access-control-allow-headers", ALLOWED_HEADERS),
                (b"access-control-max-age", PREFLIGHT_MAX_AGE),
                (b"vary", b"Origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def widget_cors_middleware(app: ASGIApp, own_origin: str) -> ASGIApp:
    origins_of = site_origins_lookup(own_origin)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await app(scope, receive, send)
            return
        origin = dict(scope["headers"]).get(b"origin")
        if origin is None:
            await app(scope, receive, send)
            return
        widget_key = scope["path"].removeprefix(PREFIX).split("/", 1)[0]
        allowed = origin.decode("latin-1") in await origins_of(scope, widget_key)
        if scope["method"] == "OPTIONS":
            await (_accept_preflight(send, origin) if allowed else _refuse_preflight(send))
            return
        if not allowed:
            await app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", origin),
                    (b"vary", b"Origin"),
                ]
            await send(message)

        await app(scope, receive, send_with_cors)

    return middleware
