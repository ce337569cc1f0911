"""The widget's weight on an owner's page, measured on the bytes ragsell serves."""

import gzip
import re

import httpx

from ragsell.entrypoints.http.widget.assets import build_assets

LOADER_BUDGET = 5 * 1024
UI_BUDGET = 30 * 1024
SITE = {"origin": "https://shop.example"}


async def fetch_both(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
    loader = await client.get("/widget.js", headers=SITE)
    ui_path = re.search(rb"/widget/ui\.[0-9a-f]{16}\.js", loader.content)
    assert ui_path is not None, "the loader names the UI by its versioned address"
    return loader, await client.get(ui_path.group().decode(), headers=SITE)


async def sent_bytes(client: httpx.AsyncClient, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """The response and the bytes that went over the wire, before any decoding."""
    async with client.stream("GET", path, headers={**SITE, "accept-encoding": accept_encoding}) as response:
        return response, b"".join([piece async for piece in response.aiter_raw()])


async def test_loader_and_ui_stay_within_their_budgets_as_sent(client: httpx.AsyncClient) -> None:
    assets = build_assets()
    loader, loader_sent = await sent_bytes(client, "/widget.js", "gzip, deflate, br")
    ui, ui_sent = await sent_bytes(client, assets.ui_path, "gzip, deflate, br")

    assert loader.status_code == ui.status_code == 200
    assert len(loader_sent) <= LOADER_BUDGET, f"loader: {len(loader_sent)} bytes gzipped"
    assert len(ui_sent) <= UI_BUDGET, f"UI: {len(ui_sent)} bytes gzipped"


async def test_scripts_go_gzipped_to_browsers_that_accept_it_and_plain_to_others(client: httpx.AsyncClient) -> None:
    assets = build_assets()
    scripts = {"/widget.js": assets.loader, assets.ui_path: assets.ui, assets.livekit_path: assets.livekit}
    for path, script in scripts.items():
        gzipped, gzipped_sent = await sent_bytes(client, path, "gzip")
        plain, plain_sent = await sent_bytes(client, path, "identity")
        refused, refused_sent = await sent_bytes(client, path, "gzip;q=0")

        assert (gzipped.headers["content-encoding"], gzip.decompress(gzipped_sent)) == ("gzip", script.plain)
        assert "content-encoding" not in plain.headers and plain_sent == script.plain
        assert "content-encoding" not in refused.headers and refused_sent == script.plain
        assert {gzipped.headers["vary"], plain.headers["vary"]} == {"Accept-Encoding"}


async def test_the_bytes_and_the_ui_version_are_the_same_on_every_build(client: httpx.AsyncClient) -> None:
    loader, ui = await fetch_both(client)
    again = build_assets()
    assert (again.loader.plain, again.ui.plain) == (loader.content, ui.content)
    assert again.ui == build_assets().ui
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


async def test_livekits_sdk_is_one_module_cached_for_good_that_any_site_may_import(client: httpx.AsyncClient) -> None:
    assets = build_assets()
    assert re.fullmatch(r"/widget/livekit-client-\d+\.\d+\.\d+\.mjs", assets.livekit_path)
    sdk = await client.get(assets.livekit_path, headers=SITE)

    assert sdk.status_code == 200
    assert sdk.headers["content-type"] == "text/javascript; charset=utf-8"
    assert sdk.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Imported as a module by the UI on the owner's page: a CORS request.
    assert sdk.headers["access-control-allow-origin"] == "*"
    # One file, bundled: it imports nothing else, and names its licence first.
    assert re.search(rb"\bimport\b", sdk.content) is None
    assert sdk.content.startswith(b"/*! livekit-client ") and b"Apache License 2.0" in sdk.content[:500]
