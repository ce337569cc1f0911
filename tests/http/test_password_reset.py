"""Forgot password through the real app, with a real SMTP server on 127.0.0.1."""

import logging
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from dishka import Provider

from ragsell.adapters.memory.clock import ManualClock
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings, load_settings
from tests.http.conftest import BASE_URL, PASSWORD, HarnessOverrides, browser, sign_up
from tests.http.outbound import mail_settings
from tests.mail.smtp_server import SmtpServer, smtp_server

NEW_PASSWORD = "a brand new passphrase"
SAME_ANSWER = {
    "message": "If an account uses that address, a link to choose a new password is on its way. "
    "It works once, within an hour."
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def settings(smtp: SmtpServer) -> Settings:
    return mail_settings(smtp)


def emailed_token(smtp: SmtpServer) -> str:
    text = smtp.received[-1].message.get_content()
    found = re.search(re.escape(BASE_URL) + r"/reset-password#token=([A-Za-z0-9_-]{43})\s", text)
    assert found is not None, text
    return found.group(1)


async def test_a_reset_link_by_email_sets_the_password_and_logs_out_everywhere(
    client: httpx.AsyncClient,
    new_client,
    smtp: SmtpServer,
) -> None:
    await sign_up(client)
    stranger = await new_client()

    asked = await stranger.post("/api/password-resets", json={"email": "ANN@example.com"})
    assert (asked.status_code, asked.json()) == (202, SAME_ANSWER)
    assert smtp.received[-1].recipients == ["ann@example.com"]
    token = emailed_token(smtp)

    done = await stranger.post(f"/api/password-resets/{token}", json={"newPassword": NEW_PASSWORD})

    assert (done.status_code, done.json()) == (200, {"endedSessions": 1})
    assert (await client.get("/api/session")).status_code == 401
    old = await stranger.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await stranger.post("/api/session", json={"email": "ann@example.com", "password": NEW_PASSWORD})
    assert new.status_code == 200
    again = await stranger.post(f"/api/password-resets/{token}", json={"newPassword": "another new passphrase"})
    assert (again.status_code, again.json()["code"]) == (422, "invalid_reset_link")


async def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: httpx.AsyncClient,
    smtp: SmtpServer,
) -> None:
    asked = await client.post("/api/password-resets", json={"email": "nobody@example.com"})

    assert (asked.status_code, asked.json()) == (202, SAME_ANSWER)
    assert smtp.received == []


async def test_a_weak_new_password_is_refused_and_the_link_still_works(
    client: httpx.AsyncClient,
    smtp: SmtpServer,
) -> None:
    await sign_up(client)
    await client.post("/api/password-resets", json={"email": "ann@example.com"})
    token = emailed_token(smtp)

    weak = await client.post(f"/api/password-resets/{token}", json={"newPassword": "short"})
    assert (weak.status_code, weak.json()["code"], weak.json()["field"]) == (422, "weak_password", "password")
    assert (await client.get("/api/session")).status_code == 200

    done = await client.post(f"/api/password-resets/{token}", json={"newPassword": NEW_PASSWORD})
    assert done.status_code == 200


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 129])
async def test_a_bad_token_is_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(f"/api/password-resets/{token}", json={"newPassword": NEW_PASSWORD})

    assert response.status_code in (400, 422)


async def test_requests_for_one_address_are_throttled(
    client: httpx.AsyncClient,
    smtp: SmtpServer,
) -> None:
    await sign_up(client)
    for _ in range(3):
        assert (await client.post("/api/password-resets", json={"email": "ann@example.com"})).status_code == 202

    refused = await client.post("/api/password-resets", json={"email": "ann@example.com"})

    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert len(smtp.received) == 3


async def test_a_reset_from_another_site_is_refused(client: httpx.AsyncClient, smtp: SmtpServer) -> None:
    await sign_up(client)
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        response = await client.post("/api/password-resets", json={"email": "ann@example.com"}, headers=headers)
        assert response.status_code == 403
    assert smtp.received == []


async def test_the_token_never_reaches_the_access_log(
    client: httpx.AsyncClient,
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await sign_up(client)
    await client.post("/api/password-resets", json={"email": "ann@example.com"})
    token = emailed_token(smtp)

    with caplog.at_level(logging.INFO, logger="ragsell.access"):
        await client.post(f"/api/password-resets/{token}", json={"newPassword": NEW_PASSWORD})

    logged = [getattr(record, "path", "") for record in caplog.records]
    assert "/api/password-resets/{token}" in logged
    assert not any(token in path for path in logged)


async def test_without_a_mail_server_the_api_says_resets_are_unavailable(app_without_mail: httpx.AsyncClient) -> None:
    assert (await app_without_mail.get("/api/password-resets")).json() == {"available": False}
    refused = await app_without_mail.post("/api/password-resets", json={"email": "ann@example.com"})
    assert (refused.status_code, refused.json()["code"]) == (503, "mail_not_configured")


async def test_with_a_mail_server_the_api_says_resets_are_available(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/password-resets")).json() == {"available": True}


@pytest.fixture
async def app_without_mail(store: Provider, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    plain = load_settings({}, public_url=BASE_URL, store="memory")
    container = make_container(plain, store=store, overrides=[HarnessOverrides(clock)])
    async with browser(create_app(plain, container)) as client:
        yield client
    await container.close()
