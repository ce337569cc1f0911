"""The owner's open sessions over HTTP: listed with device and address, ended one by one."""

import httpx

from tests.http.conftest import PASSWORD, Owner, sign_up

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1"


async def log_in(client: httpx.AsyncClient, user_agent: str) -> dict[str, str]:
    response = await client.post(
        "/api/session", json={"email": "ann@example.com", "password": PASSWORD}, headers={"user-agent": user_agent}
    )
    assert response.status_code == 200, response.text
    return {"x-csrf-token": response.json()["csrfToken"]}


async def test_sessions_are_listed_and_another_one_can_be_ended(client: httpx.AsyncClient, new_client) -> None:
    await sign_up(client)
    laptop, phone = await new_client(), await new_client()
    laptop_csrf = await log_in(laptop, FIREFOX)
    await log_in(phone, IPHONE)

    listed = (await laptop.get("/api/account/sessions")).json()

    assert sorted((s["device"], s["current"]) for s in listed) == [
        ("Firefox on Linux", True),
        ("Safari on iPhone", False),
        ("Unknown device", False),
    ]
    assert all(set(s) == {"id", "device", "ip", "createdAt", "lastSeenAt", "current"} for s in listed)
    cookie = phone.cookies["ragsell_session"]
    assert not any(s["id"] in cookie or len(s["id"]) == 64 for s in listed)

    iphone = next(s for s in listed if s["device"] == "Safari on iPhone")
    ended = await laptop.delete(f"/api/account/sessions/{iphone['id']}", headers=laptop_csrf)

    assert ended.status_code == 204 and "set-cookie" not in ended.headers
    assert (await phone.get("/api/session")).status_code == 401
    assert (await laptop.get("/api/session")).status_code == 200
    assert len((await laptop.get("/api/account/sessions")).json()) == 2


async def test_ending_this_session_logs_out_and_clears_the_cookie(owner: Owner) -> None:
    current = next(s for s in (await owner.client.get("/api/account/sessions")).json() if s["current"])

    ended = await owner.client.delete(f"/api/account/sessions/{current['id']}", headers=owner.csrf)

    assert ended.status_code == 204 and "ragsell_session=" in ended.headers["set-cookie"]
    assert (await owner.client.get("/api/session")).status_code == 401


async def test_ending_a_session_needs_the_csrf_token_and_a_session(owner: Owner, new_client) -> None:
    current = (await owner.client.get("/api/account/sessions")).json()[0]

    refused = await owner.client.delete(f"/api/account/sessions/{current['id']}")
    anonymous = await (await new_client()).get("/api/account/sessions")

    assert refused.status_code == 403 and anonymous.status_code == 401
    assert (await owner.client.get("/api/session")).status_code == 200


async def test_another_owners_session_is_not_found(owner: Owner, new_client) -> None:
    eve = await sign_up(await new_client(), email="eve@example.com", name="Eve")
    eves = (await eve.client.get("/api/account/sessions")).json()[0]

    response = await owner.client.delete(f"/api/account/sessions/{eves['id']}", headers=owner.csrf)

    assert response.status_code == 404
    assert (await eve.client.get("/api/session")).status_code == 200
    assert [s["id"] for s in (await owner.client.get("/api/account/sessions")).json()] != [eves["id"]]
