"""The widget's weight on an owner's page, measured on the bytes ragsell serves."""

import gzip
import re

import httpx

from ragsell.entrypoints.http.widget.assets import build_assets

LOADER_BUDGET = 5 * 1024
UI_BUDGET = 30 * 1024
SITE = {"origin": "https://shop.example"}


def gzipped_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


async def fetch_both(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
    loader = await client.get("/widget.js", headers=SITE)
    ui_path = re.search(rb"/widget/ui\.[0-9a-f]{16}\.js", loader.content)
    assert ui_path is not None, "the loader names the UI by its versioned address"
    return loader, await client.get(ui_path.group().decode(), headers=SITE)


async def test_loader_and_ui_stay_within_their_gzip_budgets(client: httpx.AsyncClient) -> None:
    loader, ui = await fetch_both(client)
    assert loader.status_code == ui.status_code == 200
    assert gzipped_size(loader.content) <= LOADER_BUDGET, f"loader: {gzipped_size(loader.content)} bytes gzipped"
    assert gzipped_size(ui.content) <= UI_BUDGET, f"UI: {gzipped_size(ui.content)} bytes gzipped"


async def test_the_bytes_and_the_ui_version_are_the_same_on_every_build(client: httpx.AsyncClient) -> None:
    loader, ui = await fetch_both(client)
    again = build_assets()
    assert (again.loader, again.ui) == (loader.content, ui.content)
    assert again.ui_path == str(ui.url.path)


async def test_loader_is_cached_briefly_and_the_versioned_ui_for_good(client: httpx.AsyncClient) -> None:
    loader, ui = await fetch_both(client)
    assert loader.headers["cache-control"] == "public, max-age=300"
    assert ui.headers["cache-control"] == "public, max-age=31536000, immutable"
    for response in (loader, ui):
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["x-content-type-options"] == "nosniff"
        # The UI is imported as a module from the owner's origin: a CORS request.
        assert response.headers["access-control-allow-origin"] == "*"
        assert "set-cookie" not in response.headers


async def test_an_older_ui_version_is_not_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/widget/ui.0000000000000000.js")).status_code == 404


async def test_the_assets_hold_no_placeholder_and_name_no_other_host(client: httpx.AsyncClient) -> None:
    loader, ui = await fetch_both(client)
    for body in (loader.content, ui.content):
        assert b"__RAGSELL_" not in body
        # No address of another host: the widget loads nothing from third parties.
        assert re.findall(rb"https?://[a-z0-9.-]+", body) == []
