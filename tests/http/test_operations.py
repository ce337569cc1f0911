"""Health checks, the OpenAPI schema, request ids, error shape, and logs free of personal data."""

import logging
import uuid

import httpx
import pytest

from ragsell.entrypoints.logging import JsonFormatter, quiet_verbose_libraries
from tests.http.conftest import PASSWORD, Owner, sign_up


async def test_health_endpoints_answer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


async def test_openapi_schema_lists_both_apis(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert "/api/sites" in paths
    assert "/widget/v1/sites/{widget_key}/conversations/{conversation_id}/messages" in paths
    assert schema["info"]["title"] == "ragsell"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 16
    echoed = await client.get("/health/live", headers={"x-request-id": "from-the-proxy-123"})
    assert echoed.headers["x-request-id"] == "from-the-proxy-123"
    replaced = await client.get("/health/live", headers={"x-request-id": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"


async def test_errors_are_json_with_a_stable_code(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/no-such-thing")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong_method = await client.put("/health/live")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    not_json = await client.post("/api/session", content=b"{not json", headers={"content-type": "application/json"})
    assert (not_json.status_code, not_json.json()["code"]) == (400, "invalid_request")


async def test_logs_hold_no_personal_data(
    client: httpx.AsyncClient, new_client, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_verbose_libraries()
    caplog.set_level(logging.DEBUG)
    owner: Owner = await sign_up(client, email="private.person@example.com")
    await client.post("/api/session", json={"email": "private.person@example.com", "password": "wrong password!"})
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Secret sauce", "Our secret sauce recipe is tomatoes and basil.")
    visitor = await new_client()
    visitor_id = str(uuid.uuid4())
    origin = {"origin": "https://acme.example"}
    base = f"/widget/v1/sites/{site['widgetKey']}"
    await visitor.post(
        f"{base}/page-views",
        json={"visitorId": visitor_id, "url": "https://acme.example/p?email=leak@example.com"},
        headers=origin,
    )
    conversation_id = (
        await visitor.post(f"{base}/conversations", json={"visitorId": visitor_id}, headers=origin)
    ).json()["conversationId"]
    await visitor.post(
        f"{base}/conversations/{conversation_id}/messages",
        json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": "What is in the secret sauce?"},
        headers=origin,
    )
    await visitor.post(
        f"{base}/leads",
        json={"visitorId": visitor_id, "name": "Zelda Quux", "phone": "+1 415 555 0199", "kind": "callback"},
        headers=origin,
    )

    formatter = JsonFormatter()
    output = "\n".join(formatter.format(record) for record in caplog.records)
    assert "request" in output
    for secret in (
        "private.person",
        PASSWORD,
        "wrong password!",
        "secret sauce",
        "tomatoes",
        "Zelda",
        "4155550199",
        "leak@example.com",
        visitor_id,
        "127.0.0.1",
    ):
        assert secret.lower() not in output.lower(), secret
