"""Each dashboard security rule, through the real app."""

from datetime import timedelta

import httpx
import pytest

from ragsell.adapters.memory.clock import ManualClock
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import load_settings
from tests.http.conftest import PASSWORD, HarnessOverrides, browser, sign_up


async def test_session_cookie_is_httponly_lax_and_host_wide(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/accounts",
        json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "confirmsMinimumAge": True},
    )
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("ragsell_session=")
    assert {"httponly", "path", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "path=/" in cookie.lower()
    assert "secure" not in attributes


async def test_session_cookie_is_secure_and_host_prefixed_behind_https(clock: ManualClock) -> None:
    settings = load_settings({}, public_url="https://chat.example.com", store="memory")
    container = make_container(settings, store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)])
    async with browser(create_app(settings, container), "https://chat.example.com") as client:
        response = await client.post(
            "/api/accounts",
            json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "confirmsMinimumAge": True},
        )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-ragsell_session=")
    assert "secure" in cookie.lower()
    assert "httponly" in cookie.lower()


async def test_session_token_is_256_bits_and_not_the_csrf_token(client: httpx.AsyncClient) -> None:
    owner = await sign_up(client)
    token = client.cookies["ragsell_session"]
    assert len(token) >= 43
    assert token != owner.csrf["x-csrf-token"]


