"""Lead notifications through the real app: the owner gets an email (a real SMTP server on
127.0.0.1) and a signed webhook call (a local receiver), retried after failures; the
delivery log shows how each went; another owner reaches none of it."""

import hashlib
import hmac
from collections.abc import Iterator

import msgspec
import pytest
from litestar import Litestar

from ragsell.adapters.memory.clock import ManualClock
from ragsell.domain.notifications import retry_delay
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Settings
from tests.http.conftest import BASE_URL, HarnessOverrides, Owner, browser, sign_up
from tests.http.outbound import mail_settings, send_notifications
from tests.http.widget_visitor import SITE_ORIGIN, Visitor
from tests.mail.smtp_server import SmtpServer, smtp_server
from tests.webhook_receiver import Receiver, webhook_receiver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def settings(smtp: SmtpServer) -> Settings:
    return mail_settings(smtp)


async def site_with_webhook(owner: Owner, receiver: Receiver) -> tuple[dict, dict]:
    site = await owner.add_site()
    hook = await owner.client.put(
        f"/api/sites/{site['id']}/webhook", json={"url": receiver.url("/leads?k=1")}, headers=owner.csrf
    )
    assert hook.status_code == 200, hook.text
    return site, hook.json()


async def test_a_lead_reaches_the_owner_by_email_and_signed_webhook(
    app: Litestar, owner: Owner, new_client, smtp: SmtpServer, receiver: Receiver
) -> None:
    site, hook = await site_with_webhook(owner, receiver)
    visitor = Visitor(await new_client(), site["widgetKey"])
    conversation = await visitor.start()
    await visitor.leave_lead(conversation, name="Bob Stone", message="Call me about bulk tea.")

    sent = await send_notifications(app)

    assert sorted(n.state.value for n in sent) == ["delivered", "delivered"]
    (email,) = smtp.received
    text = email.message.get_content()
    assert email.recipients == ["ann@example.com"]
    assert email.message["Subject"] == f"New lead on {site['name']}: Bob Stone"
    assert f"{BASE_URL}/sites/{site['id']}/conversations/{conversation}" in text
    assert "Call me about bulk tea." in text and f"{SITE_ORIGIN}/pricing" in text
    ((path, headers, body),) = receiver.received
    assert path == "/leads?k=1"
    expected = "sha256=" + hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers[hook["signatureHeader"]] == expected
    assert headers[hook["timestampHeader"]].isdigit()
    payload = msgspec.json.decode(body)
    assert (payload["event"], payload["lead"]["name"], payload["lead"]["email"]) == (
        "lead.created",
        "Bob Stone",
        "bob@example.com",
    )
    assert payload["transcriptUrl"] == f"{BASE_URL}/sites/{site['id']}/conversations/{conversation}"
    log = (await owner.client.get(f"/api/sites/{site['id']}/notifications")).json()
    assert log["emailEnabled"] is True and log["webhookUrl"] == receiver.url("/leads?k=1")
    assert sorted((d["channel"], d["state"], d["attempts"]) for d in log["deliveries"]) == [
        ("email", "delivered", 1),
        ("webhook", "delivered", 1),
    ]


async def test_a_failing_webhook_is_retried_and_the_lead_stands(
    app: Litestar, owner: Owner, new_client, receiver: Receiver, clock: ManualClock
) -> None:
    site, _ = await site_with_webhook(owner, receiver)
    receiver.status = 500
    await Visitor(await new_client(), site["widgetKey"]).leave_lead()

    await send_notifications(app)

    webhook = next(
        d
        for d in (await owner.client.get(f"/api/sites/{site['id']}/notifications")).json()["deliveries"]
        if d["channel"] == "webhook"
    )
    assert (webhook["state"], webhook["attempts"], webhook["lastError"]) == ("queued", 1, "The webhook answered 500.")
    assert webhook["nextAttemptAt"] is not None
    assert len((await owner.client.get(f"/api/sites/{site['id']}/leads")).json()) == 1

    receiver.status = 204
    clock.advance(retry_delay(1))
    retried = await send_notifications(app)

    assert [(n.channel.value, n.state.value, n.attempts) for n in retried] == [("webhook", "delivered", 2)]
    assert len(receiver.received) == 2


async def test_webhook_settings_keep_their_secret_and_refuse_bad_addresses(owner: Owner, receiver: Receiver) -> None:
    site, hook = await site_with_webhook(owner, receiver)
    path = f"/api/sites/{site['id']}/webhook"

    for bad in ("ftp://hooks.example/", "not a url", "https://user:pw@hooks.example/"):
        refused = await owner.client.put(path, json={"url": bad}, headers=owner.csrf)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_url"
    assert (await owner.client.put(path, json={"url": bad, "extra": 1}, headers=owner.csrf)).status_code == 400
    kept = await owner.client.get(path)
    assert kept.json() == hook and kept.headers["cache-control"] == "no-store"

    rotated = (await owner.client.put(path, json={"url": hook["url"], "newSecret": True}, headers=owner.csrf)).json()
    assert rotated["secret"] != hook["secret"] and len(rotated["secret"]) >= 43
    assert (await owner.client.delete(path, headers=owner.csrf)).status_code == 204
    assert (await owner.client.get(path)).json() is None
    assert "webhook" not in str((await owner.client.get(f"/api/sites/{site['id']}")).json())


async def test_another_owner_reaches_no_webhook_or_delivery_log(owner: Owner, new_client, receiver: Receiver) -> None:
    site, hook = await site_with_webhook(owner, receiver)
    eve = await sign_up(await new_client(), email="eve@example.com", name="Eve")
    path = f"/api/sites/{site['id']}"

    responses = [
        await eve.client.get(f"{path}/webhook"),
        await eve.client.put(f"{path}/webhook", json={"url": "https://evil.example/"}, headers=eve.csrf),
        await eve.client.delete(f"{path}/webhook", headers=eve.csrf),
        await eve.client.get(f"{path}/notifications"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert (await owner.client.get(f"{path}/webhook")).json() == hook


async def test_webhook_changes_need_the_csrf_token(owner: Owner, receiver: Receiver) -> None:
    site, hook = await site_with_webhook(owner, receiver)
    path = f"/api/sites/{site['id']}/webhook"

    assert (await owner.client.put(path, json={"url": "https://evil.example/"})).status_code == 403
    assert (await owner.client.delete(path)).status_code == 403
    assert (await owner.client.get(path)).json() == hook


async def test_without_the_test_setting_a_webhook_to_this_machine_is_refused_for_good(
    smtp: SmtpServer, receiver: Receiver, store, clock: ManualClock
) -> None:
    strict = msgspec.structs.replace(mail_settings(smtp), webhook_allow_loopback=False)
    app = create_app(strict, make_container(strict, store=store, overrides=[HarnessOverrides(clock)]))
    async with browser(app) as client:
        owner = await sign_up(client)
        site, _ = await site_with_webhook(owner, receiver)
        await Visitor(client, site["widgetKey"]).leave_lead()

        sent = await send_notifications(app)

    webhook = next(n for n in sent if n.channel.value == "webhook")
    assert webhook.state.value == "failed" and "refused" in (webhook.last_error or "")
    assert receiver.received == []
    await app.state.dishka_container.close()
