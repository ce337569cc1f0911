"""OwnerRepository and SessionRepository."""

from datetime import timedelta

import pytest

from ragsell.application.ports.repositories import DuplicateKey
from ragsell.domain.accounts import SessionPolicy
from tests.contract.stores import Stores, ms, owner, real_now, session


async def test_an_added_owner_reads_back_by_id_and_by_email(stores: Stores) -> None:
    ada = owner(email="ada@example.com")
    await stores.owners.add(ada)

    assert await stores.owners.get(ada.id) == ada
    assert await stores.owners.by_email("ada@example.com") == ada


async def test_owner_emails_are_unique_case_insensitively(stores: Stores) -> None:
    await stores.owners.add(owner(email="ada@example.com"))

    with pytest.raises(DuplicateKey):
        await stores.owners.add(owner(email="ada@example.com"))
    assert (await stores.owners.by_email("Ada@Example.COM")) is not None


async def test_an_unknown_owner_is_none(stores: Stores) -> None:
    await stores.owners.add(owner())

    assert await stores.owners.get(owner().id) is None
    assert await stores.owners.by_email("nobody@example.com") is None


async def test_password_hash_and_plan_changes_are_kept_and_touch_no_other_owner(stores: Stores) -> None:
    ada, bob = owner(), owner()
    await stores.owners.add(ada)
    await stores.owners.add(bob)

    await stores.owners.set_password_hash(ada.id, "$argon2id$new")
    await stores.owners.set_plan(ada.id, "pro")
    await stores.owners.set_plan(owner().id, "pro")  # no such owner: nothing happens

    changed = await stores.owners.get(ada.id)
    assert changed is not None
    assert (changed.password_hash, changed.plan) == ("$argon2id$new", "pro")
    assert await stores.owners.get(bob.id) == bob


async def test_a_session_is_found_only_until_it_expires(stores: Stores) -> None:
    opened = session(owner().id)
    await stores.sessions.add(opened)

    assert await stores.sessions.get(opened.token_hash, now=opened.created_at) == opened
    assert await stores.sessions.get(opened.token_hash, now=opened.expires_at - ms(1)) == opened
    assert await stores.sessions.get(opened.token_hash, now=opened.expires_at) is None


async def test_an_expired_session_is_not_returned_even_while_the_store_still_holds_it(stores: Stores) -> None:
    # Expires in two minutes of real time: no TTL sweep can have removed it yet, so only
    # the query's own expiry filter keeps it out.
    opened = session(owner().id, policy=SessionPolicy(idle=timedelta(minutes=2), absolute=timedelta(minutes=2)))
    await stores.sessions.add(opened)

    assert await stores.sessions.get(opened.token_hash, now=opened.expires_at + timedelta(hours=1)) is None
    assert await stores.sessions.get(opened.token_hash, now=opened.created_at) == opened


async def test_session_token_hashes_are_unique(stores: Stores) -> None:
    opened = session(owner().id)
    await stores.sessions.add(opened)

    with pytest.raises(DuplicateKey):
        await stores.sessions.add(opened)


async def test_touching_a_session_keeps_its_new_last_seen_and_expiry(stores: Stores) -> None:
    policy = SessionPolicy()
    opened = session(owner().id, policy=policy)
    await stores.sessions.add(opened)

    touched = opened.touched(opened.created_at + timedelta(minutes=30), policy)
    await stores.sessions.save_seen(touched)

    assert await stores.sessions.get(opened.token_hash, now=opened.expires_at) == touched


async def test_touching_an_expired_session_does_not_bring_it_back(stores: Stores) -> None:
    policy = SessionPolicy()
    opened = session(owner().id, policy=policy)
    await stores.sessions.add(opened)

    late = opened.touched(opened.expires_at + timedelta(minutes=1), policy)
    await stores.sessions.save_seen(late)

    assert await stores.sessions.get(opened.token_hash, now=opened.expires_at) is None
    assert await stores.sessions.get(opened.token_hash, now=opened.created_at) == opened


async def test_a_removed_session_is_gone(stores: Stores) -> None:
    opened = session(owner().id)
    await stores.sessions.add(opened)

    await stores.sessions.remove(opened.token_hash)
    await stores.sessions.remove(opened.token_hash)

    assert await stores.sessions.get(opened.token_hash, now=opened.created_at) is None


async def test_ending_an_owners_sessions_keeps_the_current_one_and_spares_other_owners(stores: Stores) -> None:
    ada, bob = owner(), owner()
    current, other_device, third_device = session(ada.id), session(ada.id), session(ada.id)
    bobs = session(bob.id)
    for opened in (current, other_device, third_device, bobs):
        await stores.sessions.add(opened)

    ended = await stores.sessions.remove_for_owner(ada.id, keep=current.token_hash)

    now = real_now()
    assert ended == 2
    assert await stores.sessions.get(current.token_hash, now=now) == current
    assert await stores.sessions.get(other_device.token_hash, now=now) is None
    assert await stores.sessions.get(bobs.token_hash, now=now) == bobs
    assert await stores.sessions.remove_for_owner(ada.id) == 1
    assert await stores.sessions.get(current.token_hash, now=now) is None
