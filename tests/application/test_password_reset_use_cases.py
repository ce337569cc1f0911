"""Forgot password: a single-use link by email, valid for an hour, ending every session."""

import re
from datetime import timedelta

import pytest

from ragsell.application.accounts.request_password_reset import RequestPasswordResetCommand
from ragsell.application.accounts.reset_password import ResetPasswordCommand
from ragsell.application.errors import InvalidResetLink, MailNotConfigured, NotAuthenticated, RateLimited
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.application.throttling import RESET_REQUESTS_PER_EMAIL
from ragsell.domain.accounts import token_hash
from ragsell.domain.errors import InvalidEmail, WeakPassword
from tests.application.conftest import PASSWORD, Harness

NEW_PASSWORD = "a brand new passphrase"


async def request_link(harness: Harness, email: str = "ada@example.com", ip: str = "198.51.100.9") -> str | None:
    """The token the emailed link carries, or None when no email went out."""
    sent = await harness.request_password_reset(RequestPasswordResetCommand(email=email, ip=ip))
    if sent is None:
        return None
    await harness.request_password_reset.deliver(sent)
    found = re.search(r"/reset-password#token=([A-Za-z0-9_-]+)", harness.mailer.outbox[-1].text)
    assert found is not None
    return found.group(1)


async def reset(harness: Harness, token: str, password: str = NEW_PASSWORD) -> int:
    return await harness.reset_password(ResetPasswordCommand(token=token, new_password=password, ip="198.51.100.9"))


async def test_the_link_sets_a_new_password_and_ends_every_session(harness: Harness) -> None:
    first = await harness.sign_up()
    second = await harness.enter("ada@example.com")

    token = await request_link(harness, " Ada@Example.com ")
    assert token is not None
    assert harness.mailer.outbox[-1].to == "ada@example.com"
    assert harness.mailer.outbox[-1].text.count(harness.links.base_url) == 1

    assert await reset(harness, token) == 2
    for opened in (first, second):
        with pytest.raises(NotAuthenticated):
            await harness.current_owner(opened.token)
    await harness.enter("ada@example.com", NEW_PASSWORD)


async def test_the_answer_is_the_same_for_an_unknown_address_and_no_mail_goes_out(harness: Harness) -> None:
    await harness.sign_up()

    assert await request_link(harness, "nobody@example.com") is None
    assert harness.mailer.outbox == []


async def test_only_the_tokens_hash_is_stored_and_it_carries_256_bits(harness: Harness) -> None:
    await harness.sign_up()
    token = await request_link(harness)
    assert token is not None

    assert len(token) == 43
    assert await harness.password_resets.get(token, now=harness.clock.now()) is None
    assert await harness.password_resets.get(token_hash(token), now=harness.clock.now()) is not None


async def test_a_link_works_once(harness: Harness) -> None:
    await harness.sign_up()
    token = await request_link(harness)
    assert token is not None
    await reset(harness, token)

    with pytest.raises(InvalidResetLink):
        await reset(harness, token, "yet another passphrase")
    await harness.enter("ada@example.com", NEW_PASSWORD)


async def test_a_link_expires_within_the_hour(harness: Harness) -> None:
    await harness.sign_up()
    token = await request_link(harness)
    assert token is not None

    harness.clock.advance(timedelta(hours=1))

    with pytest.raises(InvalidResetLink):
        await reset(harness, token)
    await harness.enter("ada@example.com", PASSWORD)


async def test_a_weak_password_leaves_the_link_usable_and_nothing_changed(harness: Harness) -> None:
    opened = await harness.sign_up()
    token = await request_link(harness)
    assert token is not None

    for weak in ("short", "ada@example.com"):
        with pytest.raises(WeakPassword):
            await reset(harness, token, weak)

    await harness.current_owner(opened.token)
    await harness.enter("ada@example.com", PASSWORD)
    assert await reset(harness, token) == 2


async def test_using_a_link_voids_the_accounts_other_links(harness: Harness) -> None:
    await harness.sign_up()
    older = await request_link(harness)
    newer = await request_link(harness)
    assert older is not None and newer is not None

    await reset(harness, newer)

    with pytest.raises(InvalidResetLink):
        await reset(harness, older)


@pytest.mark.parametrize("token", ["", "x", "A" * 42, "A" * 44, "A" * 42 + "!", "A" * 43])
async def test_a_malformed_or_unknown_token_is_refused(harness: Harness, token: str) -> None:
    await harness.sign_up()

    with pytest.raises(InvalidResetLink):
        await reset(harness, token)


async def test_requests_are_throttled_per_address_whether_or_not_it_has_an_account(harness: Harness) -> None:
    await harness.sign_up()
    for email in ("ada@example.com", "nobody@example.com"):
        for n in range(RESET_REQUESTS_PER_EMAIL.limit):
            await request_link(harness, email, ip=f"198.51.100.{n}")
        with pytest.raises(RateLimited):
            await request_link(harness, email, ip="198.51.100.200")


async def test_requests_are_throttled_per_client_address(harness: Harness) -> None:
    with pytest.raises(RateLimited):
        for n in range(20):
            await request_link(harness, f"someone{n}@example.com", ip="198.51.100.7")


async def test_without_a_mail_server_reset_links_are_refused_plainly(harness: Harness) -> None:
    owner_id = (await harness.sign_up()).owner.id
    harness.mailer.enabled = False

    with pytest.raises(MailNotConfigured):
        await request_link(harness)
    assert await harness.password_resets.remove_for_owner(owner_id) == 0


async def test_a_malformed_address_is_refused(harness: Harness) -> None:
    with pytest.raises(InvalidEmail):
        await request_link(harness, "not an address")


async def test_a_mail_failure_is_logged_not_raised(harness: Harness) -> None:
    await harness.sign_up()
    harness.mailer.failing = DeliveryFailed("The mail server did not answer.")
    sent = await harness.request_password_reset(RequestPasswordResetCommand(email="ada@example.com", ip="198.51.100.1"))
    assert sent is not None

    await harness.request_password_reset.deliver(sent)

    assert harness.mailer.outbox == []
