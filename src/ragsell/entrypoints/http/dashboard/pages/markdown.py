"""Answers as the widget shows them: the same small Markdown subset (paragraphs, lists,
headings as bold lines, bold, code, http(s) links), made from escaped text, never HTML."""

import re
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup, escape

# The widget's own patterns (ui.js), so an answer looks the same in both places.
_INLINE = re.compile(r"\\([!-/:-@\[-`{-~])|`([^`\n]+)`|\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\(([^()\s]+)\)")
_LIST_ITEM = re.compile(r"^\s*(?:([-*+])|\d+[.)])\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_LIST_TAGS = {"ul": Markup("<ul>{}</ul>"), "ol": Markup("<ol>{}</ol>")}


def web_address(address: str, against: str) -> str | None:
    """``address`` read against ``against``, when it is an http(s) address."""
    try:
        url = urljoin(against, address)
        return url if urlsplit(url).scheme in ("http", "https") else None
    except ValueError:
        return None


def external_link(href: str, words: Markup | str) -> Markup:
    return Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(href, words)


def _inline(text: str, base: str) -> Markup:
    out: list[Markup] = []
    at = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[at : match.start()]))
        at = match.end()
        escaped, code, bold, words, address = match.groups()
        if escaped is not None:
            out.append(escape(escaped))
        elif code is not None:
            out.append(Markup("<code>{}</code>").format(code))
        elif bold is not None:
            out.append(Markup("<strong>{}</strong>").format(_inline(bold, base)))
        else:
            href = web_address(address, base)
            shown = _inline(words, base)
            out.append(external_link(href, shown) if href else shown)
    out.append(escape(text[at:]))
    return Markup("").join(out)


def render_answer(text: str, base: str) -> Markup:
    """HTML for an answer; relative links are read against ``base`` (the site's URL)."""
    blocks: list[Markup] = []
    para: list[Markup] | None = None
    items: list[Markup] | None = None
    tag = ""

    def close() -> None:
        nonlocal para, items
        if para is not None:
            blocks.append(Markup("<p>{}</p>").format(Markup("<br>").join(para)))
        if items is not None:
            blocks.append(_LIST_TAGS[tag].format(Markup("").join(items)))
        para = items = None

    for line in text.split("\n"):
        item = _LIST_ITEM.match(line)
        if not line.strip():
            close()
        elif item:
            kind = "ul" if item.group(1) else "ol"
            if items is None or tag != kind:
                close()
                items, tag = [], kind
            items.append(Markup("<li>{}</li>").format(_inline(item.group(2), base)))
        else:
            if items is not None:
                close()
            heading = _HEADING.match(line)
            part = (
                Markup("<strong>{}</strong>").format(_inline(heading.group(1), base))
                if heading
                else _inline(line, base)
            )
            para = [*(para or []), part]
    close()
    return Markup("").join(blocks)
