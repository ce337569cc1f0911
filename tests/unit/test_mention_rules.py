"""Whether a visitor's message mentions an email address or a phone number."""

import re

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ragsell.domain.errors import DomainError, InvalidValue
from ragsell.domain.mentions import Mention, MentionKind, email_mention, mentions_email, mentions_phone, phone_mention

# --- email ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ann@example.com",
        "Write to ANN@Example.COM please",
        "my address: ann@example.com.",
        "<ann@example.com>",
        "(ann@example.com)",
        "mailto:ann@example.com, thanks",
        "邮箱 ann@example.com。",
        '"ann@example.com"',
    ],
)
def test_an_address_is_found_in_any_case_between_delimiters(text: str) -> None:
    assert mentions_email(text, "ann@example.com")


@pytest.mark.parametrize(
    "text",
    [
        "joann@example.com",
        "jo.ann@example.com",
        "jo+ann@example.com",
        "ann@example.com.au",
        "ann@example.community",
        "ann@example.com-shop.org",
        "ann@example.org",
        "ann at example.com",
    ],
)
def test_a_longer_or_different_address_is_not_the_address(text: str) -> None:
    assert not mentions_email(text, "ann@example.com")


local_parts = st.from_regex(r"[a-z0-9](?:[a-z0-9._+'-]{0,14}[a-z0-9])?", fullmatch=True)
domains = st.from_regex(r"[a-z0-9]{1,10}(?:-[a-z0-9]{1,5})?\.(?:[a-z0-9]{1,8}\.)?[a-z]{2,6}", fullmatch=True)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
# Text around a mention that does not run into it.
befores = st.text(max_size=20).filter(lambda text: re.search(r"[\w!#$%&'*+/=?^`{|}~.-]\Z", text) is None)
afters = st.text(max_size=20).filter(lambda text: re.match(r"[a-zA-Z0-9-]|\.[a-zA-Z0-9]", text) is None)


@given(email=emails, cases=st.lists(st.booleans(), min_size=60, max_size=60), before=befores, after=afters)
def test_an_address_is_found_however_it_is_capitalised_and_wherever_it_stands(
    email: str, cases: list[bool], before: str, after: str
) -> None:
    typed = "".join(c.upper() if upper else c for c, upper in zip(email, cases, strict=False))
    text = f"{before}{typed}{after}"
    mention = email_mention(email)

    assert mention.found_in(text)
    assert re.search(mention.pattern(), text, re.IGNORECASE)


@given(email=emails, extra=st.sampled_from(["x", "7", "_", ".", "-", "+", "'"]))
def test_an_address_run_into_a_longer_one_is_not_found(email: str, extra: str) -> None:
    assert not mentions_email(f"{extra}{email}", email)
    if extra not in "._+'":
        assert not mentions_email(f"{email}{extra}", email)
    assert not mentions_email(f"{email}.uk", email)


# --- phone ------------------------------------------------------------------------

BERLIN = "+493012345678"


@pytest.mark.parametrize(
    "text",
    [
        "+493012345678",
        "call +49 30 12345678",
        "+49 (0)30 1234-5678",
        "0049 30 123 456 78",
        "49 30 12345678",
        "030 / 1234 5678",
        "(030) 12.34.56.78",
        "030-12345678!",
        "30 12345678",
        "my number:03012345678.",
    ],
)
def test_a_number_is_found_as_people_type_it(text: str) -> None:
    assert mentions_phone(text, BERLIN)


@pytest.mark.parametrize(
    "text",
    [
        "030 12345679",  # another number
        "030 123456789",  # a longer one
        "5030 12345678",
        "+30 12345678",  # Greece
        "030 1234    5678",  # too far apart to be one number
        "030 1234 x 5678",
        "3012345",
    ],
)
def test_other_or_longer_numbers_are_not_the_number(text: str) -> None:
    assert not mentions_phone(text, BERLIN)


def test_a_number_without_its_country_code_matches_whatever_country_was_meant() -> None:
    # The rule cannot tell: a number typed with the local trunk prefix or none is
    # taken as the subject's.
    assert mentions_phone("+1 30 12345678", BERLIN)


REGIONS = ["DE", "US", "GB", "FR", "IT", "NL", "ES", "AT", "CH", "SE", "AU", "IN", "JP", "HU", "RU", "BR", "IE", "MX"]


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(E.164 number, how a visitor typed it, in some text)."""
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    number = phonenumbers.example_number_for_type(region, kind)
    assume(number is not None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    country = str(number.country_code)
    trunk = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""
    prefix = draw(st.sampled_from(["+" + country, "00" + country, country, "+" + country + trunk, trunk, ""]))
    characters = prefix + national
    gaps = draw(
        st.lists(st.text(alphabet=" .-()/", max_size=3), min_size=len(characters) - 1, max_size=len(characters) - 1)
    )
    typed = characters[0] + "".join(gap + c for gap, c in zip(gaps, characters[1:], strict=True))
    before = draw(st.text(max_size=15).filter(lambda text: re.search(r"[0-9+]\Z", text) is None))
    after = draw(st.text(max_size=15).filter(lambda text: re.match(r"[0-9]", text) is None))
    return e164, f"{before}{typed}{after}"


@given(case=typed_numbers())
def test_a_number_is_found_with_any_usual_separators_and_prefix(case: tuple[str, str]) -> None:
    e164, text = case
    mention = phone_mention(e164)

    assert mention.found_in(text)
    # What a store selects candidates with lets every mention through.
    assert re.search(mention.pattern(), text, re.IGNORECASE)


@given(case=typed_numbers(), digit=st.sampled_from("0123456789"))
def test_a_number_run_into_more_digits_is_not_found(case: tuple[str, str], digit: str) -> None:
    e164, _ = case
    national = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    assert not mentions_phone(f"tel {national}{digit}", e164)
    assert not mentions_phone(f"tel +{national}", e164)


@given(case=typed_numbers(), position=st.integers(0, 20), shift=st.integers(1, 9))
def test_a_number_with_one_digit_changed_is_not_found(case: tuple[str, str], position: int, shift: int) -> None:
    e164, _ = case
    national = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    at = position % len(national)
    changed = national[:at] + str((int(national[at]) + shift) % 10) + national[at + 1 :]
    assert not mentions_phone(f"call me on {changed} today", e164)


def test_a_mention_is_of_a_normalized_value() -> None:
    with pytest.raises(InvalidValue):
        Mention(kind=MentionKind.EMAIL, value="Ann@Example.com")
    with pytest.raises(DomainError):
        Mention(kind=MentionKind.PHONE, value="030 12345678")
    assert email_mention(" Ann@Example.com ").value == "ann@example.com"
    assert phone_mention("+49 30 12345678").value == BERLIN
