"""SessionRepository.list_for_owner: the owner's sessions page."""

from datetime import timedelta

from ragsell.domain.accounts import SessionPolicy
from tests.contract.stores import Stores, ms, owner, real_now, session


async def test_an_owners_active_sessions_are_listed_most_recently_seen_first(stores: Stores) -> None:
    start = real_now()
    ann, bob = owner().id, owner().id
    older = session(ann, now=start - timedelta(hours=1))
    newer = session(ann, now=start - ms(300))
    touched = session(ann, now=start - timedelta(hours=1, minutes=5)).touched(start - ms(100), SessionPolicy())
    for each in (older, newer, touched, session(bob, now=start)):
        await stores.sessions.add(each)

    listed = await stores.sessions.list_for_owner(ann, now=start, limit=10)

    assert [each.token_hash for each in listed] == [touched.token_hash, newer.token_hash, older.token_hash]
    assert listed[0] == touched
    assert await stores.sessions.list_for_owner(ann, now=start, limit=2) == listed[:2]
    assert await stores.sessions.list_for_owner(ann, now=start, limit=0) == []


async def test_expired_sessions_are_not_listed(stores: Stores) -> None:
    start = real_now()
    ann = owner().id
    policy = SessionPolicy(idle=timedelta(minutes=5), absolute=timedelta(hours=1))
    lapsed = session(ann, now=start - timedelta(minutes=5), policy=policy)
    alive = session(ann, now=start - timedelta(minutes=5) + ms(400), policy=policy)
    await stores.sessions.add(lapsed)
    await stores.sessions.add(alive)

    assert await stores.sessions.list_for_owner(ann, now=start, limit=10) == [alive]
