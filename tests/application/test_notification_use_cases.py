"""Lead notifications: queued with the lead, sent by workers by email and webhook,
retried with backoff, logged per site; a failure never loses the lead."""

import hashlib
import hmac
from datetime import timedelta

import msgspec
import pytest

from ragsell.application.errors import NotFound
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.domain.errors import InvalidUrl
from ragsell.domain.leads import LeadKind
from ragsell.domain.notifications import (
    MAX_DELIVERY_ATTEMPTS,
    DeliveryState,
    NotificationChannel,
    retry_delay,
)
from ragsell.domain.sites import Site
from tests.application.conftest import Harness, new_visitor

HOOK = "https://hooks.example.net/ragsell?key=1"


async def shop_with_webhook(harness: Harness) -> Site:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.set_webhook(owner.id, site.id, HOOK)
    return await harness.get_site(owner.id, site.id)


async def test_a_new_lead_queues_an_email_and_a_webhook_call(harness: Harness) -> None:
    site = await shop_with_webhook(harness)

    lead = await harness.leave_lead(site)

    log = await harness.list_notifications(site.owner_id, site.id)
    assert {(n.channel, n.state, n.lead_id) for n in log.deliveries} == {
        (NotificationChannel.EMAIL, DeliveryState.QUEUED, lead.id),
        (NotificationChannel.WEBHOOK, DeliveryState.QUEUED, lead.id),
    }
    assert log.email_enabled is True
    assert log.webhook is not None and log.webhook.url == HOOK


async def test_without_mail_or_webhook_nothing_is_queued(harness: Harness) -> None:
    harness.mailer.enabled = False
    owner = await harness.owner()
    site = await harness.site(owner)

    await harness.leave_lead(site)

    log = await harness.list_notifications(owner.id, site.id)
    assert log.deliveries == [] and log.email_enabled is False


async def test_the_owner_gets_an_email_with_the_lead_its_page_and_the_transcript(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, name="Acme Tea")
    visitor = new_visitor()
    conversation = await harness.start(site, visitor)
    lead = await harness.leave_lead(
        site,
        visitor,
        conversation_id=conversation.id,
        name="Grace Hopper",
        phone="+14155552671",
        kind=LeadKind.CALLBACK,
        message="Call me after five.",
        page_url="https://example.com/pricing",
    )

    sent = await harness.run_notifications.run_next("worker-1")

    assert sent is not None and sent.state is DeliveryState.DELIVERED and sent.attempts == 1
    (email,) = harness.mailer.outbox
    assert email.to == owner.email
    assert email.subject == "New lead on Acme Tea: Grace Hopper"
    for expected in (
        "Grace Hopper",
        "grace@example.org",
        "+14155552671",
        "Call me after five.",
        "https://example.com/pricing",
        f"https://ragsell.example/sites/{site.id}/conversations/{lead.conversation_id}",
        "a call back",
    ):
        assert expected in email.text
    assert await harness.run_notifications.run_next("worker-1") is None


async def test_the_webhook_gets_the_lead_as_json_signed_with_the_sites_secret(harness: Harness) -> None:
    harness.mailer.enabled = False
    site = await shop_with_webhook(harness)
    lead = await harness.leave_lead(site, page_url="https://example.com/pricing")
    assert site.webhook is not None

    sent = await harness.run_notifications.run_next("worker-1")

    assert sent is not None and sent.state is DeliveryState.DELIVERED
    (request,) = harness.webhooks.sent
    assert request.url == HOOK
    expected = "sha256=" + hmac.new(site.webhook.secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Ragsell-Signature"] == expected
    body = msgspec.json.decode(request.body)
    assert body["event"] == "lead.created"
    assert body["deliveryId"] == sent.id
    assert body["lead"]["id"] == lead.id and body["lead"]["email"] == "grace@example.org"
    assert body["lead"]["pageUrl"] == "https://example.com/pricing"
    assert body["site"] == {"id": site.id, "name": site.name, "url": site.url}
    assert body["transcriptUrl"] is None
    assert int(request.headers["X-Ragsell-Timestamp"]) == int(harness.clock.now().timestamp())


async def test_a_failed_send_is_retried_with_growing_delays_then_given_up(harness: Harness) -> None:
    harness.mailer.enabled = False
    site = await shop_with_webhook(harness)
    await harness.leave_lead(site)
    harness.webhooks.failing = DeliveryFailed("The webhook answered 503.")

    for attempt in range(1, MAX_DELIVERY_ATTEMPTS):
        tried = await harness.run_notifications.run_next("worker-1")
        assert tried is not None and tried.state is DeliveryState.QUEUED and tried.attempts == attempt
        assert tried.run_after == harness.clock.now() + retry_delay(attempt)
        assert tried.last_error == "The webhook answered 503."
        harness.clock.advance(retry_delay(attempt) - timedelta(seconds=1))
        assert await harness.run_notifications.run_next("worker-1") is None
        harness.clock.advance(timedelta(seconds=1))

    last = await harness.run_notifications.run_next("worker-1")

    assert last is not None and last.state is DeliveryState.FAILED and last.attempts == MAX_DELIVERY_ATTEMPTS
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)


