"""A read-only view of one text that the detectors share: its number runs, found once.

Most personal data in messages is digits (registration, phone, card, account numbers, customs
codes), and most false positives are digits too (order and tracking numbers, prices, codes).
One compiled pattern finds every run of digit groups with the separators people type between
them (spaces, hyphens, dots, full-width forms, parentheses); each detector then looks at the
*windows* of a run, the contiguous groups that could form one number, and validates cheaply.
This is one pass over the text instead of one per detector, and it is what makes a span's
edges exact: a window ends where its groups end, never inside a longer number.

A window may only stop at a space between groups: `2024-010-1234-5678` is one code with a
hyphen inside, not a phone number after a year, while `2 010-1234-5678` is a count and a phone.
"""

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from databorder.dlp.context import fold, owning_label

# ASCII and full-width digits; the full-width forms are folded to ASCII for the checks.
_DIGIT = "0-9\uff10-\uff19"
# Hyphen-minus, the Unicode hyphens and dashes people paste, the minus sign, full-width hyphen.
_HYPHEN = "\\-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"
_DOT = ".\uff0e\u00b7"
_FOLD = str.maketrans("０１２３４５６７８９", "0123456789")

# A run: optional "+", digit groups, each after a separator of at most one hyphen or dot with
# optional spaces around it, or a single space; a group may sit in parentheses: (02) 123-4567.
# The fewest digits any digit detector judges (a Seoul landline, 02-234-5678): shorter runs
# (counts, prices, dates) are skipped before any window is built.
_SHORTEST = 9
# The lookahead asks for nine characters a run can hold before trying one: a run shorter
# than `_SHORTEST` is never judged, and most digits in messages are short runs (prices, counts,
# dates) that would otherwise each cost a match object and a turn of the loop in `_runs`. A
# run of nine or more characters always passes it, so the runs kept are the same.
_RUN = re.compile(
    rf"(?=[+()\t {_DIGIT}{_HYPHEN}{_DOT}]{{{_SHORTEST}}})"
    rf"\+?\(?[{_DIGIT}]+\)?(?:(?:[ \t]?[{_HYPHEN}{_DOT}][ \t]?|[ \t]|(?<=\)))\(?[{_DIGIT}]+\)?)*"
)
# The longest number any detector judges (19-digit cards, +82 and a 12-digit relay number).
_LONGEST = 20
_GROUP = re.compile(rf"[{_DIGIT}]+")
# A code glued to a number: letters or digits, or a joiner between them (SKU-0101, A1/2345).
_JOINERS = frozenset("-_/#\u2010\u2011\u2212\uff0d")


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Window(NamedTuple):
    """Contiguous digit groups of one run that could be one number (a named tuple: a message
    has dozens and a frozen dataclass costs twice as much to build)."""

    digits: str  # ASCII digits of the groups, separators dropped
    start: int  # code-point span in the text, including a leading "+" or "("
    end: int
    shape: tuple[int, ...]  # the groups' lengths, e.g. (3, 4, 4)
    separators: tuple[str, ...]  # the separators between the groups, stripped ("" for a space)
    plus: bool  # the window starts with "+": an international number
    whole: bool  # the window is its entire run
    glued: bool  # a letter, or a joiner and a letter, touches it: part of a code


class Run(NamedTuple):
    """One maximal run of digit groups and separators (a named tuple, as `Window` is: one is
    built for nearly every message, and a frozen dataclass's constructor costs three times as
    much)."""

    start: int
    end: int
    windows: tuple[Window, ...]


class Text:
    """The text and what the detectors derive from it, each computed at most once.

    The runs are found at once (every message is asked for them by four detectors) rather than
    in a `cached_property`, whose lock cost more than finding them in a short message.
    """

    __slots__ = ("_owners", "folded", "runs", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)  # what the label patterns read (context.fold)
        self._owners: dict[int, str | None] = {}
        self.runs = _runs(text)

    def owner(self, start: int) -> str | None:
        """`context.owning_label` at `start`, once per start: four detectors ask of each window."""
        owners = self._owners
        if start not in owners:
            owners[start] = owning_label(self.folded, start)
        return owners[start]


