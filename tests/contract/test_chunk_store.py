"""ChunkRepository."""

import asyncio
import os

import msgspec
import pytest

from ragsell.domain.knowledge import Chunk, ChunkSource
from tests.contract.stores import Stores, chunk, owner, site, vector

TEA = "https://shop.example.com/products/tea"
COFFEE = "https://shop.example.com/products/coffee"


def ordered(chunks: list[Chunk]) -> list[Chunk]:
    """The order for_site gives: by source, then source key, then position."""
    return sorted(chunks, key=lambda c: (c.source.value, c.source_key, c.position))


async def test_a_site_has_no_chunks_and_version_zero_before_any(stores: Stores) -> None:
    shop = site(owner().id)

    assert await stores.chunks.for_site(shop.id) == []
    assert await stores.chunks.version(shop.id) == 0


async def test_replacing_a_source_replaces_only_that_sources_chunks(stores: Stores) -> None:
    shop = site(owner().id)
    tea = [chunk(shop.id, TEA, position=n) for n in range(3)]
    coffee = [chunk(shop.id, COFFEE, position=n) for n in range(2)]
    faq = [chunk(shop.id, "snippet-faq", source=ChunkSource.SNIPPET, position=0)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea)
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, COFFEE, coffee)
    await stores.chunks.replace_source(shop.id, ChunkSource.SNIPPET, "snippet-faq", faq)
    assert await stores.chunks.for_site(shop.id) == ordered(tea + coffee + faq)

    new_tea = [chunk(shop.id, TEA, position=n, text=f"Tea, part {n}") for n in range(2)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, new_tea)
    assert await stores.chunks.for_site(shop.id) == ordered(new_tea + coffee + faq)

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, COFFEE, [])
    assert await stores.chunks.for_site(shop.id) == ordered(new_tea + faq)


async def test_a_page_and_a_snippet_with_the_same_key_are_different_sources(stores: Stores) -> None:
    shop = site(owner().id)
    as_page = [chunk(shop.id, "same-key")]
    as_snippet = [chunk(shop.id, "same-key", source=ChunkSource.SNIPPET)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, "same-key", as_page)
    await stores.chunks.replace_source(shop.id, ChunkSource.SNIPPET, "same-key", as_snippet)

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, "same-key", [])

    assert await stores.chunks.for_site(shop.id) == as_snippet


async def test_chunks_come_back_in_position_order_whatever_order_they_were_given_in(stores: Stores) -> None:
    shop = site(owner().id)
    given = [chunk(shop.id, TEA, position=n) for n in (3, 0, 2, 1)]

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, given)

    assert [c.position for c in await stores.chunks.for_site(shop.id)] == [0, 1, 2, 3]


async def test_vectors_come_back_as_exactly_the_bytes_given(stores: Stores) -> None:
    shop = site(owner().id)
    raws = [
        os.urandom(4 * 384),
        vector(float("nan"), float("-inf"), -0.0, 1e-45),
        # Starts like the header of a stored BSON vector, and is a whole float32 vector.
        b"\x27\x00" + os.urandom(6),
        b"\x00" * 4,
        bytes(range(256)),
    ]
    given = [chunk(shop.id, TEA, position=n, raw_vector=raw) for n, raw in enumerate(raws)]

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, given)

    found = await stores.chunks.for_site(shop.id)
    assert [c.vector for c in found] == raws
    assert all(type(c.vector) is bytes for c in found)
    assert found == given


async def test_the_same_chunks_can_be_stored_again(stores: Stores) -> None:
    shop = site(owner().id)
    tea = [chunk(shop.id, TEA, position=n) for n in range(2)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea)

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, tea)

    assert await stores.chunks.for_site(shop.id) == tea


