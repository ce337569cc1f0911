"""Signing up, logging in and out, sessions that end by themselves, changing passwords."""

from collections.abc import Callable
from datetime import timedelta

import msgspec
import pytest

from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.application.accounts.change_password import ChangePasswordCommand
from ragsell.application.accounts.log_in import LogIn, LogInCommand
from ragsell.application.accounts.register_owner import RegisterOwnerCommand
from ragsell.application.errors import EmailTaken, InvalidCredentials, NotAuthenticated, RateLimited
from ragsell.application.throttling import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ACCOUNT_AND_IP,
    LOGIN_PER_IP,
    PASSWORD_CHANGES_PER_OWNER,
    SIGNUP_PER_IP,
)
from ragsell.domain.accounts import MAX_PASSWORD_LENGTH, Owner, SessionPolicy, token_hash
from ragsell.domain.errors import InvalidEmail, InvalidValue, WeakPassword
from tests.application.conftest import PASSWORD, Harness, cheap_hasher


def registration(**changes: object) -> RegisterOwnerCommand:
    fields: dict[str, object] = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "password": PASSWORD,
        "confirms_minimum_age": True,
        "ip": "203.0.113.1",
        "user_agent": "Firefox",
    }
    fields.update(changes)
    return RegisterOwnerCommand(**fields)  # type: ignore[arg-type]


# --- sign-up ----------------------------------------------------------------------


async def test_signing_up_stores_the_owner_on_the_default_plan_and_opens_a_session(harness: Harness) -> None:
    opened = await harness.register(registration(email="  Ada@Example.COM "))
    stored = await harness.stored_owner(opened.owner.id)
    assert stored.email == "ada@example.com"
    assert stored.name == "Ada Lovelace"
    assert stored.plan == "free"
    assert stored.created_at == harness.clock.now()
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    # The cookie token is handed out, only its hash is kept.
    assert opened.session.token_hash == token_hash(opened.token)
    assert (await harness.current_owner(opened.token)).owner.id == stored.id


async def test_an_email_is_taken_regardless_of_case(harness: Harness) -> None:
    await harness.register(registration(email="ada@example.com"))
    with pytest.raises(EmailTaken) as caught:
        await harness.register(registration(email="ADA@Example.com", name="Someone Else"))
    assert caught.value.field == "email"
    assert (await harness.owners.by_email("ada@example.com")).name == "Ada Lovelace"  # type: ignore[union-attr]


async def test_signing_up_requires_confirming_the_minimum_age(harness: Harness) -> None:
    with pytest.raises(InvalidValue) as caught:
        await harness.register(registration(confirms_minimum_age=False))
    assert caught.value.field == "confirmsMinimumAge"
    assert await harness.owners.by_email("ada@example.com") is None


@pytest.mark.parametrize("password", ["short", "ada@example.com", "ADA@EXAMPLE.COM", "x" * 257])
async def test_signing_up_refuses_a_weak_password(harness: Harness, password: str) -> None:
    with pytest.raises(WeakPassword):
        await harness.register(registration(password=password))
    assert await harness.owners.by_email("ada@example.com") is None


async def test_signing_up_refuses_a_bad_email_or_name(harness: Harness) -> None:
    with pytest.raises(InvalidEmail):
        await harness.register(registration(email="ada@"))
    with pytest.raises(InvalidValue):
        await harness.register(registration(name="   "))


async def test_sign_ups_are_throttled_per_ip(harness: Harness) -> None:
    for index in range(SIGNUP_PER_IP.limit):
        await harness.register(registration(email=f"owner{index}@example.com"))
    with pytest.raises(RateLimited) as caught:
        await harness.register(registration(email="one-more@example.com"))
    assert caught.value.retry_after > 0
    assert await harness.owners.by_email("one-more@example.com") is None
    await harness.register(registration(email="one-more@example.com", ip="198.51.100.9"))


