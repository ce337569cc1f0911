"""The widget's scripts, served by ragsell itself.

- ``/widget.js``: the loader owners paste into their pages. Its address never changes,
  so browsers keep it only briefly; it names the chat UI by a versioned address.
- ``/widget/ui.<version>.js``: the chat UI with its CSS and words built in, imported by the
  loader when a visitor opens the chat. The version is a hash of its bytes, so it is
  cached for good. Both are fetched from the owners' sites: any origin may load them.
- ``/widget/livekit-client-<version>.mjs``: LiveKit's browser SDK, vendored as one minified
  ES module, which the UI imports only when a visitor starts a live call. Its name holds
  its version, so it is cached for good too.

Each is compressed once, at start-up, and sent gzipped to browsers that accept it (all
of them): the widget stays small on the owners' pages without a proxy that compresses.
"""

import gzip
import hashlib
import json
from importlib.resources import files

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

LOADER_CACHE = "public, max-age=300"
UI_CACHE = "public, max-age=31536000, immutable"
# Litestar adds "; charset=utf-8" to text types.
JAVASCRIPT = "text/javascript"
_STATIC = files(__package__) / "static"


class Script(msgspec.Struct, frozen=True):
    plain: bytes
    gzipped: bytes

    @classmethod
    def of(cls, body: bytes) -> "Script":
        # mtime=0: the same bytes on every build.
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0))


class WidgetAssets(msgspec.Struct, frozen=True, kw_only=True):
    loader: Script
    ui: Script
    ui_path: str
    livekit: Script
    livekit_path: str


def _fill(source: str, **values: str) -> str:
    for name, value in values.items():
        placeholder = f"__RAGSELL_{name.upper()}__"
        if source.count(placeholder) != 1:
            raise ValueError(f"{placeholder} must appear once in the widget source.")
        source = source.replace(placeholder, value)
    return source


def build_assets() -> WidgetAssets:
    def read(name: str) -> str:
        return _STATIC.joinpath(name).read_text(encoding="utf-8")

    strings = json.loads(read("strings.json"))
    css = " ".join(read("ui.css").split())
    ui = _fill(
        read("ui.js"), css=json.dumps(css), strings=json.dumps(strings, ensure_ascii=False, separators=(",", ":"))
    ).encode()
    ui_path = f"/widget/ui.{hashlib.sha256(ui).hexdigest()[:16]}.js"
    labels = {language: words["open"] for language, words in strings.items()}
    loader = _fill(read("loader.js"), ui=ui_path, labels=json.dumps(labels, ensure_ascii=False)).encode()
    [livekit] = [
        entry for entry in _STATIC.iterdir() if entry.name.startswith("livekit-client-") and entry.name.endswith(".mjs")
    ]
    return WidgetAssets(
        loader=Script.of(loader),
        ui=Script.of(ui),
        ui_path=ui_path,
        livekit=Script.of(livekit.read_bytes()),
        livekit_path=f"/widget/{livekit.name}",
    )


def _accepts_gzip(request: Request) -> bool:
    for coding in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, parameters = coding.partition(";")
        if name.strip() == "gzip":
            return parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _script(request: Request, script: Script, cache: str) -> Response[bytes]:
    gzipped = _accepts_gzip(request)
    return Response(
        script.gzipped if gzipped else script.plain,
        media_type=JAVASCRIPT,
        headers={
            "Cache-Control": cache,
            **({"Content-Encoding": "gzip"} if gzipped else {}),
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            # The UI is imported as a module from the owners' pages: a CORS request.
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


def widget_asset_routes() -> list[HTTPRouteHandler]:
    assets = build_assets()

    @get("/widget.js", include_in_schema=False)
    async def widget_loader(request: Request) -> Response[bytes]:
        return _script(request, assets.loader, LOADER_CACHE)

    @get(assets.ui_path, include_in_schema=False)
    async def widget_ui(request: Request) -> Response[bytes]:
        return _script(request, assets.ui, UI_CACHE)

    @get(assets.livekit_path, include_in_schema=False)
    async def widget_livekit(request: Request) -> Response[bytes]:
        return _script(request, assets.livekit, UI_CACHE)

    return [widget_loader, widget_ui, widget_livekit]
