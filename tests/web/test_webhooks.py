"""Lead webhooks are POSTed through the guarded fetcher: the same address rules as the
crawler (checked before connecting, pinned), no redirects followed, bounded in time."""

import time
from collections.abc import Iterator

import pytest

from ragsell.adapters.web import GuardedFetcher
from ragsell.adapters.web.webhooks import GuardedWebhookSender
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.application.ports.notifications import WebhookRequest
from tests.web.conftest import SMALL_LIMITS, Listener, resolve_test_names
from tests.webhook_receiver import Receiver, webhook_receiver

BODY = b'{"event":"lead.created"}'
HEADERS = {"Content-Type": "application/json", "X-Ragsell-Signature": "sha256=abc"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def sender(*, allow_loopback: bool = True) -> GuardedWebhookSender:
    fetcher = GuardedFetcher(
        user_agent="ragsell/test (+http://ragsell.test)",
        limits=SMALL_LIMITS,
        resolver=resolve_test_names,
        allow_loopback=allow_loopback,
    )
    return GuardedWebhookSender(fetcher)


async def test_the_body_and_headers_arrive_as_signed(receiver: Receiver) -> None:
    await sender().post(WebhookRequest(url=receiver.url("/hook?key=1", host="hooks.test"), body=BODY, headers=HEADERS))

    ((path, headers, body),) = receiver.received
    assert (path, body) == ("/hook?key=1", BODY)
    assert headers["X-Ragsell-Signature"] == "sha256=abc"
    assert headers["Content-Type"] == "application/json"
    assert headers["Host"] == f"hooks.test:{receiver.port}"
    assert headers["User-Agent"].startswith("ragsell/")


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_an_answer_other_than_2xx_is_a_failure_to_retry(receiver: Receiver, status: int) -> None:
    receiver.status = status

    with pytest.raises(DeliveryFailed) as failed:
        await sender().post(WebhookRequest(url=receiver.url(), body=BODY, headers=HEADERS))

    assert failed.value.reason == f"The webhook answered {status}." and not failed.value.permanent


async def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    receiver.status = 307
    receiver.headers = {"Location": receiver.url("/elsewhere")}

    with pytest.raises(DeliveryFailed) as failed:
        await sender().post(WebhookRequest(url=receiver.url(), body=BODY, headers=HEADERS))

    assert "redirect" in failed.value.reason
    assert [path for path, _, _ in receiver.received] == ["/hook"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://hooks.test:{port}/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://2130706433:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/hook",
        "file:///etc/passwd",
    ],
)
async def test_private_addresses_are_refused_for_good_without_connecting(url: str) -> None:
    listener = Listener("127.0.0.1")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sender(allow_loopback=False).post(
                WebhookRequest(url=url.format(port=listener.port), body=BODY, headers=HEADERS)
            )
        assert failed.value.permanent and "refused" in failed.value.reason
        assert listener.saw_no_connection()
    finally:
        listener.socket.close()


async def test_a_receiver_that_does_not_answer_in_time_is_a_failure_to_retry(receiver: Receiver) -> None:
    receiver.delay = 1.0
    started = time.monotonic()

    with pytest.raises(DeliveryFailed) as failed:
        await sender().post(WebhookRequest(url=receiver.url(), body=BODY, headers=HEADERS))

    assert time.monotonic() - started < 1.0
    assert not failed.value.permanent and "could not be reached" in failed.value.reason
