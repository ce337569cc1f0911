"""Owners, their passwords, and dashboard sessions that expire by themselves."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.adapters.system.ids import SecretsIdGenerator
from ragsell.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    LoginSession,
    Owner,
    SessionPolicy,
    check_name,
    check_new_password,
    open_session,
    token_hash,
)
from ragsell.domain.errors import InvalidEmail, InvalidValue, WeakPassword
from ragsell.domain.ids import OwnerId, client_message_id, is_issued_id, is_widget_key, visitor_id

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
OWNER = OwnerId("o" * 22)


# --- passwords and names ----------------------------------------------------------


def test_a_new_password_needs_the_minimum_length() -> None:
    assert check_new_password("x" * MIN_PASSWORD_LENGTH, email="ada@example.com") == "x" * MIN_PASSWORD_LENGTH
    with pytest.raises(WeakPassword) as caught:
        check_new_password("x" * (MIN_PASSWORD_LENGTH - 1), email="ada@example.com")
    assert caught.value.field == "password"


def test_a_new_password_has_a_maximum_length() -> None:
    assert check_new_password("x" * MAX_PASSWORD_LENGTH, email="ada@example.com")
    with pytest.raises(WeakPassword):
        check_new_password("x" * (MAX_PASSWORD_LENGTH + 1), email="ada@example.com")


def test_a_new_password_is_not_the_email_address_in_any_case() -> None:
    with pytest.raises(WeakPassword):
        check_new_password(" ADA.LOVELACE@EXAMPLE.COM ", email="ada.lovelace@example.com")


def test_names_are_tidied_and_bounded() -> None:
    assert check_name("  Ada \t Lovelace ") == "Ada Lovelace"
    for bad in ("", "   ", "x" * 101, "Ada\x00"):
        with pytest.raises(InvalidValue):
            check_name(bad)


def test_owners_are_stored_with_normalized_emails() -> None:
    fields = {"id": OWNER, "name": "Ada", "password_hash": "h", "plan": "free", "created_at": NOW}
    assert not Owner(email="ada@example.com", **fields).is_closed  # type: ignore[arg-type]
    assert Owner(email="ada@example.com", closed_at=NOW, **fields).is_closed  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        Owner(email="Ada@Example.com", **fields)  # type: ignore[arg-type]
    with pytest.raises(InvalidEmail):
        Owner(email="not an email", **fields)  # type: ignore[arg-type]


# --- sessions ---------------------------------------------------------------------


def opened(policy: SessionPolicy, at: datetime = NOW, **extra: str) -> LoginSession:
    return open_session(
        token_hash=token_hash("token"),
        owner_id=OWNER,
        csrf_token="csrf",
        now=at,
        policy=policy,
        ip=extra.get("ip", "203.0.113.7"),
        user_agent=extra.get("user_agent", "Firefox"),
    )


def test_session_policy_needs_idle_within_absolute_within_ninety_days() -> None:
    SessionPolicy(idle=timedelta(minutes=1), absolute=timedelta(minutes=1))
    for idle, absolute in [
        (timedelta(seconds=59), timedelta(days=1)),
        (timedelta(days=2), timedelta(days=1)),
        (timedelta(hours=1), timedelta(days=91)),
    ]:
        with pytest.raises(InvalidValue):
            SessionPolicy(idle=idle, absolute=absolute)


def test_a_new_session_expires_after_the_idle_time() -> None:
    policy = SessionPolicy()
    session = opened(policy)
    assert session.expires_at == NOW + policy.idle
    assert session.absolute_expires_at == NOW + policy.absolute
    assert session.is_active(NOW + policy.idle - timedelta(microseconds=1))
    assert not session.is_active(NOW + policy.idle)


def test_a_new_session_cannot_outlive_a_short_absolute_limit() -> None:
    policy = SessionPolicy(idle=timedelta(hours=1), absolute=timedelta(hours=1))
    assert opened(policy).expires_at == NOW + timedelta(hours=1)


def test_sessions_keep_only_a_bounded_ip_and_user_agent() -> None:
    session = opened(SessionPolicy(), ip="1" * 500, user_agent="U" * 5000)
    assert len(session.ip) == 64
    assert len(session.user_agent) == 256


def test_a_session_is_touched_at_most_once_per_interval() -> None:
    policy = SessionPolicy()
    session = opened(policy)
    assert not session.needs_touch(NOW + policy.touch_interval - timedelta(seconds=1), policy)
    assert session.needs_touch(NOW + policy.touch_interval, policy)


def test_touching_a_session_extends_its_idle_expiry_but_not_its_absolute_one() -> None:
    policy = SessionPolicy(idle=timedelta(hours=2), absolute=timedelta(hours=3))
    session = opened(policy)
    later = session.touched(NOW + timedelta(hours=1), policy)
    assert later.last_seen_at == NOW + timedelta(hours=1)
    assert later.expires_at == NOW + timedelta(hours=3)
    assert later.absolute_expires_at == session.absolute_expires_at
    assert (later.token_hash, later.csrf_token, later.created_at) == (
        session.token_hash,
        session.csrf_token,
        session.created_at,
    )


def test_session_times_must_be_in_order() -> None:
    with pytest.raises(InvalidValue):
        LoginSession(
            token_hash="h",
            owner_id=OWNER,
            csrf_token="c",
            created_at=NOW,
            last_seen_at=NOW,
            absolute_expires_at=NOW + timedelta(hours=1),
            expires_at=NOW + timedelta(hours=2),
            ip="",
            user_agent="",
        )


policies = st.builds(
    lambda idle_minutes, extra_minutes, touch_seconds: SessionPolicy(
        idle=timedelta(minutes=idle_minutes),
        absolute=timedelta(minutes=idle_minutes + extra_minutes),
        touch_interval=timedelta(seconds=touch_seconds),
    ),
    st.integers(min_value=1, max_value=24 * 60),
    st.integers(min_value=0, max_value=3 * 24 * 60),
    st.integers(min_value=0, max_value=300),
)


@settings(max_examples=150, deadline=None)
@given(policies, st.lists(st.integers(min_value=0, max_value=36 * 3600), min_size=1, max_size=40))
def test_a_touched_session_never_outlives_its_absolute_expiry(policy: SessionPolicy, steps: list[int]) -> None:
    session = opened(policy)
    now = NOW
    deadline = NOW + policy.absolute
    for step in steps:
        now += timedelta(seconds=step)
        if not session.is_active(now):
            # Once expired it stays expired: nothing brings it back.
            assert not session.is_active(now + timedelta(seconds=step))
            break
        assert now < deadline
        if session.needs_touch(now, policy):
            session = session.touched(now, policy)
        assert session.expires_at <= session.absolute_expires_at == deadline
        assert session.expires_at <= session.last_seen_at + policy.idle
    assert not session.is_active(deadline)


@settings(max_examples=150, deadline=None)
@given(policies, st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_a_session_used_at_least_every_half_idle_time_lives_until_its_absolute_expiry(
    policy: SessionPolicy, gaps: list[int]
) -> None:
    half_idle = policy.idle.total_seconds() / 2
    session = opened(policy)
    now = NOW
    for gap in gaps:
        now += timedelta(seconds=min(gap, half_idle))
        if now >= session.absolute_expires_at:
            break
        assert session.is_active(now)
        if session.needs_touch(now, policy):
            session = session.touched(now, policy)


def test_a_one_minute_idle_session_in_steady_use_does_not_lapse() -> None:
    policy = SessionPolicy(idle=timedelta(minutes=1), absolute=timedelta(hours=1))
    session = opened(policy)
    for step in range(1, 10):
        now = NOW + timedelta(seconds=40 * step)
        assert session.is_active(now)
        if session.needs_touch(now, policy):
            session = session.touched(now, policy)


def test_the_stored_token_hash_is_the_sha256_of_the_token_not_the_token() -> None:
    assert token_hash("secret") == hashlib.sha256(b"secret").hexdigest()
    assert token_hash("secret") != "secret"
    assert token_hash("secret") != token_hash("secret2")


# --- identifiers ------------------------------------------------------------------


def test_issued_ids_carry_132_random_bits_and_tokens_256() -> None:
    ids = SecretsIdGenerator()
    issued = {ids.new_id() for _ in range(200)}
    assert len(issued) == 200
    assert all(is_issued_id(value) for value in issued)
    assert is_widget_key(f"pk_{ids.new_id()}")
    token = ids.secret_token()
    assert len(token) >= 43
    assert token != ids.secret_token()


def test_visitor_and_client_message_ids_are_lower_case_uuid4() -> None:
    good = "0b6f6c0e-4a5b-4c3d-9e8f-0123456789ab"
    assert visitor_id(good) == good
    assert client_message_id(good) == good
    for bad in (
        good.upper(),
        "0b6f6c0e-4a5b-1c3d-9e8f-0123456789ab",
        "0b6f6c0e-4a5b-4c3d-7e8f-0123456789ab",
        "visitor",
        "",
        good + "0",
    ):
        with pytest.raises(InvalidValue):
            visitor_id(bad)
        with pytest.raises(InvalidValue):
            client_message_id(bad)
