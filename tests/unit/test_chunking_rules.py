"""Heading-aware chunking: passages sized for the embedder, within one section, overlapping."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.chunking import Section, chunk_sections, text_for_embedding
from ragsell.domain.errors import InvalidValue


def words(count: int, prefix: str) -> str:
    return " ".join(f"{prefix}{index}" for index in range(count))


def test_a_short_section_is_one_chunk_with_its_heading_path() -> None:
    (chunk,) = chunk_sections([Section(heading_path=("Shop", "Hours"), text="We open at nine. " * 10)])
    assert chunk.heading_path == ("Shop", "Hours")


def test_tiny_sections_under_one_parent_are_merged_with_their_heading() -> None:
    chunks = chunk_sections(
        [
            Section(heading_path=("Prices", "Bread"), text="Sourdough costs four euros."),
            Section(heading_path=("Prices", "Cakes"), text="Cakes start at twenty euros."),
        ]
    )
    assert len(chunks) == 1
    assert "Cakes" in chunks[0].text and "Sourdough" in chunks[0].text


def test_long_sections_are_cut_at_sentences_with_overlap() -> None:
    text = " ".join(f"Sentence {n} says something about bread and baking times." for n in range(80))
    chunks = chunk_sections([Section(heading_path=("Baking",), text=text)], max_words=60, overlap_words=10)
    assert len(chunks) > 5
    for first, second in itertools.pairwise(chunks):
        assert first.text.split()[-10:] == second.text.split()[:10]


def test_a_run_on_sentence_after_a_long_one_is_still_cut_to_size() -> None:
    text = words(170, "a") + ". " + words(175, "b") + ". " + words(1000, "c")
    chunks = chunk_sections([Section(heading_path=("H",), text=text)])
    assert max(len(chunk.text.split()) for chunk in chunks) <= 180


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=12),
    st.integers(min_value=20, max_value=200),
    st.data(),
)
def test_no_chunk_is_longer_than_the_limit_and_no_word_is_lost(lengths: list[int], limit: int, data) -> None:
    overlap = data.draw(st.integers(min_value=0, max_value=limit // 2 - 1))
    text = ". ".join(words(length, f"s{index}w") for index, length in enumerate(lengths))
    chunks = chunk_sections([Section(heading_path=("H",), text=text)], max_words=limit, overlap_words=overlap)
    assert all(len(chunk.text.split()) <= limit for chunk in chunks)
    assert set(text.replace(".", "").split()) == {w.rstrip(".") for chunk in chunks for w in chunk.text.split()}


def test_an_overlap_of_half_a_chunk_or_more_is_refused() -> None:
    with pytest.raises(InvalidValue):
        chunk_sections([Section(heading_path=(), text="x")], max_words=10, overlap_words=5)


def test_the_embedder_sees_where_a_passage_sits() -> None:
    assert text_for_embedding("Pricing", ("Refunds",), "Within 30 days.") == "Pricing > Refunds\nWithin 30 days."
    assert text_for_embedding("", (), "Just text.") == "Just text."
