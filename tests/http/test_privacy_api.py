"""The owner's privacy API through the real app, on both stores: a visitor's data
exported, erased and corrected; the record of requests; the account exported and deleted."""

import uuid
from datetime import timedelta

import httpx
import pytest
from dishka import Scope
from litestar import Litestar

from ragsell.adapters.memory.clock import ManualClock
from ragsell.application.usage.change_plan import ChangePlan
from tests.http.conftest import PASSWORD, Owner, sign_up
from tests.http.sse import parse_events

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}
EMAIL = "bob.stone@example.com"
PHONE = "+14155550123"


class Visitor:
    """A visitor on a site's widget who views a page, asks, rates the answer and leaves a lead."""

    def __init__(self, client: httpx.AsyncClient, site: dict) -> None:
        self.client = client
        self.base = f"/widget/v1/sites/{site['widgetKey']}"
        self.id = str(uuid.uuid4())

    async def visit_and_ask(self, *, email: str = EMAIL, phone: str = "+1 415 555 0123") -> str:
        await self.post("/page-views", {"url": f"{SITE_ORIGIN}/pricing", "referrer": "https://search.example/"})
        conversation_id = (await self.post("/conversations", {})).json()["conversationId"]
        answer = await self.post(
            f"/conversations/{conversation_id}/messages",
            {"clientMessageId": str(uuid.uuid4()), "text": "Can I return an item?"},
        )
        reply_id = parse_events(answer.text)[-1][1]["messageId"]
        await self.post(f"/conversations/{conversation_id}/messages/{reply_id}/feedback", {"rating": "up"})
        lead = await self.post(
            "/leads",
            {
                "conversationId": conversation_id,
                "name": "Bob Stone",
                "email": email,
                "phone": phone,
                "kind": "callback",
                "message": "Call me about returns.",
            },
        )
        assert lead.status_code == 201, lead.text
        return conversation_id

    async def post(self, path: str, body: dict) -> httpx.Response:
        response = await self.client.post(f"{self.base}{path}", json={"visitorId": self.id, **body}, headers=FROM_SITE)
        assert response.status_code < 300, response.text
        return response


@pytest.fixture
async def site(owner: Owner) -> dict:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    return site


@pytest.fixture
async def visitor(site: dict, new_client) -> Visitor:
    visitor = Visitor(await new_client(), site)
    await visitor.visit_and_ask()
    return visitor


async def _usage(owner: Owner) -> dict[str, int]:
    usage = (await owner.client.get("/api/usage")).json()
    return {meter["meter"]: meter["used"] for meter in usage["meters"]}


@pytest.mark.parametrize("subject", ["visitorId", "email", "phone"])
async def test_a_visitors_data_on_a_site_is_exported_found_by_id_email_or_phone(
    owner: Owner, site: dict, visitor: Visitor, subject: str
) -> None:
    value = {"visitorId": visitor.id, "email": "Bob.Stone@Example.com", "phone": "+1 (415) 555-0123"}[subject]

    response = await owner.client.post(
        f"/api/sites/{site['id']}/privacy/export", json={subject: value}, headers=owner.csrf
    )

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    export = response.json()
    [found] = export["sites"]
    assert (found["siteId"], found["visitorIds"]) == (site["id"], [visitor.id])
    [transcript] = found["conversations"]
    assert [m["role"] for m in transcript["messages"]] == ["visitor", "assistant"]
    assert transcript["messages"][1]["feedback"] == "up"
    assert [(lead["email"], lead["phone"]) for lead in found["leads"]] == [(EMAIL, PHONE)]
    assert [(view["url"], view["referrer"]) for view in found["pageViews"]] == [
        (f"{SITE_ORIGIN}/pricing", "https://search.example/")
    ]