async def test_state_change_without_csrf_token_is_refused(owner) -> None:
    response = await owner.client.post("/api/sites", json={"name": "Acme", "url": "https://acme.example"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert (await owner.client.get("/api/sites")).json() == []


async def test_state_change_with_wrong_csrf_token_is_refused(owner) -> None:
    response = await owner.client.post(
        "/api/sites", json={"name": "Acme", "url": "https://acme.example"}, headers={"x-csrf-token": "x" * 43}
    )
    assert response.status_code == 403
    assert (await owner.client.get("/api/sites")).json() == []


async def test_cross_site_form_post_with_valid_cookie_is_refused_and_changes_nothing(owner) -> None:
    site = await owner.add_site()
    for headers in (
        {**owner.csrf, "origin": "https://evil.example"},
        {**owner.csrf, "sec-fetch-site": "cross-site"},
        {**owner.csrf, "sec-fetch-site": "same-site"},
    ):
        response = await owner.client.delete(f"/api/sites/{site['id']}", headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "cross_site_request"
    form = await owner.client.post(
        "/api/sites",
        content=b"name=Evil&url=https://evil.example",
        headers={"content-type": "application/x-www-form-urlencoded", "origin": "https://evil.example"},
    )
    assert form.status_code == 403
    assert [s["id"] for s in (await owner.client.get("/api/sites")).json()] == [site["id"]]


async def test_same_origin_request_with_token_is_accepted(owner) -> None:
    response = await owner.client.post(
        "/api/sites",
        json={"name": "Acme", "url": "https://acme.example"},
        headers={**owner.csrf, "origin": "http://testserver.local", "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 201


async def test_cross_site_log_in_is_refused(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post(
        "/api/session",
        json={"email": "ann@example.com", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_requests_without_a_session_get_401(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/api/sites"), ("GET", "/api/usage"), ("GET", "/api/session")):
        response = await client.request(method, path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


async def test_session_expires_after_idle_timeout(owner, clock: ManualClock) -> None:
    clock.advance(timedelta(hours=1, minutes=59))
    assert (await owner.client.get("/api/sites")).status_code == 200
    clock.advance(timedelta(hours=1, minutes=59))
    assert (await owner.client.get("/api/sites")).status_code == 200
    clock.advance(timedelta(hours=2, minutes=1))
    assert (await owner.client.get("/api/sites")).status_code == 401


async def test_session_expires_after_absolute_timeout_even_when_used(owner, clock: ManualClock) -> None:
    hours_alive = 0
    while (await owner.client.get("/api/session")).status_code == 200 and hours_alive < 200:
        clock.advance(timedelta(hours=1))
        hours_alive += 1
    assert hours_alive == 7 * 24


async def test_log_out_ends_the_session_at_once(owner) -> None:
    token = owner.client.cookies["ragsell_session"]
    assert (await owner.client.delete("/api/session", headers=owner.csrf)).status_code == 204
    owner.client.cookies.set("ragsell_session", token)
    assert (await owner.client.get("/api/session")).status_code == 401


async def test_every_log_in_gets_a_new_token(client: httpx.AsyncClient, new_client) -> None:
    await sign_up(client)
    first = client.cookies["ragsell_session"]
    await client.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert client.cookies["ragsell_session"] != first


async def test_password_change_ends_other_sessions_but_keeps_this_one(client: httpx.AsyncClient, new_client) -> None:
    owner = await sign_up(client)
    other = await new_client()
    assert (
        await other.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    ).status_code == 200
    response = await client.post(
        "/api/account/password",
        json={"currentPassword": PASSWORD, "newPassword": "another long passphrase"},
        headers=owner.csrf,
    )
    assert response.json() == {"endedSessions": 1}
    assert (await other.get("/api/session")).status_code == 401
    assert (await client.get("/api/session")).status_code == 200
    old = await other.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await other.post("/api/session", json={"email": "ann@example.com", "password": "another long passphrase"})
    assert new.status_code == 200


async def test_unknown_email_and_wrong_password_get_the_same_answer(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    unknown = await client.post("/api/session", json={"email": "nobody@example.com", "password": PASSWORD})
    wrong = await client.post("/api/session", json={"email": "ann@example.com", "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 401
    assert (
        unknown.json() == wrong.json() == {"code": "invalid_credentials", "message": "The email or password is wrong."}
    )


async def test_log_in_attempts_are_throttled_per_account(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    statuses = [
        (await client.post("/api/session", json={"email": "ann@example.com", "password": "wrong password"})).status_code
        for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    refused = await client.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60


async def test_log_in_attempts_are_throttled_per_address(client: httpx.AsyncClient) -> None:
    statuses = [
        (await client.post("/api/session", json={"email": f"user{n}@example.com", "password": "x" * 12})).status_code
        for n in range(51)
    ]
    assert statuses[-1] == 429
    assert statuses[:50] == [401] * 50


async def test_sign_up_needs_the_minimum_age(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/accounts",
        json={"name": "Kid", "email": "kid@example.com", "password": PASSWORD, "confirmsMinimumAge": False},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "confirmsMinimumAge"


async def test_sign_up_with_a_taken_email_in_another_case_is_refused(client: httpx.AsyncClient, new_client) -> None:
    await sign_up(client, email="ann@example.com")
    response = await (await new_client()).post(
        "/api/accounts",
        json={"name": "Ann", "email": "ANN@Example.com", "password": PASSWORD, "confirmsMinimumAge": True},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/sites", {"name": "Acme", "url": "https://acme.example", "ownerId": "someone-else"}),
        ("/api/sites", {"name": "Acme"}),
        ("/api/sites", {"name": "Acme", "url": 42}),
    ],
)
async def test_unknown_missing_or_mistyped_fields_are_refused(owner, path: str, body: dict) -> None:
    response = await owner.client.post(path, json=body, headers=owner.csrf)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert (await owner.client.get("/api/sites")).json() == []


async def test_invalid_values_name_the_field(owner) -> None:
    response = await owner.client.post(
        "/api/sites", json={"name": "Acme", "url": "ftp://acme.example"}, headers=owner.csrf
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_url",
        "message": "Only http and https addresses are accepted.",
        "field": "url",
    }


async def test_oversized_body_is_refused_with_413(owner) -> None:
    response = await owner.client.post(
        "/api/sites", json={"name": "Acme", "url": "https://acme.example/" + "a" * 70_000}, headers=owner.csrf
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_owner_cannot_read_or_change_another_owners_site(client: httpx.AsyncClient, new_client) -> None:
    ann = await sign_up(client, email="ann@example.com")
    site = await ann.add_site()
    bob = await sign_up(await new_client(), email="bob@example.com", name="Bob")
    site_path = f"/api/sites/{site['id']}"
    for method, path, body in (
        ("GET", site_path, None),
        ("PATCH", site_path, {"name": "Stolen"}),
        ("DELETE", site_path, None),
        ("GET", f"{site_path}/conversations", None),
        ("GET", f"{site_path}/leads", None),
        ("GET", f"{site_path}/snippets", None),
        ("POST", f"{site_path}/snippets", {"kind": "text", "title": "x", "text": "y"}),
        ("GET", f"{site_path}/active-visitors", None),
    ):
        response = await bob.client.request(method, path, json=body, headers=bob.csrf)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    assert (await ann.client.get(site_path)).json()["name"] == "Acme"
    assert (await ann.client.get(f"{site_path}/snippets")).json() == []
    assert (await bob.client.get("/api/sites")).json() == []


async def test_site_limit_of_the_plan_gives_429_and_deleting_frees_it(owner) -> None:
    site = await owner.add_site()
    refused = await owner.client.post(
        "/api/sites", json={"name": "Second", "url": "https://second.example"}, headers=owner.csrf
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "quota_exceeded"
    assert (await owner.client.delete(f"/api/sites/{site['id']}", headers=owner.csrf)).status_code == 204
    again = await owner.client.post(
        "/api/sites", json={"name": "Second", "url": "https://second.example"}, headers=owner.csrf
    )
    assert again.status_code == 201


async def test_site_settings_are_updated_and_validated(owner) -> None:
    site = await owner.add_site()
    path = f"/api/sites/{site['id']}"
    changed = await owner.client.patch(
        path,
        json={
            "branding": {
                "assistantName": "Ada",
                "colour": "#FF0000",
                "greeting": "Hello there",
                "position": "bottom-left",
                "language": "de",
                "tone": "professional",
                "suggestedQuestions": ["What does it cost?"],
            },
            "allowedOrigins": ["https://shop.acme.example/"],
            "retentionDays": 90,
            "country": "de",
        },
        headers=owner.csrf,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["branding"]["colour"] == "#ff0000"
    assert body["allowedOrigins"] == ["https://shop.acme.example"]
    assert (body["retentionDays"], body["country"], body["name"]) == (90, "DE", "Acme")
    bad = await owner.client.patch(path, json={"allowedOrigins": ["https://acme.example/path"]}, headers=owner.csrf)
    assert bad.status_code == 422
    assert (await owner.client.get(path)).json()["allowedOrigins"] == ["https://shop.acme.example"]
