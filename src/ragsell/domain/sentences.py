"""Sentences of a passage, and a guess at the language they are in."""

import re

MAX_SENTENCES = 64
MAX_SENTENCE_CHARACTERS = 600
# A sentence ends at . ! ? (or their full-width forms) before a space and a capital,
# digit or quote, and at every line break.
_BOUNDARY = re.compile(r"(?<=[.!?。！？])\s+(?=[\"'“(\[]?[A-ZÀ-ÖØ-Þ0-9¿¡])|\n+")

_STOPWORDS = {
    "en": "the and is are you your we our to of in for with what how can do does not this that it on at be",
    "es": "el la los las que de y en es son para por con una un su sus no se lo como qué cómo está",
    "fr": "le la les des que de et en est sont pour par avec une un ses pas ce qui vous nous quel comment",
    "de": "der die das und ist sind nicht ein eine zu mit für von den dem auf wie was sie wir ich kann",
    "pt": "o a os as que de e em é são para por com uma um seu não se como qual você nós está",
    "it": "il lo la gli le che di e in è sono per con una un suo non si come quale voi noi siete",
    "nl": "de het een en is zijn niet van in op met voor dat wat hoe u wij je kan er",
}
_WORDS = {language: frozenset(words.split()) for language, words in _STOPWORDS.items()}
_WORD = re.compile(r"\w+", re.UNICODE)


def split_sentences(text: str) -> list[str]:
    """At most MAX_SENTENCES sentences, each cut to MAX_SENTENCE_CHARACTERS; the same text
    always gives the same list (stored sentence vectors are matched to it by position)."""
    sentences = [" ".join(part.split()) for part in _BOUNDARY.split(text)]
    return [sentence[:MAX_SENTENCE_CHARACTERS] for sentence in sentences if sentence][:MAX_SENTENCES]


def guess_language(text: str) -> str | None:
    """The language whose common words the text uses most, among those the widget speaks;
    None when too few of them appear to tell."""
    words = [word.lower() for word in _WORD.findall(text)]
    counts = {language: sum(word in stopwords for word in words) for language, stopwords in _WORDS.items()}
    best = max(counts, key=lambda language: counts[language])
    ranked = sorted(counts.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else None