def _runs(text: str) -> tuple[Run, ...]:
    """The runs of at least `_SHORTEST` digits, with their windows."""
    runs = []
    for m in _RUN.finditer(text):
        start, end = m.span()
        if end - start < _SHORTEST:
            continue
        value = m.group()
        if value.isdigit():
            # One unbroken group, the commonest run: its only window is the run itself.
            if end - start > _LONGEST:
                continue
            digits = value if value.isascii() else value.translate(_FOLD)
            glued = glued_left(text, start) or glued_right(text, end)
            window = Window(digits, start, end, (end - start,), (), False, True, glued)
            runs.append(Run(start, end, (window,)))
            continue
        if _SOFT_MARKS.isdisjoint(value):
            # Groups joined only by hyphens or dots (010-1234-5678): no window may stop inside,
            # so the run is its one window, if it is long enough and not too long.
            groups = _GROUP.findall(value)
            digits = "".join(groups)
            if not _SHORTEST <= len(digits) <= _LONGEST:
                continue
            if not value.isascii():
                digits = digits.translate(_FOLD)
            window = Window(
                digits,
                start,
                end,
                tuple(map(len, groups)),
                tuple(_GROUP.split(value)[1:-1]),
                value[0] == "+",
                True,
                glued_left(text, start) or glued_right(text, end),
            )
            runs.append(Run(start, end, (window,)))
            continue
        run = _run(text, start, end)
        if run.windows:
            runs.append(run)
    return tuple(runs)


# What lets a window stop between two groups (`_soft`): a space, or a parenthesis around one.
_SOFT_MARKS = frozenset(" \t()")


def left_edged(
    pattern: re.Pattern[str], text: str, refused: Callable[[str], bool]
) -> Iterator[re.Match[str]]:
    """`pattern`'s matches in `text` whose preceding character is not `refused`: what a leading
    `(?<![...])` would find, at a tenth of the cost.

    A lookbehind at a pattern's start is tried at every position of the text and keeps the
    engine from skipping ahead to the pattern's first character. A match refused here is
    retried one character later, so a match starting inside it is still found, as the
    lookbehind would.
    """
    pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        start = m.start()
        if start and refused(text[start - 1]):
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1


def glued_left(text: str, index: int) -> bool:
    """Whether a code continues left of `index` (a letter or digit, or a joiner after one)."""
    if index == 0:
        return False
    before = text[index - 1]
    if _ascii_alnum(before):
        return True
    return before in _JOINERS and index >= 2 and _ascii_alnum(text[index - 2])


def glued_right(text: str, index: int) -> bool:
    """Whether a code continues at `index` (a letter or digit, or a joiner before one)."""
    if index >= len(text):
        return False
    after = text[index]
    if _ascii_alnum(after):
        return True
    return after in _JOINERS and index + 1 < len(text) and _ascii_alnum(text[index + 1])


def _soft(separator: str) -> bool:
    """Whether a window may stop at this separator: a space, or the end of a sentence."""
    core = separator.strip(" \t()")
    return core == "" or (core in _DOT and separator.endswith(" "))


def _run(text: str, start: int, end: int) -> Run:
    groups = [g.span() for g in _GROUP.finditer(text, start, end)]
    digits = [text[a:b].translate(_FOLD) for a, b in groups]
    if sum(map(len, digits)) < _SHORTEST:
        return Run(start, end, ())
    seps = [text[groups[n][1] : groups[n + 1][0]] for n in range(len(groups) - 1)]
    stripped = [s.strip(" \t()") for s in seps]
    # Only a bare space (parentheses aside) lets a window stop between two groups.
    soft = [_soft(s) for s in seps]
    plus = text[start] == "+"
    windows: list[Window] = []
    count = len(groups)
    for i in range(count):
        if i > 0 and not soft[i - 1]:
            continue
        w_start = start if i == 0 else groups[i][0]
        if i > 0 and text[w_start - 1] == "(":
            w_start -= 1
        left_glued = i == 0 and glued_left(text, start)
        length = 0
        for j in range(i, count):
            length += len(digits[j])
            if length > _LONGEST:
                break  # no identifier is longer; a list of numbers would grow quadratically
            if (j < count - 1 and not soft[j]) or length < _SHORTEST:
                continue
            w_end = groups[j][1]
            if w_end < len(text) and text[w_end] == ")" and "(" in text[w_start:w_end]:
                w_end += 1
            right_glued = j == count - 1 and glued_right(text, end)
            windows.append(
                Window(
                    digits="".join(digits[i : j + 1]),
                    start=w_start,
                    end=w_end,
                    shape=tuple(len(d) for d in digits[i : j + 1]),
                    separators=tuple(stripped[i:j]),
                    plus=plus and i == 0,
                    whole=i == 0 and j == count - 1,
                    glued=left_glued or right_glued,
                )
            )
    return Run(start, end, tuple(windows))
