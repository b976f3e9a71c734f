"""The word lists' fast compilation and the left-edge check: the same matches, cheaper."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from databorder.dlp.context import fold
from databorder.dlp.patterns import alternatives, first_characters, words
from databorder.dlp.text import left_edged

BANKS = r"kb\s?국민|신한(?:은행)?|(?:im|대구)\s?은행|bank"


def test_first_characters_come_from_every_alternative_and_group():
    assert first_characters(BANKS) == frozenset("k신i대b")
    assert first_characters(r"(?P<order>주문|order)|(?P<sku>sku)") == frozenset("주os")


def test_alternatives_split_only_at_the_top_level():
    assert alternatives(r"a(?:b|c)|[|]d|e\|f") == ["a(?:b|c)", "[|]d", r"e\|f"]


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"[ab]c", "does not start with a required literal"),
        (r"\sx", "does not start with a required literal"),
        (r"a?b", "does not start with a required literal"),
        (r"(?:a|b)?c", "optional first group"),
        (r"a||b", "empty alternative"),
    ],
)
def test_a_pattern_whose_first_characters_cannot_be_known_is_refused(pattern: str, why: str):
    with pytest.raises(ValueError, match=re.escape(why)):
        first_characters(pattern)


@given(st.text(alphabet="kb 국민신한은행대구im bankx", max_size=40))
def test_words_match_exactly_what_the_plain_pattern_matches(text: str):
    plain = re.compile(BANKS)
    assert [m.span() for m in words(BANKS).finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]


def test_fold_lowers_case_and_keeps_every_offset():
    assert fold("Order No. 12") == "order no. 12"
    # U+0130 lowers to two code points: only ASCII is folded then, so offsets still agree.
    assert fold("İ ORDER") == "İ order"


_LOOKBEHIND = re.compile(r"(?<![a-z0-9])[ms][0-9]{3}(?![0-9a-z])")
_BARE = re.compile(r"[ms][0-9]{3}(?![0-9a-z])")


@given(st.text(alphabet="ms0123a -", max_size=30))
def test_left_edged_finds_what_a_leading_lookbehind_finds(text: str):
    refused = frozenset("abcdefghijklmnopqrstuvwxyz0123456789").__contains__
    assert [m.span() for m in left_edged(_BARE, text, refused)] == [
        m.span() for m in _LOOKBEHIND.finditer(text)
    ]
