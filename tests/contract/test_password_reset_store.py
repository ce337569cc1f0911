"""PasswordResetRepository."""

import secrets
from datetime import datetime, timedelta

import pytest

from ragsell.application.ports.repositories import DuplicateKey
from ragsell.domain.ids import OwnerId
from ragsell.domain.password_resets import PasswordReset, new_reset
from tests.contract.stores import Stores, ms, owner, real_now


def reset(owner_id: OwnerId, *, now: datetime | None = None) -> PasswordReset:
    return new_reset(token_hash=secrets.token_hex(32), owner_id=owner_id, now=now or real_now())


async def test_a_reset_reads_back_until_it_expires(stores: Stores) -> None:
    made = reset(owner().id)
    await stores.password_resets.add(made)

    assert await stores.password_resets.get(made.token_hash, now=made.created_at) == made
    assert await stores.password_resets.get(made.token_hash, now=made.expires_at - ms(1)) == made
    assert await stores.password_resets.get(made.token_hash, now=made.expires_at) is None
    assert await stores.password_resets.get(secrets.token_hex(32), now=made.created_at) is None


async def test_a_reset_is_taken_once(stores: Stores) -> None:
    made = reset(owner().id)
    await stores.password_resets.add(made)

    assert await stores.password_resets.take(made.token_hash, now=made.created_at) == made
    assert await stores.password_resets.take(made.token_hash, now=made.created_at) is None
    assert await stores.password_resets.get(made.token_hash, now=made.created_at) is None


async def test_an_expired_reset_cannot_be_taken(stores: Stores) -> None:
    made = reset(owner().id)
    await stores.password_resets.add(made)

    assert await stores.password_resets.take(made.token_hash, now=made.expires_at + ms(1)) is None


async def test_removing_an_owners_resets_leaves_others(stores: Stores) -> None:
    ann, bob = owner().id, owner().id
    anns = [reset(ann), reset(ann, now=real_now() - timedelta(minutes=5))]
    bobs = reset(bob)
    for each in [*anns, bobs]:
        await stores.password_resets.add(each)

    assert await stores.password_resets.remove_for_owner(ann) == 2
    assert await stores.password_resets.get(anns[0].token_hash, now=anns[0].created_at) is None
    assert await stores.password_resets.get(bobs.token_hash, now=bobs.created_at) == bobs


async def test_token_hashes_are_unique(stores: Stores) -> None:
    made = reset(owner().id)
    await stores.password_resets.add(made)

    with pytest.raises(DuplicateKey):
        await stores.password_resets.add(made)
