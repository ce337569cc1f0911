"""The widget speaks every language a site's branding offers."""

import json
import re
from importlib.resources import files

from ragsell.domain.sites import UI_LANGUAGES

STRINGS = json.loads((files("ragsell.entrypoints.http.widget") / "static" / "strings.json").read_text("utf-8"))


def test_every_branding_language_has_every_string() -> None:
    assert set(STRINGS) == set(UI_LANGUAGES)
    for language in UI_LANGUAGES:
        assert STRINGS[language].keys() == STRINGS["en"].keys(), language
        assert all(text.strip() for text in STRINGS[language].values()), language


def test_translations_keep_their_placeholders() -> None:
    for key, english in STRINGS["en"].items():
        wanted = sorted(re.findall(r"\{\w+\}", english))
        for language in UI_LANGUAGES:
            assert sorted(re.findall(r"\{\w+\}", STRINGS[language][key])) == wanted, (language, key)
