"""Lead notifications as jobs (claim, deliver, retry with backoff, give up), webhooks and
their signature, password-reset links, session ids, devices and analytics arithmetic."""

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragsell.domain.accounts import SessionPolicy, open_session
from ragsell.domain.analytics import per_day, question_key, window_days
from ragsell.domain.devices import describe_device
from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import LeadId, NotificationId, OwnerId, SiteId
from ragsell.domain.notifications import (
    MAX_DELIVERY_ATTEMPTS,
    MAX_RETRY_DELAY,
    DeliveryState,
    LeadNotification,
    NotificationChannel,
    Webhook,
    new_notification,
    retry_delay,
    signature,
    webhook_url,
)
from ragsell.domain.password_resets import RESET_LIFETIME, PasswordReset, is_reset_token, new_reset

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=90)


def queued() -> LeadNotification:
    return new_notification(
        notification_id=NotificationId("n" * 22),
        owner_id=OwnerId("o" * 22),
        site_id=SiteId("s" * 22),
        lead_id=LeadId("l" * 22),
        channel=NotificationChannel.EMAIL,
        now=NOW,
    )


# --- notifications as jobs ---------------------------------------------------------


def test_a_new_notification_is_due_at_once_and_claimed_under_a_lease() -> None:
    claimed = queued().claimed(worker="w", now=NOW, lease=LEASE)

    assert queued().claimable(NOW) and not queued().claimable(NOW - timedelta(seconds=1))
    assert (claimed.state, claimed.attempts, claimed.last_attempt_at) == (DeliveryState.SENDING, 1, NOW)
    assert not claimed.claimable(NOW + LEASE - timedelta(seconds=1))
    assert claimed.claimable(NOW + LEASE)


def test_delivery_finishes_a_notification() -> None:
    delivered = queued().claimed(worker="w", now=NOW, lease=LEASE).delivered(NOW)

    assert (delivered.state, delivered.finished_at, delivered.worker) == (DeliveryState.DELIVERED, NOW, None)
    assert not delivered.claimable(NOW + timedelta(days=365))


def test_a_failure_is_retried_after_a_doubling_delay_until_the_attempts_run_out() -> None:
    notification = queued()
    for attempt in range(1, MAX_DELIVERY_ATTEMPTS + 1):
        notification = notification.claimed(worker="w", now=notification.run_after, lease=LEASE)
        notification = notification.failed(notification.run_after, "no answer", permanent=False)
        if attempt < MAX_DELIVERY_ATTEMPTS:
            assert notification.state is DeliveryState.QUEUED
    assert notification.state is DeliveryState.FAILED and notification.finished_at is not None
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(30) == MAX_RETRY_DELAY


def test_a_permanent_failure_gives_up_at_once_and_errors_are_kept_short() -> None:
    failed = queued().claimed(worker="w", now=NOW, lease=LEASE).failed(NOW, "x" * 1000, permanent=True)

    assert failed.state is DeliveryState.FAILED and failed.last_error == "x" * 300


def test_a_notification_being_sent_has_a_worker_and_a_lease() -> None:
    with pytest.raises(InvalidValue):
        LeadNotification(
            **{name: getattr(queued(), name) for name in queued().__struct_fields__} | {"state": DeliveryState.SENDING}
        )


# --- webhooks ------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"event":"lead.created"}'

    assert signature("s" * 43, body) == "sha256=" + hmac.new(b"s" * 43, body, hashlib.sha256).hexdigest()
    assert signature("s" * 43, body) != signature("t" * 43, body)


def test_webhook_addresses_are_http_or_https_and_secrets_long() -> None:
    assert webhook_url(" HTTPS://Hooks.Example.NET:443/in?a=1 ") == "https://hooks.example.net/in?a=1"
    for bad in ("ftp://x.example/", "javascript:alert(1)", "https://u:p@x.example/"):
        with pytest.raises(InvalidUrl) as error:
            webhook_url(bad)
        assert error.value.field == "url"
    with pytest.raises(InvalidValue):
        Webhook(url="https://x.example/", secret="short")


# --- password resets, sessions, devices ----------------------------------------------


def test_a_reset_link_lives_an_hour_at_most() -> None:
    reset = new_reset(token_hash="h" * 64, owner_id=OwnerId("o" * 22), now=NOW)

    assert reset.is_valid(NOW + RESET_LIFETIME - timedelta(microseconds=1))
    assert not reset.is_valid(NOW + RESET_LIFETIME)
    with pytest.raises(InvalidValue):
        PasswordReset(token_hash="h", owner_id=OwnerId("o"), created_at=NOW, expires_at=NOW + timedelta(hours=2))
    assert is_reset_token("A" * 43) and not is_reset_token("A" * 43 + "\n") and not is_reset_token("A/" * 21 + "A")


def test_a_sessions_shown_id_is_not_its_token_hash() -> None:
    made = [
        open_session(
            token_hash=hashlib.sha256(str(n).encode()).hexdigest(),
            owner_id=OwnerId("o" * 22),
            csrf_token="c",
            now=NOW,
            policy=SessionPolicy(),
            ip="203.0.113.1",
            user_agent="",
        )
        for n in range(2)
    ]

    assert made[0].public_id != made[1].public_id
    assert made[0].public_id not in made[0].token_hash and len(made[0].public_id) == 32


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36",
            "Chrome on Windows",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) CriOS/126.0 Safari/604.1",
            "Chrome on iPhone",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
        ("curl/8.5.0", "curl"),
        ("", "Unknown device"),
    ],
)
def test_devices_are_named_in_a_few_words(user_agent: str, device: str) -> None:
    assert describe_device(user_agent) == device


# --- analytics -----------------------------------------------------------------------


def test_the_window_is_the_last_calendar_days_in_utc_today_last() -> None:
    days = window_days(datetime(2026, 3, 1, 0, 30, tzinfo=UTC), 3)

    assert days == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    assert per_day([NOW, NOW, NOW - timedelta(days=1), NOW - timedelta(days=9)], window_days(NOW, 2)) == [1, 2]


@given(st.text(max_size=80))
def test_question_keys_ignore_case_punctuation_and_spacing(text: str) -> None:
    key = question_key(text)

    assert question_key(key) == key
    assert question_key(f"  {text} ?! ") == key
    assert key == key.strip() and "  " not in key


def test_questions_that_read_the_same_share_a_key() -> None:
    assert (
        question_key("Do you ship to Norway?") == question_key("  DO you ship to norway!! ") == "do you ship to norway"
    )
