"""The dashboard's stylesheet and script, served by ragsell under addresses that name
their content, so browsers keep them for good and never use a stale one."""

import hashlib
from importlib.resources import files

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler

_STATIC = files("ragsell.entrypoints.http.dashboard") / "static"
_TYPES = {"css": "text/css", "js": "text/javascript"}
FOREVER = "public, max-age=31536000, immutable"


class Asset(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    body: bytes
    media_type: str


def _asset(name: str) -> Asset:
    body = _STATIC.joinpath(name).read_bytes()
    stem, extension = name.rsplit(".", 1)
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(path=f"/assets/{stem}.{digest}.{extension}", body=body, media_type=_TYPES[extension])


ASSETS = {name: _asset(name) for name in ("dashboard.css", "dashboard.js")}


def asset_url(name: str) -> str:
    return ASSETS[name].path


def asset_routes() -> list[HTTPRouteHandler]:
    def route(asset: Asset) -> HTTPRouteHandler:
        @get(asset.path, include_in_schema=False, name=asset.path)
        async def serve() -> Response[bytes]:
            headers = {"Cache-Control": FOREVER, "X-Content-Type-Options": "nosniff"}
            return Response(asset.body, media_type=asset.media_type, headers=headers)

        return serve

    return [route(asset) for asset in ASSETS.values()]
