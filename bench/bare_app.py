"""The ceiling for ``bench.http_load``: a bare Litestar app with no store, served by
uvicorn with the settings ``ragsell serve`` uses (one process, no access log, no
server header, no proxy headers, the same event loop and HTTP implementation).

    .venv/bin/python -m bench.bare_app --port 8001

``GET /bare`` answers a small JSON object; ``POST /bare`` accepts a JSON body shaped
like the widget's page view (a msgspec Struct, decoded and validated) and answers 204.
"""

import argparse
from typing import Annotated

import msgspec
import uvicorn
from litestar import Litestar, get, post
from litestar.status_codes import HTTP_204_NO_CONTENT


class BareBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    visitor_id: Annotated[str, msgspec.Meta(min_length=36, max_length=36)]
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    referrer: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)] | None = None


class BareView(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    site_name: str
    assistant_name: str
    greeting: str
    voice_enabled: bool


_VIEW = BareView(site_name="Acme", assistant_name="Assistant", greeting="Hi! How can I help?", voice_enabled=False)


@get("/bare", cache=False)
async def bare_get() -> BareView:
    return _VIEW


@post("/bare", status_code=HTTP_204_NO_CONTENT)
async def bare_post(data: BareBody) -> None:
    return None


def create_app() -> Litestar:
    return Litestar(route_handlers=[bare_get, bare_post], logging_config=None, debug=False, openapi_config=None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.bare_app", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args(argv)
    # The same uvicorn settings as ragsell.entrypoints.cli._serve.
    config = uvicorn.Config(
        create_app(),
        host=arguments.host,
        port=arguments.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