async def test_after_erasure_an_export_finds_nothing_and_usage_totals_stay(
    owner: Owner, site: dict, visitor: Visitor, new_client
) -> None:
    bystander = Visitor(await new_client(), site)
    await bystander.visit_and_ask(email="someone.else@example.com", phone="+1 415 555 0199")
    usage = await _usage(owner)

    erased = await owner.client.post("/api/privacy/visitors/erase", json={"email": EMAIL}, headers=owner.csrf)

    assert erased.status_code == 200, erased.text
    counts = erased.json()
    assert counts["sites"] == 1
    assert {key: value for key, value in counts["erased"].items() if key != "rateLimitWindows"} == {
        "conversations": 1,
        "messages": 2,
        "leads": 1,
        "pageViews": 1,
    }
    assert counts["erased"]["rateLimitWindows"] >= 4
    for subject in ({"email": EMAIL}, {"visitorId": visitor.id}, {"phone": PHONE}):
        export = await owner.client.post("/api/privacy/visitors/export", json=subject, headers=owner.csrf)
        assert export.json()["sites"] == []
    leads = (await owner.client.get(f"/api/sites/{site['id']}/leads")).json()
    assert [lead["email"] for lead in leads] == ["someone.else@example.com"]
    conversations = (await owner.client.get(f"/api/sites/{site['id']}/conversations")).json()
    assert [c["visitorId"] for c in conversations] == [bystander.id]
    assert (await owner.client.get(f"/api/sites/{site['id']}/active-visitors")).json()["activeNow"] == 1
    assert await _usage(owner) == usage


async def test_an_erasure_on_one_site_leaves_the_owners_other_sites_alone(
    app: Litestar, owner: Owner, site: dict, visitor: Visitor, new_client
) -> None:
    async with app.state.dishka_container(scope=Scope.REQUEST) as request:
        await (await request.get(ChangePlan))("ann@example.com", "starter")
    other = await owner.add_site(name="Acme Shop", url="https://shop.acme.example")
    await owner.client.patch(f"/api/sites/{other['id']}", json={"allowedOrigins": [SITE_ORIGIN]}, headers=owner.csrf)
    await Visitor(await new_client(), other).visit_and_ask()

    path = f"/api/sites/{site['id']}/privacy/erase"
    erased = await owner.client.post(path, json={"email": EMAIL}, headers=owner.csrf)

    assert (erased.status_code, erased.json()["sites"], erased.json()["erased"]["leads"]) == (200, 1, 1)
    export = await owner.client.post("/api/privacy/visitors/export", json={"email": EMAIL}, headers=owner.csrf)
    assert [found["siteId"] for found in export.json()["sites"]] == [other["id"]]
    requests = (await owner.client.get("/api/privacy/requests")).json()
    assert [r["siteId"] for r in requests if r["action"] == "erase"] == [site["id"]]


async def test_an_owner_cannot_reach_another_owners_visitors(
    owner: Owner, site: dict, visitor: Visitor, new_client
) -> None:
    mallory = await sign_up(await new_client(), email="mallory@example.com", name="Mallory")
    await mallory.add_site(name="Mallory's", url="https://mallory.example")

    for action in ("export", "erase"):
        scoped = await mallory.client.post(
            f"/api/sites/{site['id']}/privacy/{action}", json={"visitorId": visitor.id}, headers=mallory.csrf
        )
        assert scoped.status_code == 404
    exported = await mallory.client.post("/api/privacy/visitors/export", json={"email": EMAIL}, headers=mallory.csrf)
    erased = await mallory.client.post("/api/privacy/visitors/erase", json={"email": EMAIL}, headers=mallory.csrf)

    assert exported.json()["sites"] == []
    assert erased.json()["sites"] == 0
    export = await owner.client.post("/api/privacy/visitors/export", json={"email": EMAIL}, headers=owner.csrf)
    assert len(export.json()["sites"]) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"email": EMAIL, "visitorId": str(uuid.uuid4())}, 422),
        ({"email": "not an address"}, 422),
        ({"phone": "415 555 0123"}, 422),
        ({"visitorId": "1234"}, 422),
        ({"visitor": str(uuid.uuid4())}, 400),
    ],
)
async def test_a_request_that_names_no_single_valid_visitor_is_refused_and_changes_nothing(
    owner: Owner, site: dict, visitor: Visitor, body: dict, status: int
) -> None:
    response = await owner.client.post("/api/privacy/visitors/erase", json=body, headers=owner.csrf)

    assert response.status_code == status, response.text
    assert response.json()["code"] in ("invalid_value", "invalid_email", "invalid_phone", "invalid_request")
    export = await owner.client.post("/api/privacy/visitors/export", json={"email": EMAIL}, headers=owner.csrf)
    assert len(export.json()["sites"]) == 1
    requests = (await owner.client.get("/api/privacy/requests")).json()
    assert [request["action"] for request in requests] == ["export"]


