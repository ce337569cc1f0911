"""An owner's list of open sessions, and ending any of them."""

import pytest

from ragsell.application.accounts.log_in import LogInCommand
from ragsell.application.errors import NotAuthenticated, NotFound
from tests.application.conftest import PASSWORD, Harness

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


async def test_sessions_are_listed_with_device_address_and_which_is_this_one(harness: Harness) -> None:
    await harness.sign_up()
    laptop = await harness.log_in(
        LogInCommand(email="ada@example.com", password=PASSWORD, ip="203.0.113.5", user_agent=FIREFOX)
    )
    harness.clock.advance(harness.policy.touch_interval)
    phone = await harness.log_in(
        LogInCommand(email="ada@example.com", password=PASSWORD, ip="198.51.100.6", user_agent=IPHONE)
    )
    harness.clock.advance(harness.policy.touch_interval)

    # Using the laptop's session makes it the most recently seen.
    listed = await harness.list_sessions(await harness.current_owner(laptop.token))

    assert [(s.device, s.ip, s.current) for s in listed] == [
        ("Firefox on Linux", "203.0.113.5", True),
        ("Safari on iPhone", "198.51.100.6", False),
        ("Unknown device", "203.0.113.1", False),
    ]
    assert all(s.id not in (laptop.session.token_hash, phone.session.token_hash) for s in listed)
    assert listed[1].created_at == phone.session.created_at


async def test_ending_another_session_logs_that_device_out_only(harness: Harness) -> None:
    mine = await harness.sign_up()
    theirs = await harness.enter("ada@example.com")
    auth = await harness.current_owner(mine.token)
    other = next(s for s in await harness.list_sessions(auth) if not s.current)

    assert await harness.end_session(auth, other.id) is False

    with pytest.raises(NotAuthenticated):
        await harness.current_owner(theirs.token)
    await harness.current_owner(mine.token)


async def test_ending_the_current_session_says_so(harness: Harness) -> None:
    mine = await harness.sign_up()
    auth = await harness.current_owner(mine.token)
    current = next(s for s in await harness.list_sessions(auth) if s.current)

    assert await harness.end_session(auth, current.id) is True
    with pytest.raises(NotAuthenticated):
        await harness.current_owner(mine.token)


async def test_another_owners_session_cannot_be_ended(harness: Harness) -> None:
    ada = await harness.sign_up()
    bob = await harness.sign_up("bob@example.com")
    bobs = (await harness.list_sessions(await harness.current_owner(bob.token)))[0]

    with pytest.raises(NotFound):
        await harness.end_session(await harness.current_owner(ada.token), bobs.id)
    with pytest.raises(NotFound):
        await harness.end_session(await harness.current_owner(ada.token), bob.session.token_hash)
    await harness.current_owner(bob.token)
