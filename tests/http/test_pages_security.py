"""The dashboard pages' security: headers on every page, no inline script, the CSRF field
on forms held to the header's rule and more, log-in redirects, and one owner's pages
never showing another's data."""

import re

import httpx
import pytest

from tests.http.conftest import Owner, sign_up
from tests.http.pages import SAME_ORIGIN, PlantingVisitor, page_token, submit


def site_pages(site_id: str) -> list[str]:
    return [
        f"/sites/{site_id}/{section}"
        for section in (
            "knowledge",
            "settings",
            "install",
            "conversations",
            "leads",
            "notifications",
            "analytics",
            "privacy",
        )
    ]


OWNER_PAGES = ["/sites", "/usage", "/account"]
PUBLIC_PAGES = ["/login", "/signup", "/forgot-password"]


def assert_page_headers(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["default-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def assert_no_inline_code(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/assets/' in tag, tag
    assert "</script>" not in html.replace("defer></script>", "")
    assert re.search(r"<[^>]*\s(on[a-z]+|style)\s*=", html) is None
    assert "<style" not in html
    assert "javascript:" not in html


async def test_every_page_sends_the_security_headers_and_no_inline_code(owner: Owner, client) -> None:
    site = await owner.add_site()
    for path in [*OWNER_PAGES, *site_pages(site["id"]), *PUBLIC_PAGES]:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert_page_headers(response)
        assert_no_inline_code(response.text)
        assert response.headers["cache-control"] == "no-store"


async def test_error_pages_and_redirects_send_the_headers_too(owner: Owner, client) -> None:
    missing = await client.get("/sites/nosuchsite/knowledge")
    assert missing.status_code == 404
    assert_page_headers(missing)
    redirected = await client.get("/")
    assert redirected.status_code == 303
    assert redirected.headers["x-frame-options"] == "DENY"


async def test_assets_are_served_by_ragsell_with_long_caching(client) -> None:
    page = await client.get("/login")
    for path in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text):
        asset = await client.get(path)
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["content-type"].startswith(("text/css", "text/javascript"))
    assert "http" not in re.sub(r'href="/privacy"', "", " ".join(re.findall(r'(?:src|href)="[^"]*"', page.text)))


async def test_pages_without_a_session_send_the_browser_to_log_in(client) -> None:
    response = await client.get("/sites/abc/leads")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsites%2Fabc%2Fleads"
    form = await client.post("/sites", data={"name": "Acme", "url": "https://acme.example"}, headers=SAME_ORIGIN)
    assert form.status_code == 303
    assert form.headers["location"] == "/login"


async def test_log_in_page_uses_the_api_session_cookie_and_goes_back_where_it_was_asked(new_client) -> None:
    await sign_up(await new_client(), "ann@example.com")
    browser = await new_client()
    response = await browser.post(
        "/login",
        data={"email": "ann@example.com", "password": "correct horse battery staple", "next": "/usage"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/usage"
    assert "httponly" in response.headers["set-cookie"].lower()
    session = await browser.get("/api/session")
    assert session.status_code == 200
    assert (await browser.get("/usage")).status_code == 200


async def test_log_in_never_redirects_to_another_site(new_client) -> None:
    await sign_up(await new_client(), "ann@example.com")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        browser = await new_client()
        response = await browser.post(
            "/login",
            data={"email": "ann@example.com", "password": "correct horse battery staple", "next": target},
            headers=SAME_ORIGIN,
        )
        assert response.headers["location"] in ("/sites", "/"), target


async def test_a_wrong_password_is_said_in_words_and_the_email_is_kept(new_client) -> None:
    await sign_up(await new_client(), "ann@example.com")
    browser = await new_client()
    response = await browser.post("/login", data={"email": "ann@example.com", "password": "wrong"}, headers=SAME_ORIGIN)
    assert response.status_code == 401
    assert "The email or password is wrong." in response.text
    assert 'value="ann@example.com"' in response.text
    assert "wrong" not in re.findall(r'name="password"[^>]*', response.text)[0]


async def test_a_form_with_a_valid_csrf_field_from_the_own_origin_is_accepted(owner: Owner) -> None:
    response = await submit(owner.client, "/sites", {"name": "Acme", "url": "https://acme.example"})
    assert response.status_code == 303
    assert [site["name"] for site in (await owner.client.get("/api/sites")).json()] == ["Acme"]


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        pytest.param(None, SAME_ORIGIN, id="no-field"),
        pytest.param("x" * 43, SAME_ORIGIN, id="wrong-field"),
        pytest.param("valid", {}, id="no-same-origin-proof"),
        pytest.param("valid", {"origin": "https://evil.example"}, id="cross-site-origin"),
        pytest.param("valid", {"sec-fetch-site": "same-site"}, id="same-site-not-same-origin"),
        pytest.param("valid", {"origin": "null"}, id="opaque-origin"),
    ],
)
async def test_a_form_without_a_valid_token_or_same_origin_proof_is_refused(
    owner: Owner, token: str | None, headers: dict
) -> None:
    valid = await page_token(owner.client)
    data = {"name": "Acme", "url": "https://acme.example"}
    if token is not None:
        data["csrf_token"] = valid if token == "valid" else token
    response = await owner.client.post("/sites", data=data, headers=headers)
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert (await owner.client.get("/api/sites")).json() == []


async def test_the_api_accepts_the_form_field_only_like_the_header(owner: Owner) -> None:
    token = await page_token(owner.client)
    # A JSON API call cannot carry the token as a field: it needs the header.
    refused = await owner.client.post("/api/sites", json={"name": "A", "url": "https://a.example", "csrf_token": token})
    assert refused.status_code in (400, 403)
    logged_out = await owner.client.post("/logout", data={"csrf_token": token}, headers=SAME_ORIGIN)
    assert logged_out.status_code == 303
    assert (await owner.client.get("/api/session")).status_code == 401


async def test_another_owners_site_pages_and_forms_are_not_found(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    visitor = PlantingVisitor(await new_client(), site["widgetKey"])
    conversation = await visitor.converse("Hello, I am Vera")
    await visitor.leave_lead(conversation, name="Vera", email="vera@example.org", message="Call me")
    lead = (await owner.client.get(f"/api/sites/{site['id']}/leads")).json()[0]
    stranger = await sign_up(await new_client(), "eve@example.com", "Eve")

    for path in [*site_pages(site["id"]), f"/sites/{site['id']}/conversations/{conversation}"]:
        response = await stranger.client.get(path)
        assert response.status_code == 404, path
        assert "Acme" not in response.text and "Vera" not in response.text
    token = await page_token(stranger.client)
    for path, data in (
        (f"/sites/{site['id']}/leads/{lead['id']}/status", {"status": "closed"}),
        (f"/sites/{site['id']}/settings", {"name": "Mine"}),
        (f"/sites/{site['id']}/knowledge/crawl", {}),
        (f"/sites/{site['id']}/knowledge/snippets", {"kind": "text", "title": "t", "text": "x"}),
        (f"/sites/{site['id']}/delete", {"confirmName": "Acme"}),
        (f"/sites/{site['id']}/privacy/erase", {"kind": "email", "value": "vera@example.org", "confirm": "on"}),
        (f"/sites/{site['id']}/privacy/export", {"kind": "email", "value": "vera@example.org"}),
        (f"/sites/{site['id']}/notifications/webhook", {"url": "https://evil.example/hook"}),
    ):
        response = await submit(stranger.client, path, data, token=token)
        assert response.status_code == 404, path
    assert (await owner.client.get(f"/api/sites/{site['id']}/leads")).json()[0]["status"] == "new"
    assert (await owner.client.get(f"/api/sites/{site['id']}")).json()["name"] == "Acme"
    # Even the right conversation id under the stranger's own site is not found.
    mine = await stranger.add_site("Eve's", "https://eve.example")
    assert (await stranger.client.get(f"/sites/{mine['id']}/conversations/{conversation}")).status_code == 404


async def test_the_try_answer_api_shows_the_passages_for_the_owner_only(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Hours", "We open at nine on weekdays.")
    tried = await owner.client.post(
        f"/api/sites/{site['id']}/answers/try", json={"question": "When do you open?"}, headers=owner.csrf
    )
    assert tried.status_code == 200, tried.text
    body = tried.json()
    assert body["answered"] is True
    assert body["passages"][0]["text"] == "We open at nine on weekdays."
    assert body["passages"][0]["used"] is True
    stranger = await sign_up(await new_client(), "eve@example.com", "Eve")
    refused = await stranger.client.post(
        f"/api/sites/{site['id']}/answers/try", json={"question": "When do you open?"}, headers=stranger.csrf
    )
    assert refused.status_code == 404
    assert (await owner.client.get(f"/api/sites/{site['id']}/conversations")).json() == []
