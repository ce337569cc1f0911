"""The one layout of turns both chat model adapters send."""

import re

from hypothesis import given
from hypothesis import strategies as st

from ragsell.adapters.chat_messages import Turn, conversation_turns
from ragsell.application.ports.ai import ChatRequest, ChatTurn
from ragsell.domain.conversations import Citation, Role
from ragsell.domain.knowledge import Passage
from tests.chat.requests import HOURS

_BLOCK = re.compile(r"<passages>\n(.*)\n</passages>", re.DOTALL)


def request(*history: tuple[Role, str], passages: tuple[Passage, ...] = (HOURS,)) -> ChatRequest:
    turns = tuple(ChatTurn(role=role, text=text) for role, text in history)
    return ChatRequest(system="Rules.", history=turns, passages=passages, question="When do you open?")


def test_history_comes_first_with_visitor_turns_as_user_turns() -> None:
    turns = conversation_turns(request((Role.VISITOR, "Hi"), (Role.ASSISTANT, "Hello!")))

    assert [turn.role for turn in turns] == ["user", "assistant", "user"]
    assert turns[:2] == [Turn(role="user", text="Hi"), Turn(role="assistant", text="Hello!")]
    assert turns[2].text.endswith("The visitor's question:\nWhen do you open?")


def test_turns_of_one_role_in_a_row_are_merged_and_the_first_turn_is_the_visitors() -> None:
    turns = conversation_turns(
        request((Role.ASSISTANT, "Welcome!"), (Role.VISITOR, "Hi"), (Role.VISITOR, "Anyone there?"))
    )

    assert len(turns) == 1
    assert turns[0].role == "user"
    assert turns[0].text.startswith("Hi\n\nAnyone there?\n\nPassages from the website")


def test_each_passage_is_delimited_with_its_number_and_source() -> None:
    (turn,) = conversation_turns(request())

    assert (
        '<passages>\n<passage id="1" source="https://bakery.example/hours" title="Opening hours" section="Visit us">\n'
        "We open at 7am, Monday to Saturday.\n</passage>\n</passages>"
    ) in turn.text


def test_a_passage_without_a_page_has_no_source() -> None:
    snippet = Passage(text="Free delivery over 50 EUR.", score=0.7)

    (turn,) = conversation_turns(request(passages=(snippet,)))

    assert '<passage id="1">\nFree delivery over 50 EUR.\n</passage>' in turn.text


@given(
    texts=st.lists(st.text(), min_size=1, max_size=4),
    titles=st.lists(st.text(), min_size=4, max_size=4),
    question=st.text(),
)
def test_no_passage_can_add_or_close_a_tag_of_the_block(texts: list[str], titles: list[str], question: str) -> None:
    passages = tuple(
        Passage(text=text, score=0.5, citation=Citation(url="https://bakery.example/", title=title))
        for text, title in zip(texts, titles, strict=False)
    )

    (turn,) = conversation_turns(request(passages=passages))

    before, _, _ = turn.text.partition("The visitor's question:\n")
    block = _BLOCK.search(before)
    assert block is not None
    # Every angle bracket inside the block is one of the block's own tags.
    assert block[1].count("<") == block[1].count(">") == 2 * len(passages)
    assert re.findall(r"<passage id=\"(\d+)\"", block[1]) == [str(number) for number in range(1, len(passages) + 1)]
    assert block[1].count("</passage>") == len(passages)
