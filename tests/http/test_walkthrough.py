"""The whole path an owner and a visitor take, through the real app."""

import uuid

import httpx

from tests.http.conftest import PASSWORD, sign_up
from tests.http.sse import answer_text, parse_events

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}


async def test_owner_and_visitor_walkthrough(client: httpx.AsyncClient, new_client) -> None:
    owner = await sign_up(client, email="Owner@Acme.example")
    assert (await client.delete("/api/session", headers=owner.csrf)).status_code == 204
    assert (await client.get("/api/session")).status_code == 401

    login = await client.post("/api/session", json={"email": "owner@acme.example", "password": PASSWORD})
    assert login.status_code == 200, login.text
    csrf = {"x-csrf-token": login.json()["csrfToken"]}
    assert login.json()["owner"]["email"] == "owner@acme.example"

    site = (await client.post("/api/sites", json={"name": "Acme", "url": "https://ACME.example/"}, headers=csrf)).json()
    assert site["url"] == "https://acme.example/"
    assert site["allowedOrigins"] == [SITE_ORIGIN, "https://www.acme.example"]
    snippet = await client.post(
        f"/api/sites/{site['id']}/snippets",
        json={
            "kind": "text",
            "title": "Opening hours",
            "text": "We are open Monday to Friday from 9am to 5pm. We close on public holidays.",
        },
        headers=csrf,
    )
    assert snippet.status_code == 201

    visitor = await new_client()
    key = site["widgetKey"]
    config = await visitor.get(f"/widget/v1/sites/{key}/config", headers=FROM_SITE)
    assert config.status_code == 200
    assert config.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert config.json()["branding"]["greeting"]

    visitor_id = str(uuid.uuid4())
    view = await visitor.post(
        f"/widget/v1/sites/{key}/page-views",
        json={
            "visitorId": visitor_id,
            "url": f"{SITE_ORIGIN}/pricing?utm=x",
            "referrer": "https://search.example/?q=acme",
        },
        headers=FROM_SITE,
    )
    assert view.status_code == 204
    active = await client.get(f"/api/sites/{site['id']}/active-visitors")
    assert active.json() == {"activeNow": 1, "windowSeconds": 300}

    started = await visitor.post(
        f"/widget/v1/sites/{key}/conversations", json={"visitorId": visitor_id}, headers=FROM_SITE
    )
    assert started.status_code == 201
    conversation_id = started.json()["conversationId"]
    answer = await visitor.post(
        f"/widget/v1/sites/{key}/conversations/{conversation_id}/messages",
        json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": "When are you open on Monday?"},
        headers=FROM_SITE,
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = parse_events(answer.text)
    assert [name for name, _ in events][-2:] == ["citations", "done"]
    assert answer_text(events).startswith("We are open Monday to Friday")
    assert events[-1][1]["answered"] is True

    lead = await visitor.post(
        f"/widget/v1/sites/{key}/leads",
        json={
            "visitorId": visitor_id,
            "conversationId": conversation_id,
            "name": "Bob Stone",
            "email": "Bob@Example.com",
            "phone": "+1 415 555 0123",
            "kind": "callback",
            "message": "Please call me about pricing.",
            "pageUrl": f"{SITE_ORIGIN}/pricing",
        },
        headers=FROM_SITE,
    )
    assert lead.status_code == 201, lead.text
    assert "set-cookie" not in visitor.cookies and not visitor.cookies

    leads = (await client.get(f"/api/sites/{site['id']}/leads")).json()
    assert [(x["email"], x["phone"], x["status"]) for x in leads] == [("bob@example.com", "+14155550123", "new")]
    transcript = (await client.get(f"/api/sites/{site['id']}/conversations/{conversation_id}")).json()
    assert [m["role"] for m in transcript["messages"]] == ["visitor", "assistant"]

    usage = (await client.get("/api/usage")).json()
    used = {meter["meter"]: meter["used"] for meter in usage["meters"]}
    assert used == {"sites": 1, "pages": 0, "conversations": 1, "messages": 1, "voice_seconds": 0}
    assert usage["plan"] == "free"


async def test_visitor_sees_their_conversation_again_after_a_reload(owner, new_client) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    visitor = await new_client()
    visitor_id = str(uuid.uuid4())
    key = site["widgetKey"]
    conversation_id = (
        await visitor.post(f"/widget/v1/sites/{key}/conversations", json={"visitorId": visitor_id}, headers=FROM_SITE)
    ).json()["conversationId"]
    await visitor.post(
        f"/widget/v1/sites/{key}/conversations/{conversation_id}/messages",
        json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": "Can I return an item?"},
        headers=FROM_SITE,
    )

    history = await visitor.get(
        f"/widget/v1/sites/{key}/conversations/{conversation_id}", headers={**FROM_SITE, "x-visitor-id": visitor_id}
    )
    assert history.status_code == 200
    assert [m["text"][:20] for m in history.json()["messages"]] == ["Can I return an item", "You can return any i"]

    stranger = await visitor.get(
        f"/widget/v1/sites/{key}/conversations/{conversation_id}",
        headers={**FROM_SITE, "x-visitor-id": str(uuid.uuid4())},
    )
    assert stranger.status_code == 404


async def test_question_the_knowledge_base_cannot_answer_offers_the_lead_form(owner, new_client) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    visitor = await new_client()
    visitor_id = str(uuid.uuid4())
    key = site["widgetKey"]
    conversation_id = (
        await visitor.post(f"/widget/v1/sites/{key}/conversations", json={"visitorId": visitor_id}, headers=FROM_SITE)
    ).json()["conversationId"]
    answer = await visitor.post(
        f"/widget/v1/sites/{key}/conversations/{conversation_id}/messages",
        json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": "Do you sell submarines?"},
        headers=FROM_SITE,
    )
    events = parse_events(answer.text)
    assert events[-1] == ("done", {"messageId": events[-1][1]["messageId"], "answered": False})
    assert "contact details" in answer_text(events)