async def test_a_send_that_fails_once_goes_through_on_the_retry(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.leave_lead(site)
    harness.mailer.failing = DeliveryFailed("The mail server did not answer within 20 s.")
    await harness.run_notifications.run_next("worker-1")
    harness.mailer.failing = None
    harness.clock.advance(retry_delay(1))

    sent = await harness.run_notifications.run_next("worker-1")

    assert sent is not None and sent.state is DeliveryState.DELIVERED and sent.attempts == 2
    assert sent.last_error is None and len(harness.mailer.outbox) == 1


async def test_a_refused_address_is_given_up_at_once(harness: Harness) -> None:
    harness.mailer.enabled = False
    site = await shop_with_webhook(harness)
    await harness.leave_lead(site)
    harness.webhooks.failing = DeliveryFailed("The webhook address was refused.", permanent=True)

    tried = await harness.run_notifications.run_next("worker-1")

    assert tried is not None and tried.state is DeliveryState.FAILED and tried.attempts == 1


async def test_a_notification_that_cannot_be_queued_does_not_lose_the_lead(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = await shop_with_webhook(harness)

    async def broken(*_: object) -> None:
        raise ConnectionError("the store went away")

    monkeypatch.setattr(harness.notifications, "add", broken)

    lead = await harness.leave_lead(site)

    assert await harness.leads.get(site.id, lead.id) == lead


async def test_a_lead_erased_before_sending_is_not_sent(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.leave_lead(site)
    await harness.leads.erase_site(site.id)

    tried = await harness.run_notifications.run_next("worker-1")

    assert tried is not None and tried.state is DeliveryState.FAILED
    assert tried.last_error == "The lead was deleted before it was sent."
    assert harness.mailer.outbox == []


async def test_a_webhook_keeps_its_secret_until_a_new_one_is_asked_for(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)

    first = await harness.set_webhook(owner.id, site.id, " HTTPS://Hooks.Example.net/a ")
    moved = await harness.set_webhook(owner.id, site.id, "http://hooks.example.net/b")
    rotated = await harness.set_webhook(owner.id, site.id, "http://hooks.example.net/b", new_secret=True)

    assert first.url == "https://hooks.example.net/a" and len(first.secret) >= 43
    assert moved.secret == first.secret and moved.url == "http://hooks.example.net/b"
    assert rotated.secret != first.secret
    assert (await harness.get_site(owner.id, site.id)).webhook == rotated
    await harness.remove_webhook(owner.id, site.id)
    assert (await harness.get_site(owner.id, site.id)).webhook is None


@pytest.mark.parametrize("url", ["ftp://hooks.example.net/", "hooks", "https://user:pw@hooks.example.net/", ""])
async def test_a_bad_webhook_address_is_refused_and_nothing_changes(harness: Harness, url: str) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    kept = await harness.set_webhook(owner.id, site.id, HOOK)

    with pytest.raises(InvalidUrl):
        await harness.set_webhook(owner.id, site.id, url)

    assert (await harness.get_site(owner.id, site.id)).webhook == kept


async def test_another_owners_webhook_and_log_are_out_of_reach(harness: Harness) -> None:
    site = await shop_with_webhook(harness)
    await harness.leave_lead(site)
    stranger = await harness.owner("eve@example.com")

    with pytest.raises(NotFound):
        await harness.set_webhook(stranger.id, site.id, "https://evil.example/")
    with pytest.raises(NotFound):
        await harness.remove_webhook(stranger.id, site.id)
    with pytest.raises(NotFound):
        await harness.list_notifications(stranger.id, site.id)
    assert (await harness.get_site(site.owner_id, site.id)).webhook == site.webhook