async def test_privacy_requests_need_the_csrf_token(owner: Owner, site: dict, visitor: Visitor) -> None:
    for path in (f"/api/sites/{site['id']}/privacy/erase", "/api/privacy/visitors/erase"):
        response = await owner.client.post(path, json={"email": EMAIL})
        assert response.status_code == 403
    response = await owner.client.request("DELETE", "/api/account", json={"password": PASSWORD})
    assert response.status_code == 403
    assert (await owner.client.get("/api/session")).status_code == 200


async def test_requests_are_recorded_without_the_subjects_values(
    owner: Owner, site: dict, visitor: Visitor, clock: ManualClock
) -> None:
    await owner.client.post(f"/api/sites/{site['id']}/privacy/export", json={"phone": PHONE}, headers=owner.csrf)
    clock.advance(timedelta(seconds=1))
    await owner.client.post("/api/privacy/visitors/erase", json={"visitorId": visitor.id}, headers=owner.csrf)

    response = await owner.client.get("/api/privacy/requests")

    requests = response.json()
    assert [(r["action"], r["subject"], r["siteId"], r["requester"]) for r in requests] == [
        ("erase", "visitor_id", None, "owner"),
        ("export", "phone", site["id"], "owner"),
    ]
    assert requests[0]["counts"]["messages"] == 2
    assert requests[1]["counts"]["leads"] == 1
    for value in (visitor.id, EMAIL, PHONE, "415"):
        assert value not in response.text


async def test_an_owner_corrects_a_leads_contact_details(owner: Owner, site: dict, visitor: Visitor) -> None:
    leads = f"/api/sites/{site['id']}/leads"
    [lead] = (await owner.client.get(leads)).json()

    corrected = await owner.client.patch(
        f"{leads}/{lead['id']}",
        json={"name": "Robert Stone", "email": "Robert@Example.com", "phone": "+1 415 555 0124", "message": "Mornings"},
        headers=owner.csrf,
    )
    status = await owner.client.patch(f"{leads}/{lead['id']}", json={"status": "contacted"}, headers=owner.csrf)

    assert (corrected.status_code, status.status_code) == (204, 204)
    [stored] = (await owner.client.get(leads)).json()
    assert (stored["name"], stored["email"], stored["phone"], stored["message"], stored["status"]) == (
        "Robert Stone",
        "robert@example.com",
        "+14155550124",
        "Mornings",
        "contacted",
    )
    requests = (await owner.client.get("/api/privacy/requests")).json()
    assert [(r["action"], r["subject"]) for r in requests] == [("correct", "lead")]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "nope", "status": "closed"}, "invalid_email"),
        ({"phone": None, "status": "closed"}, "no_contact"),
        ({"name": "   "}, "invalid_value"),
        ({}, "invalid_value"),
    ],
)
async def test_a_refused_correction_changes_nothing(
    owner: Owner, site: dict, visitor: Visitor, body: dict, code: str
) -> None:
    leads = f"/api/sites/{site['id']}/leads"
    [lead] = (await owner.client.get(leads)).json()

    response = await owner.client.patch(f"{leads}/{lead['id']}", json=body, headers=owner.csrf)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert (await owner.client.get(leads)).json() == [lead]


