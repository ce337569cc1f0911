"""What expires when."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.errors import InvalidValue
from ragsell.domain.retention import RetentionPolicy, conversation_expired

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_a_closed_accounts_data_is_purged_once_the_grace_period_has_passed() -> None:
    policy = RetentionPolicy(closed_account_grace=timedelta(days=30))
    closed = NOW - timedelta(days=30)
    assert policy.account_purge_due(closed, NOW)
    assert not policy.account_purge_due(closed + timedelta(seconds=1), NOW)


def test_a_zero_grace_period_purges_at_once() -> None:
    assert RetentionPolicy(closed_account_grace=timedelta(0)).account_purge_due(NOW, NOW)


def test_raw_page_views_expire_after_their_retention() -> None:
    assert RetentionPolicy().page_view_expiry(NOW) == NOW + timedelta(days=30)
    assert RetentionPolicy(raw_page_views=timedelta(hours=1)).page_view_expiry(NOW) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    "changes",
    [
        {"closed_account_grace": timedelta(seconds=-1)},
        {"raw_page_views": timedelta(minutes=59)},
        {"raw_page_views": timedelta(0)},
    ],
)
def test_retention_periods_must_be_sensible(changes: dict[str, timedelta]) -> None:
    with pytest.raises(InvalidValue):
        RetentionPolicy(**changes)


def test_conversations_are_kept_while_the_site_sets_no_window() -> None:
    assert not conversation_expired(last_message_at=NOW - timedelta(days=10_000), retention_days=None, now=NOW)


def test_a_conversation_expires_once_its_last_message_is_older_than_the_window() -> None:
    assert not conversation_expired(last_message_at=NOW - timedelta(days=7), retention_days=7, now=NOW)
    assert conversation_expired(last_message_at=NOW - timedelta(days=7, seconds=1), retention_days=7, now=NOW)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=3650), st.integers(min_value=0, max_value=4000 * 86400))
def test_conversation_expiry_is_monotonic_in_age(days: int, age_seconds: int) -> None:
    last = NOW - timedelta(seconds=age_seconds)
    expired = conversation_expired(last_message_at=last, retention_days=days, now=NOW)
    assert expired == (timedelta(seconds=age_seconds) > timedelta(days=days))
    if expired:
        assert conversation_expired(last_message_at=last - timedelta(days=1), retention_days=days, now=NOW)
