"""Work queued in a collection and claimed with a lease (crawl jobs, lead notifications)."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from ragsell.adapters.mongo.codecs import Document
from ragsell.adapters.mongo.dates import before


async def claim_candidates(
    collection: AsyncCollection[dict[str, Any]], *, queued: str, running: str, now: datetime
) -> AsyncIterator[Document]:
    """Documents in state ``queued`` due by ``now`` and in state ``running`` whose lease ran
    out by then (and some due within the second after: check exactly), oldest due first.

    Two queries merged here rather than one ``$or``, which nx-27017 answers by a scan of
    every document the queue ever held.
    """
    due = before(now)
    order = [("run_after", 1), ("_id", 1)]
    cursors = [
        collection.find({"state": queued, "run_after": due}).sort(order),
        collection.find({"state": running, "lease_expires_at": due}).sort(order),
    ]
    try:
        heads = [await anext(cursor, None) for cursor in cursors]
        while True:
            ready = [(head["run_after"], head["_id"], n, head) for n, head in enumerate(heads) if head is not None]
            if not ready:
                return
            _, _, n, head = min(ready, key=lambda entry: entry[:3])
            yield head
            heads[n] = await anext(cursors[n], None)
    finally:
        for cursor in cursors:
            await cursor.close()