async def test_another_owners_lead_cannot_be_corrected(owner: Owner, site: dict, visitor: Visitor, new_client) -> None:
    [lead] = (await owner.client.get(f"/api/sites/{site['id']}/leads")).json()
    mallory = await sign_up(await new_client(), email="mallory@example.com", name="Mallory")
    own = await mallory.add_site(name="Mallory's", url="https://mallory.example")

    for site_id in (site["id"], own["id"]):
        response = await mallory.client.patch(
            f"/api/sites/{site_id}/leads/{lead['id']}", json={"email": "mallory@example.com"}, headers=mallory.csrf
        )
        assert response.status_code == 404
    assert (await owner.client.get(f"/api/sites/{site['id']}/leads")).json() == [lead]


async def test_the_account_export_holds_everything_but_secrets(owner: Owner, site: dict, visitor: Visitor) -> None:
    response = await owner.client.get("/api/account/export")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    export = response.json()
    assert (export["account"]["email"], export["account"]["closedAt"]) == ("ann@example.com", None)
    [session] = export["sessions"]
    assert set(session) == {"createdAt", "lastSeenAt", "expiresAt", "ip", "userAgent"}
    [exported] = export["sites"]
    assert exported["site"]["id"] == site["id"]
    assert [snippet["title"] for snippet in exported["snippets"]] == ["Returns"]
    assert len(exported["conversations"]) == 1 and len(exported["leads"]) == 1
    assert [day["views"] for day in exported["dailyPageViews"]] == [1]
    assert {count["meter"] for count in export["usage"]} == {"sites", "conversations", "messages"}
    for secret in ("passwordHash", "password_hash", "argon2", "csrf", "tokenHash", owner.csrf["x-csrf-token"]):
        assert secret not in response.text
    requests = (await owner.client.get("/api/privacy/requests")).json()
    assert [(r["action"], r["subject"]) for r in requests] == [("export", "account")]


async def test_deleting_the_account_needs_the_password_and_ends_every_session(
    owner: Owner, site: dict, visitor: Visitor, new_client
) -> None:
    elsewhere = await new_client()
    assert (await elsewhere.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})).is_success

    wrong = await owner.client.request(
        "DELETE", "/api/account", json={"password": "not my password"}, headers=owner.csrf
    )
    assert wrong.status_code == 401
    assert (await owner.client.get("/api/session")).status_code == 200

    closed = await owner.client.request("DELETE", "/api/account", json={"password": PASSWORD}, headers=owner.csrf)

    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["purgeAfter"] is not None and body["endedSessions"] == 2
    for client in (owner.client, elsewhere):
        assert (await client.get("/api/session")).status_code == 401
    login = await elsewhere.post("/api/session", json={"email": "ann@example.com", "password": PASSWORD})
    assert login.status_code == 401
    config = await visitor.client.get(f"{visitor.base}/config", headers=FROM_SITE)
    assert config.status_code == 404
    again = await elsewhere.post(
        "/api/accounts",
        json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "confirmsMinimumAge": True},
    )
    assert again.status_code == 409


async def test_an_account_deleted_at_once_is_gone_and_its_email_can_sign_up_again(
    owner: Owner, site: dict, visitor: Visitor, new_client
) -> None:
    closed = await owner.client.request(
        "DELETE", "/api/account", json={"password": PASSWORD, "immediately": True}, headers=owner.csrf
    )

    assert closed.status_code == 200, closed.text
    assert closed.json()["purgeAfter"] is None
    fresh = await sign_up(await new_client())
    assert fresh.id != owner.id
    assert (await fresh.client.get("/api/sites")).json() == []
    assert (await fresh.client.get("/api/privacy/requests")).json() == []
    assert await _usage(fresh) == {"sites": 0, "pages": 0, "conversations": 0, "messages": 0, "voice_seconds": 0}