async def test_the_version_changes_with_every_change_and_not_with_reads(stores: Stores) -> None:
    shop = site(owner().id)
    seen = [await stores.chunks.version(shop.id)]

    async def changed() -> None:
        now = await stores.chunks.version(shop.id)
        assert now not in seen
        seen.append(now)

    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [chunk(shop.id, TEA)])
    await changed()
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, COFFEE, [chunk(shop.id, COFFEE)])
    await changed()
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [chunk(shop.id, TEA, text="New text")])
    await changed()
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [])
    await changed()

    await stores.chunks.for_site(shop.id)
    await stores.chunks.for_site(shop.id)
    assert await stores.chunks.version(shop.id) == seen[-1]
    # Removing what is not there changes nothing.
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [])
    await stores.chunks.replace_source(shop.id, ChunkSource.SNIPPET, "never-added", [])
    assert await stores.chunks.version(shop.id) == seen[-1]


async def test_chunks_and_versions_are_kept_per_site(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    mine = [chunk(shop.id, TEA)]
    theirs = [chunk(blog.id, TEA)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, mine)
    blog_version = await stores.chunks.version(blog.id)

    await stores.chunks.replace_source(blog.id, ChunkSource.PAGE, TEA, theirs)
    shop_version = await stores.chunks.version(shop.id)
    assert await stores.chunks.version(blog.id) != blog_version

    await stores.chunks.replace_source(blog.id, ChunkSource.PAGE, TEA, [])
    assert await stores.chunks.for_site(shop.id) == mine
    assert await stores.chunks.for_site(blog.id) == []
    assert await stores.chunks.version(shop.id) == shop_version


async def test_chunks_of_another_source_or_site_are_refused(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [chunk(shop.id, TEA)])
    version = await stores.chunks.version(shop.id)

    for stray in (
        chunk(blog.id, TEA),
        chunk(shop.id, COFFEE),
        chunk(shop.id, TEA, source=ChunkSource.SNIPPET),
    ):
        with pytest.raises(ValueError):
            await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, [chunk(shop.id, TEA), stray])

    assert len(await stores.chunks.for_site(shop.id)) == 1
    assert await stores.chunks.version(shop.id) == version


async def test_concurrent_replacements_of_a_source_leave_one_of_them_whole(stores: Stores) -> None:
    shop = site(owner().id)
    sets = [[chunk(shop.id, TEA, position=p, text=f"Version {n}") for p in range(3)] for n in range(8)]
    other = [chunk(shop.id, COFFEE)]
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, COFFEE, other)

    await asyncio.gather(*(stores.chunks.replace_source(shop.id, ChunkSource.PAGE, TEA, each) for each in sets))

    found = await stores.chunks.for_site(shop.id)
    tea = [c for c in found if c.source_key == TEA]
    assert tea in sets
    assert [c for c in found if c.source_key == COFFEE] == other


async def test_many_chunks_come_back_whole(stores: Stores) -> None:
    shop = site(owner().id)
    pages = {f"https://shop.example.com/p/{n:03}": [] for n in range(40)}
    for key, chunks in pages.items():
        chunks.extend(
            msgspec.structs.replace(chunk(shop.id, key, position=p), vector=os.urandom(4 * 384)) for p in range(25)
        )
    for key, chunks in pages.items():
        await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, key, chunks)

    assert await stores.chunks.for_site(shop.id) == [c for chunks in pages.values() for c in chunks]


async def test_sentence_vectors_come_back_as_exactly_the_bytes_given(stores: Stores) -> None:
    shop = site(owner().id)
    text = "Our green tea comes from Shizuoka. It is picked in May."
    rows = vector(0.5, -0.25, 1.0, 2.0) + vector(-1.0, 0.0, 3.5, 1e-7)
    stored = msgspec.structs.replace(chunk(shop.id, text=text), sentence_vectors=rows)
    await stores.chunks.replace_source(shop.id, ChunkSource.PAGE, stored.source_key, [stored])
    (found,) = await stores.chunks.for_site(shop.id)
    assert found.sentence_vectors == rows
    assert found == stored
