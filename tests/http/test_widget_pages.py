"""The demo page and the privacy page ragsell serves, the widget admitted on ragsell's own
origin (where the demo page runs), and the widget's branding settings."""

import uuid

import httpx
import pytest

from ragsell.entrypoints.settings import Settings, load_settings
from tests.http.conftest import BASE_URL, Owner

OWN_ORIGIN = {"origin": BASE_URL}


@pytest.fixture
def settings() -> Settings:
    return load_settings(
        {}, public_url=BASE_URL, store="memory", page_view_retention_days=7, closed_account_grace_days=45
    )


@pytest.fixture
async def site(owner: Owner) -> dict:
    return await owner.add_site()


async def test_demo_page_embeds_the_sites_widget_from_ragsell_itself(site: dict, client: httpx.AsyncClient) -> None:
    page = await client.get(f"/demo/{site['widgetKey']}")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<script async src="/widget.js" data-site="{site["widgetKey"]}"></script>' in page.text
    assert "<h1>Acme</h1>" in page.text
    # The install snippet is shown for the owner to copy.
    assert f"&lt;script async src=&quot;{BASE_URL}/widget.js&quot; data-site=&quot;{site['widgetKey']}" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "set-cookie" not in page.headers


async def test_demo_page_of_an_unknown_widget_key_is_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/demo/pk_0000000000000000000000")).status_code == 404
    assert (await client.get("/demo/not-a-key")).status_code == 404


async def test_privacy_page_says_when_it_was_updated_and_how_long_data_is_kept(client: httpx.AsyncClient) -> None:
    page = await client.get("/privacy")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Last updated: 27 November 2026" in page.text
    assert "Raw page views are deleted\nafter 7 days." in page.text
    assert "its data is deleted after 45 days." in page.text
    assert "sets no cookies" in page.text
    assert "sensitive personal information" in page.text


async def test_ragsells_own_origin_is_admitted_for_every_site(owner: Owner, site: dict, client) -> None:
    # Even a site that admits no origin at all: the demo page runs on ragsell's own origin.
    cleared = await owner.client.patch(f"/api/sites/{site['id']}", json={"allowedOrigins": []}, headers=owner.csrf)
    assert cleared.json()["allowedOrigins"] == []
    base = f"/widget/v1/sites/{site['widgetKey']}"

    config = await client.get(f"{base}/config", headers=OWN_ORIGIN)
    preflight = await client.options(
        f"{base}/conversations", headers={**OWN_ORIGIN, "access-control-request-method": "POST"}
    )
    started = await client.post(f"{base}/conversations", json={"visitorId": str(uuid.uuid4())}, headers=OWN_ORIGIN)

    assert config.status_code == 200
    assert config.headers["access-control-allow-origin"] == BASE_URL
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == BASE_URL
    assert started.status_code == 201
    assert (await client.get(f"{base}/config", headers={"origin": "https://acme.example"})).status_code == 403


async def test_own_origin_gets_no_cors_answer_for_an_unknown_widget_key(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        "/widget/v1/sites/pk_0000000000000000000000/conversations",
        headers={**OWN_ORIGIN, "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers


BRANDING = {
    "assistantName": "Ada",
    "colour": "#0F766E",
    "greeting": "Hello!",
    "position": "bottom-left",
    "language": "de",
    "tone": "friendly",
}


async def test_auto_open_avatar_and_privacy_link_reach_the_widget(owner: Owner, site: dict, client) -> None:
    branding = {
        **BRANDING,
        "autoOpen": True,
        "avatarUrl": "https://www.ACME.example/img/ada.png",
        "privacyPolicyUrl": "https://legal.example/privacy",
    }
    updated = await owner.client.patch(f"/api/sites/{site['id']}", json={"branding": branding}, headers=owner.csrf)
    assert updated.status_code == 200, updated.text

    config = (await client.get(f"/widget/v1/sites/{site['widgetKey']}/config", headers=OWN_ORIGIN)).json()
    assert config["siteUrl"] == "https://acme.example/"
    assert {key: config["branding"][key] for key in ("autoOpen", "avatarUrl", "privacyPolicyUrl")} == {
        "autoOpen": True,
        "avatarUrl": "https://www.acme.example/img/ada.png",
        "privacyPolicyUrl": "https://legal.example/privacy",
    }


async def test_branding_without_the_new_fields_leaves_them_off(owner: Owner, site: dict) -> None:
    updated = await owner.client.patch(f"/api/sites/{site['id']}", json={"branding": BRANDING}, headers=owner.csrf)
    assert {key: updated.json()["branding"][key] for key in ("autoOpen", "avatarUrl", "privacyPolicyUrl")} == {
        "autoOpen": False,
        "avatarUrl": None,
        "privacyPolicyUrl": None,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("avatarUrl", "javascript:alert(1)"),
        ("avatarUrl", "https://images.other.example/ada.png"),
        ("privacyPolicyUrl", "javascript:alert(1)"),
        ("privacyPolicyUrl", "ftp://acme.example/privacy"),
    ],
)
async def test_branding_addresses_are_checked(owner: Owner, site: dict, field: str, value: str) -> None:
    response = await owner.client.patch(
        f"/api/sites/{site['id']}", json={"branding": {**BRANDING, field: value}}, headers=owner.csrf
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
