"""Analytics, the install check, the leads CSV and usage per site, through the real app;
another owner gets 404 from each."""

import csv
import io
from datetime import timedelta

import pytest

from ragsell.adapters.memory.clock import ManualClock
from tests.http.conftest import BASE_URL, Owner, sign_up
from tests.http.widget_visitor import SITE_ORIGIN, Visitor


async def test_analytics_count_the_days_and_point_at_questions_to_answer(
    owner: Owner, new_client, clock: ManualClock
) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    visitor = Visitor(await new_client(), site["widgetKey"])
    conversation = await visitor.start()
    answered = await visitor.ask(conversation, "Can I return an item?")
    for question in ("Do you sell submarines?", "do you sell SUBMARINES"):
        clock.advance(timedelta(seconds=1))
        await visitor.ask(conversation, question)
    await visitor.rate(conversation, answered["messageId"], "down")
    await visitor.leave_lead(conversation)

    response = await owner.client.get(f"/api/sites/{site['id']}/analytics", params={"days": 7})

    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["days"]) == 7
    assert {k: report["days"][-1][k] for k in ("conversations", "messages", "leads")} == {
        "conversations": 1,
        "messages": 6,
        "leads": 1,
    }
    assert [(q["text"], q["count"]) for q in report["topQuestions"]] == [
        ("do you sell SUBMARINES", 2),
        ("Can I return an item?", 1),
    ]
    assert [r["question"] for r in report["ratedDown"]] == ["Can I return an item?"]
    assert [r["question"] for r in report["unanswered"]] == ["do you sell SUBMARINES", "Do you sell submarines?"]
    add = report["unanswered"][0]["addAnswer"]
    assert add == {"kind": "qa", "title": "do you sell SUBMARINES", "question": "do you sell SUBMARINES"}
    snippet = await owner.client.post(
        f"/api/sites/{site['id']}/snippets", json={**add, "text": "No, only boats."}, headers=owner.csrf
    )
    assert snippet.status_code == 201, snippet.text


@pytest.mark.parametrize("days", ["0", "91", "x"])
async def test_analytics_windows_are_bounded(owner: Owner, days: str) -> None:
    site = await owner.add_site()

    response = await owner.client.get(f"/api/sites/{site['id']}/analytics", params={"days": days})

    assert response.status_code == 400


async def test_the_install_check_sees_the_widget_on_an_allowed_origin_only(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    path = f"/api/sites/{site['id']}/install"
    visitor = Visitor(await new_client(), site["widgetKey"])

    before = (await owner.client.get(path)).json()
    await visitor.view(f"{BASE_URL}/demo/{site['widgetKey']}", origin=BASE_URL)
    on_demo = (await owner.client.get(path)).json()
    await visitor.view(f"{SITE_ORIGIN}/pricing?email=bob@example.com")
    after = (await owner.client.get(path)).json()

    assert before["snippet"] == f'<script async src="{BASE_URL}/widget.js" data-site="{site["widgetKey"]}"></script>'
    assert (before["seen"], on_demo["seen"]) == (False, False)
    assert (after["seen"], after["lastSeenUrl"]) == (True, f"{SITE_ORIGIN}/pricing")
    assert after["lastSeenAt"] is not None and after["allowedOrigins"] == site["allowedOrigins"]


async def test_the_leads_csv_is_quoted_and_safe_in_spreadsheets(owner: Owner, new_client, clock: ManualClock) -> None:
    site = await owner.add_site(name="Acme, Inc.")
    visitor = Visitor(await new_client(), site["widgetKey"])
    await visitor.leave_lead(name="Bob Stone", message='=HYPERLINK("http://evil.example","x")')
    clock.advance(timedelta(seconds=1))
    await visitor.leave_lead(name="Ann Lee", message='+1 say "hi",\nthen -2 and @me')

    response = await owner.client.get(f"/api/sites/{site['id']}/leads.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="leads-acme-inc.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Ann Lee", "Bob Stone"]
    assert rows[0]["message"] == '\'+1 say "hi",\nthen -2 and @me'
    assert rows[1]["message"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1]["email"] == "bob@example.com" and rows[1]["status"] == "new"


async def test_usage_is_broken_down_per_site(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    visitor = Visitor(await new_client(), site["widgetKey"])
    await visitor.ask(await visitor.start(), "Hello?")

    usage = (await owner.client.get("/api/usage")).json()

    assert usage["bySite"] == [
        {"siteId": site["id"], "siteName": "Acme", "conversations": 1, "messages": 1, "voiceSeconds": 0}
    ]


async def test_another_owner_reaches_none_of_a_sites_insights(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    await Visitor(await new_client(), site["widgetKey"]).leave_lead()
    eve = await sign_up(await new_client(), email="eve@example.com", name="Eve")

    for path in ("analytics", "install", "leads.csv"):
        response = await eve.client.get(f"/api/sites/{site['id']}/{path}")
        assert response.status_code == 404, path
        assert "Bob" not in response.text
    assert (await eve.client.get("/api/usage")).json()["bySite"] == []