async def test_the_default_argon2id_parameters_are_owasps_minimum(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(hasher=Argon2PasswordHasher())
    opened = await harness.sign_up()
    stored = await harness.stored_owner(opened.owner.id)
    assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await harness.hasher.verify(stored.password_hash, PASSWORD)


# --- log-in -----------------------------------------------------------------------


async def test_logging_in_opens_a_new_session_with_its_own_tokens(harness: Harness) -> None:
    signed_up = await harness.sign_up()
    opened = await harness.enter("ADA@example.com ")
    assert opened.owner.id == signed_up.owner.id
    assert opened.token != signed_up.token
    assert opened.session.csrf_token != signed_up.session.csrf_token
    assert opened.session.csrf_token != opened.token
    assert (await harness.current_owner(opened.token)).owner.id == signed_up.owner.id


async def test_an_unknown_email_and_a_wrong_password_fail_the_same_way(harness: Harness) -> None:
    await harness.sign_up()
    with pytest.raises(InvalidCredentials) as wrong_password:
        await harness.enter("ada@example.com", "not the password at all")
    with pytest.raises(InvalidCredentials) as unknown_email:
        await harness.enter("nobody@example.com", PASSWORD)
    with pytest.raises(InvalidCredentials) as malformed_email:
        await harness.enter("not an email", PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message == malformed_email.value.message
    assert wrong_password.value.field is unknown_email.value.field is None


async def test_a_closed_account_cannot_log_in(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.owners.add(
        Owner(
            id=harness.ids.new_id(),  # type: ignore[arg-type]
            name="Gone",
            email="gone@example.com",
            password_hash=await harness.hasher.hash(PASSWORD),
            plan="free",
            created_at=now,
            closed_at=now,
        )
    )
    with pytest.raises(InvalidCredentials):
        await harness.enter("gone@example.com")


async def test_logging_in_rehashes_the_password_when_the_parameters_change(harness: Harness) -> None:
    signed_up = await harness.sign_up()
    old_hash = (await harness.stored_owner(signed_up.owner.id)).password_hash
    assert "m=1024,t=1," in old_hash

    await harness.enter("ada@example.com")
    assert (await harness.stored_owner(signed_up.owner.id)).password_hash == old_hash

    stronger = cheap_hasher(memory_kib=2048, time_cost=2)
    try:
        log_in = LogIn(harness.owners, stronger, harness.opener, harness.throttle, harness.clock)
        await log_in(LogInCommand(email="ada@example.com", password=PASSWORD, ip="203.0.113.1", user_agent="test"))
    finally:
        stronger.close()
    new_hash = (await harness.stored_owner(signed_up.owner.id)).password_hash
    assert new_hash != old_hash
    assert "m=2048,t=2," in new_hash
    assert await harness.hasher.verify(new_hash, PASSWORD)


async def test_log_ins_are_throttled_per_account_and_address_even_with_the_right_password(harness: Harness) -> None:
    await harness.sign_up()
    for _ in range(LOGIN_PER_ACCOUNT_AND_IP.limit):
        with pytest.raises(InvalidCredentials):
            await harness.enter("ada@example.com", "wrong password!", ip="198.51.100.1")
    with pytest.raises(RateLimited) as caught:
        await harness.enter("Ada@Example.com", PASSWORD, ip="198.51.100.1")
    assert 0 < caught.value.retry_after <= LOGIN_PER_ACCOUNT_AND_IP.window.total_seconds()
    # The owner, elsewhere, is not locked out; and the window passes.
    await harness.enter("ada@example.com", ip="198.51.100.2")
    harness.clock.advance(timedelta(seconds=caught.value.retry_after))
    await harness.enter("ada@example.com", ip="198.51.100.1")


async def test_log_ins_to_one_account_from_many_addresses_are_throttled(harness: Harness) -> None:
    await harness.sign_up()
    for index in range(LOGIN_PER_ACCOUNT.limit):
        with pytest.raises(InvalidCredentials):
            await harness.enter("ada@example.com", "wrong password!", ip=f"203.0.113.{index % 250}")
    with pytest.raises(RateLimited):
        await harness.enter("ada@example.com", PASSWORD, ip="198.51.100.9")
    await harness.sign_up("bob@example.com", ip="198.51.100.3")
    await harness.enter("bob@example.com", ip="198.51.100.9")


async def test_log_ins_are_throttled_per_ip_across_accounts(harness: Harness) -> None:
    await harness.sign_up()
    for index in range(LOGIN_PER_IP.limit):
        with pytest.raises(InvalidCredentials):
            await harness.enter(f"guess{index}@example.com", ip="192.0.2.66")
    with pytest.raises(RateLimited) as caught:
        await harness.enter("ada@example.com", ip="192.0.2.66")
    assert caught.value.retry_after > 0
    assert (await harness.enter("ada@example.com", ip="192.0.2.67")).owner.email == "ada@example.com"


# --- sessions ---------------------------------------------------------------------


async def test_no_token_or_an_unknown_token_is_not_authenticated(harness: Harness) -> None:
    await harness.sign_up()
    for token in (None, "", "made-up-token"):
        with pytest.raises(NotAuthenticated):
            await harness.current_owner(token)


async def test_a_session_ends_after_the_idle_time(make_harness: Callable[..., Harness]) -> None:
    policy = SessionPolicy(idle=timedelta(hours=2), absolute=timedelta(days=7))
    harness = make_harness(policy=policy)
    opened = await harness.sign_up()
    harness.clock.advance(policy.idle - timedelta(seconds=1))
    await harness.current_owner(opened.token)
    # That use moved the idle expiry on.
    harness.clock.advance(policy.idle - timedelta(seconds=1))
    await harness.current_owner(opened.token)
    harness.clock.advance(policy.idle)
    with pytest.raises(NotAuthenticated):
        await harness.current_owner(opened.token)


async def test_a_session_in_constant_use_still_ends_at_the_absolute_expiry(
    make_harness: Callable[..., Harness],
) -> None:
    policy = SessionPolicy(idle=timedelta(hours=2), absolute=timedelta(days=1))
    harness = make_harness(policy=policy)
    opened = await harness.sign_up()
    used_for = timedelta(0)
    while used_for + timedelta(minutes=30) < policy.absolute:
        harness.clock.advance(timedelta(minutes=30))
        used_for += timedelta(minutes=30)
        authenticated = await harness.current_owner(opened.token)
        assert authenticated.session.expires_at <= opened.session.absolute_expires_at
    harness.clock.advance(policy.absolute - used_for)
    with pytest.raises(NotAuthenticated):
        await harness.current_owner(opened.token)


async def test_a_short_idle_session_in_steady_use_stays_logged_in(make_harness: Callable[..., Harness]) -> None:
    harness = make_harness(policy=SessionPolicy(idle=timedelta(minutes=1), absolute=timedelta(hours=1)))
    opened = await harness.sign_up()
    for _ in range(10):
        harness.clock.advance(timedelta(seconds=40))
        await harness.current_owner(opened.token)


async def test_a_session_is_not_rewritten_on_every_request(harness: Harness) -> None:
    opened = await harness.sign_up()
    harness.clock.advance(timedelta(seconds=10))
    assert (await harness.current_owner(opened.token)).session.last_seen_at == opened.session.last_seen_at
    harness.clock.advance(harness.policy.touch_interval)
    assert (await harness.current_owner(opened.token)).session.last_seen_at == harness.clock.now()


async def test_a_closed_accounts_sessions_no_longer_authenticate(harness: Harness) -> None:
    now = harness.clock.now()
    owner = Owner(
        id=harness.ids.new_id(),  # type: ignore[arg-type]
        name="Gone",
        email="gone@example.com",
        password_hash="x",
        plan="free",
        created_at=now,
        closed_at=now,
    )
    await harness.owners.add(owner)
    opened = await harness.opener.open(owner, ip="203.0.113.1", user_agent="test")
    with pytest.raises(NotAuthenticated):
        await harness.current_owner(opened.token)


async def test_logging_out_ends_only_that_session(harness: Harness) -> None:
    first = await harness.sign_up()
    second = await harness.enter("ada@example.com")
    await harness.log_out(first.session.token_hash)
    with pytest.raises(NotAuthenticated):
        await harness.current_owner(first.token)
    assert (await harness.current_owner(second.token)).owner.id == first.owner.id
    # Logging out twice is harmless.
    await harness.log_out(first.session.token_hash)


# --- password change --------------------------------------------------------------


async def test_changing_the_password_ends_the_other_sessions_but_keeps_the_current_one(harness: Harness) -> None:
    current = await harness.sign_up()
    phone = await harness.enter("ada@example.com")
    laptop = await harness.enter("ada@example.com")
    bob = await harness.sign_up("bob@example.com")

    ended = await harness.change_password(
        ChangePasswordCommand(
            owner=current.owner,
            current_session_hash=current.session.token_hash,
            current_password=PASSWORD,
            new_password="a brand new passphrase",
        )
    )

    assert ended == 2
    assert (await harness.current_owner(current.token)).owner.id == current.owner.id
    for other in (phone, laptop):
        with pytest.raises(NotAuthenticated):
            await harness.current_owner(other.token)
    assert (await harness.current_owner(bob.token)).owner.email == "bob@example.com"
    with pytest.raises(InvalidCredentials):
        await harness.enter("ada@example.com", PASSWORD)
    await harness.enter("ada@example.com", "a brand new passphrase")


async def test_changing_the_password_needs_the_current_one(harness: Harness) -> None:
    current = await harness.sign_up()
    other = await harness.enter("ada@example.com")
    before = (await harness.stored_owner(current.owner.id)).password_hash
    with pytest.raises(InvalidCredentials) as caught:
        await harness.change_password(
            ChangePasswordCommand(
                owner=current.owner,
                current_session_hash=current.session.token_hash,
                current_password="a wrong password",
                new_password="a brand new passphrase",
            )
        )
    assert caught.value.field == "currentPassword"
    assert (await harness.stored_owner(current.owner.id)).password_hash == before
    await harness.current_owner(other.token)


async def test_changing_to_a_weak_password_is_refused(harness: Harness) -> None:
    current = await harness.sign_up()
    before = (await harness.stored_owner(current.owner.id)).password_hash
    with pytest.raises(WeakPassword):
        await harness.change_password(
            ChangePasswordCommand(
                owner=current.owner,
                current_session_hash=current.session.token_hash,
                current_password=PASSWORD,
                new_password="Ada@example.com",
            )
        )
    assert (await harness.stored_owner(current.owner.id)).password_hash == before


async def test_guessing_the_current_password_through_a_session_is_throttled(harness: Harness) -> None:
    current = await harness.sign_up()
    attempt = ChangePasswordCommand(
        owner=current.owner,
        current_session_hash=current.session.token_hash,
        current_password="a wrong password",
        new_password="a brand new passphrase",
    )
    for _ in range(PASSWORD_CHANGES_PER_OWNER.limit):
        with pytest.raises(InvalidCredentials):
            await harness.change_password(attempt)
    with pytest.raises(RateLimited):
        await harness.change_password(msgspec.structs.replace(attempt, current_password=PASSWORD))


async def test_a_password_longer_than_any_stored_one_never_matches(harness: Harness) -> None:
    long_password = "x" * MAX_PASSWORD_LENGTH
    await harness.sign_up(password=long_password)
    await harness.enter("ada@example.com", long_password)
    with pytest.raises(InvalidCredentials):
        await harness.enter("ada@example.com", long_password + "anything")
