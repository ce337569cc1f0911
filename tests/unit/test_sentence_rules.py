"""Sentences of a passage (their vectors are stored by position) and the language guess."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.sentences import MAX_SENTENCE_CHARACTERS, MAX_SENTENCES, guess_language, split_sentences


def test_sentences_end_at_stops_before_a_capital_and_at_line_breaks() -> None:
    text = "We open at 9. Closed on Sundays! Call 555-0100, e.g. for cakes.\nSee you soon"
    assert split_sentences(text) == [
        "We open at 9.",
        "Closed on Sundays!",
        "Call 555-0100, e.g. for cakes.",
        "See you soon",
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_splitting_is_deterministic_and_bounded(text: str) -> None:
    sentences = split_sentences(text)
    assert sentences == split_sentences(text)
    assert len(sentences) <= MAX_SENTENCES
    assert all(0 < len(sentence) <= MAX_SENTENCE_CHARACTERS for sentence in sentences)
    assert all(sentence == " ".join(sentence.split()) for sentence in sentences)


def test_the_language_of_a_question_is_guessed_from_its_common_words() -> None:
    assert guess_language("When are you open on Mondays?") == "en"
    assert guess_language("¿Cuándo está abierta la tienda los lunes?") == "es"
    assert guess_language("Wann ist der Laden am Montag geöffnet?") == "de"
    assert guess_language("Quand est-ce que la boutique est ouverte le lundi ?") == "fr"


def test_too_little_text_gives_no_guess() -> None:
    assert guess_language("Pricing") is None
    assert guess_language("") is None
